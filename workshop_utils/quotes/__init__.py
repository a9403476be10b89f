"""Sending quote requests through either pattern and reading what happened, as plain data.

Owns: the learner's request checked (request), the two ways to send it (triggers), timelines from histories and
logs, the aggregator's results (aggregates) and where a request failed (failures).
May import: cloud, render, repo.
"""
