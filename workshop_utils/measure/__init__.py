"""Measuring both patterns: the end-to-end benchmark (`make bench`) and the cost model.

May import: ui and everything below it.
"""
