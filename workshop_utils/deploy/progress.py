"""CDK CLI progress: parse its CloudFormation event lines (pure) and show a bar with the elapsed time."""

from __future__ import annotations

import re
import sys
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TextIO

from workshop_utils.render.deployment import build_details_html, build_summary, command_line_html, format_seconds

ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
# The CLI's history printer writes "%s | %s%s | %s | %s | %s %s%s%s": stack | [done/total | ]time | status
# (padded to 23) | resource type (padded) | construct path [(LogicalId) ]reason. The counter is "N/T" while
# the total is known (deploys), a right-aligned "N" otherwise (destroys, direct deploys) and absent in the
# "Failed resources:" summary.
_EVENT = re.compile(
    r"^(?P<stack>[A-Za-z][A-Za-z0-9-]*) \| "
    r"(?:(?P<done>\s*\d+)(?:/(?P<total>\s*\d+))? \| )?"
    r"(?P<time>[^|]*\d:\d\d[^|]*?) \| "
    r"(?P<status>[A-Z][A-Z_]+[A-Z])(?P<skipped> \(skipped\))?\s* \| "
    r"(?P<type>[^|]*?)\s* \| "
    r"(?P<rest>.*)$"
)
# After the events, the reasons a command failed: the CLI's "‣ cause" lines and the app's own errors
# ("Error: one sentence" from infra.app, or the last line of a Python traceback).
_CAUSE = re.compile(r"^\s*‣\s*(?P<message>.+)$")
_APP_ERROR = re.compile(r"^(?:Error: |(?:[A-Za-z_][\w.]*(?:Error|Exception)): )(?P<message>.+)$")
_LOGICAL_ID = re.compile(r"^\(([A-Za-z0-9]+)\)(?:\s+|$)")
# CloudFormation cancels the siblings of a failed resource; those events are never the cause.
_NOISE_REASONS = ("Resource creation cancelled", "Resource update cancelled", "Resource deletion cancelled")


@dataclass(frozen=True)
class Progress:
    """One CloudFormation event, as the CDK CLI printed it or as the stack's own events read it (with a timestamp)."""

    stack: str
    status: str
    resource_type: str
    resource: str
    logical_id: str | None = None
    reason: str = ""
    done: int | None = None
    total: int | None = None
    time: str = ""
    skipped: bool = False
    timestamp: datetime | None = None  # when CloudFormation recorded it (the CLI's lines print only a clock)

    @property
    def failed(self) -> bool:
        """A *_FAILED event that CloudFormation will not skip."""
        return self.status.endswith("_FAILED") and not self.skipped

    @property
    def is_stack(self) -> bool:
        """An event of the stack itself rather than of one of its resources."""
        return self.resource_type == "AWS::CloudFormation::Stack" and self.resource == self.stack

    @property
    def is_cause(self) -> bool:
        """A failure of a resource that explains what went wrong (not a cancellation, not the stack)."""
        return self.failed and not self.is_stack and not self.reason.startswith(_NOISE_REASONS)

    def describe(self) -> str:
        """`Resource (Type) STATUS: reason`, for error messages."""
        text = f"{self.resource} ({self.resource_type}) {self.status}"
        return f"{text}: {self.reason}" if self.reason else text


def strip_ansi(line: str) -> str:
    return ANSI_ESCAPE.sub("", line)


def parse_progress(line: str) -> Progress | None:
    """The event printed on `line` by `cdk deploy|destroy|bootstrap --progress events`, or None."""
    match = _EVENT.match(strip_ansi(line).rstrip("\r\n"))
    if not match:
        return None
    rest = match["rest"].strip()
    resource, _, after = rest.partition(" ")
    logical_id = None
    after = after.strip()
    found = _LOGICAL_ID.match(after)
    if found:
        logical_id, after = found[1], after[found.end() :]
    return Progress(
        stack=match["stack"],
        status=match["status"],
        resource_type=match["type"].strip(),
        resource=resource,
        logical_id=logical_id,
        reason=after.strip(),
        done=int(match["done"]) if match["done"] else None,
        total=int(match["total"]) if match["total"] else None,
        time=match["time"].strip(),
        skipped=bool(match["skipped"]),
    )


def first_cause(events: list[Progress]) -> Progress | None:
    """The failure that explains a failed deploy: the first failing resource, else the first failure."""
    causes = [event for event in events if event.is_cause]
    if causes:
        return causes[0]
    failures = [event for event in events if event.failed and event.reason]
    return failures[0] if failures else None


