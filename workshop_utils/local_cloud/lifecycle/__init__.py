"""The local cloud's server process seen from outside: status (running, healthy), start, stop with escalation.

status.py is the bottom (the state file read back, health, the processes this one started); starting.py and
stopping.py build on it, and ../service.py puts the three together under the names callers use. Imports only
local_cloud's own config, state and persistence.startup modules (plus psutil and boto3), never the server side.
"""
