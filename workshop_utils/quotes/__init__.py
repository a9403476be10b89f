"""Sending quote requests through either pattern and reading what happened, as plain data.

Owns: the learner's request checked (request), the two ways to send it (triggers), timelines from histories and
logs, the aggregator's results (aggregates), where a request failed (failures) and its OnFailure records as rows
(failure_rows), and one request through both patterns at once (comparison).
May import: cloud, render, repo.
"""