def failure_summary(lines: list[str], events: list[Progress] | None = None) -> str | None:
    """What went wrong, from a failed command's output: the failing resource and reason, else the error."""
    events = events if events is not None else [e for e in map(parse_progress, lines) if e is not None]
    cause = first_cause(events)
    if cause is not None:
        return cause.describe()
    for line in lines:
        found = _CAUSE.match(line)
        if found:
            return found["message"].strip()
    app_errors = [found["message"].strip() for found in map(_APP_ERROR.match, lines) if found]
    if app_errors:
        return app_errors[-1]
    for line in lines:
        if "❌" in line:
            return line.replace("❌", "").strip()
    meaningful = [line.strip() for line in lines if line.strip() and not line.startswith((" ", "\t"))]
    return meaningful[-1] if meaningful else None


def format_elapsed(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}:{secs:02d}"


class ProgressDisplay(Protocol):
    """Something that shows a running CDK command's progress."""

    def start(self, title: str, expected_total: int | None = None) -> None: ...

    def update(self, event: Progress) -> None: ...

    def finish(self, ok: bool, summary: str) -> None: ...


class _Counter:
    """The counters shared by every display: done/total from the events, elapsed time from the clock."""

    def __init__(self) -> None:
        self.title = ""
        self.done = 0
        self.total: int | None = None
        self.last = ""
        self.seen = False  # whether the command reported any CloudFormation event
        self.started = time.monotonic()

    def begin(self, title: str, expected_total: int | None) -> None:
        self.title, self.total, self.done, self.last, self.seen = title, expected_total, 0, "", False
        self.started = time.monotonic()

    def record(self, event: Progress) -> bool:
        """Take an event in; True when the counter moved."""
        before = (self.done, self.total)
        self.seen = True
        if event.total:
            self.total = event.total
        if event.done is not None:
            self.done = event.done
        self.last = f"{event.status} {event.resource}"
        return (self.done, self.total) != before

    @property
    def elapsed(self) -> str:
        return format_elapsed(time.monotonic() - self.started)

    def counts(self) -> str:
        """"3/16 resources", "3 resources", or "" for a command that reports none (synth, diff).

        The CLI's total counts the stack itself as one more step: left out here, so the bar counts what the
        summary after it names (16 resources created, not 17).
        """
        if self.total:
            resources = max(self.total - 1, 1)
            return f"{min(self.done, resources)}/{resources} resources"
        return f"{self.done} resources" if self.seen else ""


class NullProgress:
    """Shows nothing (scripts, tests)."""

    def start(self, title: str, expected_total: int | None = None) -> None:
        pass

    def update(self, event: Progress) -> None:
        pass

    def finish(self, ok: bool, summary: str) -> None:
        pass


