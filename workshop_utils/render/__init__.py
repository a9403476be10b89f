"""Renderers: pure functions from plain data to self-contained HTML or SVG.

Owns: every picture and table a notebook or the stage shows (architecture, state machine, timelines, logs,
events, quotes, diffs, the deployment's progress, source code highlighted), with no script and no CDN.
May import: wiring (the plain data of a stack's connections), repo. Never AWS, the CDK CLI or ipywidgets: the data
a renderer takes is plain values or a dataclass defined beside it.
"""

from workshop_utils.render.architecture import architecture_svg
from workshop_utils.render.deployment import stack_build_html
from workshop_utils.render.diff import diff_html
from workshop_utils.render.events import execution_events_html
from workshop_utils.render.logs import log_events_html
from workshop_utils.render.quotes import parse_quotes_line, quotes_html
from workshop_utils.render.refactoring import CodeSide, code_side, refactoring_html
from workshop_utils.render.source import source_html
from workshop_utils.render.state_machine import state_machine_svg
from workshop_utils.render.timeline import timeline_svg

__all__ = [
    "CodeSide",
    "architecture_svg",
    "code_side",
    "diff_html",
    "execution_events_html",
    "log_events_html",
    "parse_quotes_line",
    "quotes_html",
    "refactoring_html",
    "source_html",
    "stack_build_html",
    "state_machine_svg",
    "timeline_svg",
]
