"""The local cloud's server process seen from outside: is it running and healthy, start it, stop it.

Owns: status.py (the state file read back, health as a real signed API call, the servers this process started),
starting.py (one start at a time, then waiting until it answers) and stopping.py (the shutdown API, SIGTERM,
SIGKILL, then any leftover worker); ../service.py puts them together under the names callers use.
May import: state, config and persistence (the start report); never the server side (server, install, the moto
extensions), which runs in the other process.
"""