class TextProgress:
    """A plain text bar, one line whenever the counter moves, for consoles and kernels without ipywidgets."""

    width = 24

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream
        self._counter = _Counter()

    def _write(self, text: str) -> None:
        stream = self._stream or sys.stdout
        stream.write(text + "\n")
        stream.flush()

    def start(self, title: str, expected_total: int | None = None) -> None:
        self._counter.begin(title, expected_total)
        self._write(f"▶ {title}")

    def update(self, event: Progress) -> None:
        if self._counter.record(event):
            self._write(self._bar())

    def _bar(self) -> str:
        counter = self._counter
        filled = min(self.width, self.width * counter.done // counter.total) if counter.total else 0
        bar = "#" * filled + "." * (self.width - filled)
        return f"[{bar}] {counter.counts() or '0 resources'} · {counter.elapsed}"

    def finish(self, ok: bool, summary: str) -> None:
        mark = "✔" if ok else "✖"
        self._write(f"{mark} {self._counter.title}: {summary} ({self._counter.elapsed})")


# Displays finished in this kernel, by title ("cdk deploy S"): the caller folds its own details under their line.
_FINISHED: dict[str, WidgetProgress] = {}


def finished(title: str, *, since: float = 0.0) -> WidgetProgress | None:
    """The widget display that finished `title` after it started at or after `since` (time.monotonic()), once;
    None in a text console, or if none did."""
    display = _FINISHED.pop(title, None)
    return display if display is not None and display.started_at >= since else None


class WidgetProgress:
    """An ipywidgets IntProgress and Label, refreshed by the events and by a one-second clock; once the command
    ends, one line in its place, everything else folded under it.

    Fed by the stack's own events (timestamped), a deploy that succeeds says what CloudFormation built and how fast,
    and folds the resource-by-resource view under its line; `fold_in` adds the caller's own details (the CLI's
    output, the stack's outputs). A synth that succeeds leaves nothing: the deploy's line speaks for both.
    """

    def __init__(self) -> None:
        import ipywidgets

        self._counter = _Counter()
        self._stack_events: list[Progress] = []
        self.bar = ipywidgets.IntProgress(value=0, min=0, max=1, bar_style="info")
        self.label = ipywidgets.Label(value="")
        self.box = ipywidgets.HBox([self.bar, self.label])
        self.box.add_class("cdk-progress")
        self.widget = ipywidgets.VBox([self.box])
        self.line_html = ""  # what stays once the command ended (also what an HTML copy shows)
        self.sections: list[tuple[str, str]] = []
        self._ok = True
        self.built = ""  # what CloudFormation built, once finished ("16 resources created in ..."; "": nothing)
        self._headline = ""
        self._handle: Any = None
        self.started_at = 0.0
        self._stop = threading.Event()
        self._clock: threading.Thread | None = None
        self._lock = threading.Lock()

    def start(self, title: str, expected_total: int | None = None) -> None:
        from IPython.display import display

        self._counter.begin(title, expected_total)
        self.started_at = time.monotonic()
        self._stack_events = []
        self._refresh()
        # The live bar, with an empty static copy: a saved or exported page shows only the final line.
        bundle = {**(self.widget._repr_mimebundle_() or {}), "text/html": ""}
        self._handle = display(bundle, raw=True, display_id=True)
        self._clock = threading.Thread(target=self._tick, name="cdk-progress-clock", daemon=True)
        self._clock.start()

    def _tick(self) -> None:
        while not self._stop.wait(1.0):
            self._refresh()

    def _refresh(self, final: str | None = None) -> None:
        counter = self._counter
        with self._lock:
            total = counter.total or max(counter.done, 1)
            self.bar.max = total
            self.bar.value = min(counter.done, total)
            parts = (counter.title, counter.counts(), counter.elapsed, final or counter.last)
            self.label.value = " · ".join(part for part in parts if part)

    def update(self, event: Progress) -> None:
        with self._lock:  # the stack's events come from another thread than the clock's
            self._counter.record(event)
            if event.timestamp is not None:
                self._stack_events.append(event)
        self._refresh()

    def finish(self, ok: bool, summary: str) -> None:
        self._stop.set()
        self.bar.bar_style = "success" if ok else "danger"
        self._refresh(final=summary)  # the count as the events left it: a resource never reported is not counted
        if ok:  # full, also for a command that counts no resources (synth, diff)
            self.bar.value = self.bar.max
        self._ok = ok
        self._headline, self.sections = self._final_line(ok, summary)
        self._show_line()
        _FINISHED[self._counter.title] = self

    def _final_line(self, ok: bool, summary: str) -> tuple[str, list[tuple[str, str]]]:
        counter, where = self._counter, _target_name()
        took = format_seconds(time.monotonic() - counter.started)
        if not ok:
            return f"{counter.title} failed after {took}: {summary}", []
        built = self.built = build_summary(self._stack_events, target=where)
        if not built:
            return f"{counter.title} took {took}: {summary}", []
        if where != "aws" and not counter.title.startswith("cdk destroy"):
            built += " (on AWS the same resources take minutes)"
        headline = f"{counter.title} took {took}: {built}"
        return headline, [("How CloudFormation built it, resource by resource",
                           build_details_html(self._stack_events, target=where))]

    def fold_in(self, sections: list[tuple[str, str]], *, headline: str = "") -> None:
        """Add (title, HTML) sections under the final line (and replace what its headline says after the colon)."""
        self.sections = [*self.sections, *sections]
        if headline:
            self._headline = self._headline.split(": ", 1)[0] + ": " + headline
        self._show_line()

    def _show_line(self) -> None:
        synth_done = self._ok and self._counter.title.startswith("cdk synth")
        self.line_html = "" if synth_done else command_line_html(self._headline, self.sections, ok=self._ok)
        if self._handle is not None:
            self._handle.update({"text/html": self.line_html, "text/plain": "" if synth_done else self._headline},
                                raw=True)


def _target_name() -> str:
    """"local", "aws" or "emulator": where the events were recorded, for the view's comparison with AWS."""
    from workshop_utils.cloud import target  # here, not at the top: parsing the CLI's lines needs no boto3 (start-up)

    return "emulator" if target.endpoint_override() else target.current()


def in_widget_kernel() -> bool:
    """True inside a Jupyter kernel where ipywidgets can be imported."""
    try:
        from IPython import get_ipython

        shell: Any = get_ipython()
        if shell is None or not hasattr(shell, "kernel"):
            return False
        import ipywidgets  # noqa: F401
    except ImportError:
        return False
    return True


def make_display(kind: str = "auto") -> ProgressDisplay:
    """ "auto" (widgets in a kernel, text otherwise), "widget", "text" or "none"."""
    if kind == "none":
        return NullProgress()
    if kind == "widget" or (kind == "auto" and in_widget_kernel()):
        return WidgetProgress()
    return TextProgress()
