"""Command-line tools behind make targets: the offline bundle, the platforms it serves, the headless notebook run.

May import: teaching and everything below it.
"""
