"""How CloudFormation built a stack: its resources in the order they started, each a bar from its *_IN_PROGRESS
event to its *_COMPLETE event, folded under the deploy's progress bar."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from workshop_utils.render._common import FONT, MUTED, card, esc, expandable, style
from workshop_utils.render.timeline import timeline_svg

MARKS = {"CREATE": "+", "UPDATE": "~", "DELETE": "-"}  # cdk diff's marks, which the learner already reads
_DONE = {"CREATE": "created", "UPDATE": "updated", "DELETE": "deleted"}
_WHERE = {"local": "on the local cloud", "aws": "on AWS", "emulator": "on your emulator"}


class StackEvent(Protocol):
    """What the view reads of one of a stack's CloudFormation events (deploy.progress.Progress is one)."""

    @property
    def stack(self) -> str: ...

    @property
    def status(self) -> str: ...  # CREATE_IN_PROGRESS, UPDATE_COMPLETE, ...

    @property
    def resource_type(self) -> str: ...

    @property
    def resource(self) -> str: ...

    @property
    def logical_id(self) -> str | None: ...

    @property
    def timestamp(self) -> datetime | None: ...  # None: an event the CLI printed (a clock only), not drawn

    @property
    def is_stack(self) -> bool: ...  # an event of the stack itself rather than of one of its resources


@dataclass(frozen=True)
class Step:
    """One resource created, updated or deleted: from its *_IN_PROGRESS event to its *_COMPLETE event."""

    logical_id: str
    resource_type: str
    action: str  # CREATE, UPDATE or DELETE
    start: datetime
    end: datetime

    @property
    def label(self) -> str:
        return f"{MARKS[self.action]} {self.logical_id}"


def resource_steps(events: Iterable[StackEvent]) -> list[Step]:
    """The steps the events record, in the order they started; a step that never completed draws nothing."""
    started: dict[tuple[str, str], tuple[int, StackEvent]] = {}
    steps: list[tuple[int, Step]] = []
    for index, event in enumerate(events):
        action, _, phase = event.status.partition("_")
        if event.is_stack or event.timestamp is None or action not in MARKS:
            continue
        key = (event.logical_id or event.resource, action)
        if phase == "IN_PROGRESS":
            started[key] = (index, event)
        elif phase == "COMPLETE" and key in started:
            order, begin = started.pop(key)
            assert begin.timestamp is not None
            steps.append((order, Step(key[0], event.resource_type, action, begin.timestamp, event.timestamp)))
    return [step for _, step in sorted(steps, key=lambda pair: pair[0])]


def format_seconds(seconds: float) -> str:
    """64 ms, 2.50 s, 12 s, 2 min 13 s: under a second in milliseconds, as the timeline's "end to end" says it."""
    if seconds < 1:
        return f"{seconds * 1000:,.0f} ms"
    if seconds < 10:
        return f"{seconds:.2f} s"
    if seconds < 120:
        return f"{seconds:.0f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s"


def build_summary(events: Iterable[StackEvent], *, target: str = "local") -> str:
    """"16 resources created in 0.03 s on the local cloud": what the stack's events did (built, or deleted for a
    destroy), and how long it took; "" when they record no resource (a deploy without changes)."""
    steps = resource_steps(events)
    if not steps:
        return ""
    first = min(step.start for step in steps)
    span = (max(step.end for step in steps) - first).total_seconds()
    done = [(count, _DONE[action]) for action in MARKS if (count := sum(step.action == action for step in steps))]
    noun = "resource" if len(steps) == 1 else "resources"
    what = (f"{len(steps)} {noun} {done[0][1]}" if len(done) == 1
            else f"{len(steps)} {noun} ({', '.join(f'{count} {verb}' for count, verb in done)})")
    return f"{what} in {format_seconds(span)} {_WHERE.get(target, 'here')}"


def build_details_html(events: Iterable[StackEvent], *, target: str = "local") -> str:
    """The resources' bars, in the order they started, with how to read them; "" when nothing was built."""
    events = list(events)
    steps = resource_steps(events)
    if not any(step.action in ("CREATE", "UPDATE") for step in steps):
        return ""
    stack = next((event.stack for event in events if event.timestamp is not None), "the stack")
    first = min(step.start for step in steps)
    bars = [(step.label, _ms(step.start, first), _ms(step.end, first)) for step in steps]
    return (f'<div data-stack="{esc(stack)}" data-resources="{len(steps)}">'
            f"{_explanation(target)}{timeline_svg({stack: bars}, label_chars=48)}</div>")


def stack_build_html(events: Iterable[StackEvent], *, target: str = "local") -> str:
    """A folded view of the resources a deploy created and updated (and its cleanup deleted), with the times their
    events recorded; "" when the events built nothing (a destroy, a deploy without changes)."""
    events = list(events)
    summary = build_summary(events, target=target)
    if not any(step.action in ("CREATE", "UPDATE") for step in resource_steps(events)):
        return ""
    stack = next((event.stack for event in events if event.timestamp is not None), "the stack")
    summary = f"How CloudFormation built {stack}: {summary}"
    if target != "aws":
        summary += "; on AWS the same resources take minutes"
    folded = expandable(esc(summary), build_details_html(events, target=target))
    # In our own card, summary included: both Jupyter themes read the same.
    return card(folded, css_class="stack-build", extra_style="padding:6px 10px")


def command_line_html(headline: str, sections: list[tuple[str, str]], *, ok: bool = True) -> str:
    """A CDK command as one line (its headline), everything else folded under it: a title and HTML a section."""
    colour = "#1a7f37" if ok else "#cf222e"
    line = f'<span style="{style(color=colour, font_weight="600")}">{"✔" if ok else "✖"}</span> {esc(headline)}'
    shown = [(title, body) for title, body in sections if body]
    if not shown:
        inner = f'<div style="{style(font_family=FONT)}">{line}</div>'
    else:
        parts = "".join(
            f'<div style="{style(margin="8px 0 0 0")}"><div style="{style(font_weight="600")}">{esc(title)}</div>'
            f"{body}</div>" for title, body in shown
        )
        summary_css = style(cursor="pointer", font_family=FONT)
        inner = f'<details><summary style="{summary_css}">{line}</summary>{parts}</details>'
    return card(inner, css_class="cdk-command", extra_style="padding:6px 10px")


def _explanation(target: str) -> str:
    text = ("Each bar runs from a resource's *_IN_PROGRESS event to its *_COMPLETE event, as CloudFormation recorded "
            "them, in the order the resources started: one starts once everything it refers to is complete. "
            "+ created, ~ updated, - deleted (an update's cleanup).")
    if target == "local":
        text += (" The local cloud builds one resource at a time (AWS builds those that wait for nothing side by side) "
                 "and stamps each event at least 1 ms after the one before: a 1 ms bar may have taken less, and the "
                 "whole a little less than it reads.")
    return f'<p style="{style(color=MUTED, margin="8px 0", font_size="12px")}">{esc(text)}</p>'


def _ms(moment: datetime, first: datetime) -> float:
    return (moment - first).total_seconds() * 1000.0
