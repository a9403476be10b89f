"""Measuring both patterns: the end-to-end benchmark (`make bench`) and the cost model.

Owns: the command and its JSON document (bench), the load through both stacks (load), the aggregator's log
read incrementally (aggregate_reader), percentiles (percentiles), the aggregator's batching (batching), cold
starts and redeploys (startup), and the cost model (cost).
May import: ui and everything below it; never notebook.
"""
