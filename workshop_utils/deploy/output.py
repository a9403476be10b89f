"""What a learner reads of the CDK CLI's output: notices dropped, events in UTC under one header, outputs left out."""

from __future__ import annotations

import re
from collections.abc import Callable

from workshop_utils.deploy.progress import Progress, parse_progress

# Lines that tell a learner nothing about their deploy: hints for other commands, feature-flag notices,
# asset bookkeeping, timings (the progress bar shows the elapsed time) and bootstrap defaults. Errors,
# warnings and anything not listed here are kept.
_NOISE = tuple(
    re.compile(pattern)
    for pattern in (
        r"^Supply a stack id \(.*\) to display its template\.$",
        r"^\d+ feature flags? (?:are|is) not configured\..*$",
        r"^Successfully synthesized to .*$",
        r"^✨\s+(?:Synthesis|Deployment|Destroy|Total) time: .*$",
        r"^(?:\S+: )?(?:start|success): (?:Building|Built|Publishing|Published) .*$",
        r"^\S+: creating CloudFormation change ?set\.\.\.$",
        r"^\S+: (?:deploying|destroying)\.\.\. \[\d+/\d+\]$",
        r"^Trusted accounts for (?:deployment|lookup): .*$",
        r"^Using default execution policy of .*$",
        r"^Hold on while we create a read-only change set to get a diff.*$",
        r"^Could not create a change set, will base the diff on template differences.*$",
    )
)
# Blocks shown elsewhere: the stack outputs (in the outputs table, once) and the stack's ARN.
_OUTPUTS_HEADING = "Outputs:"
_OUTPUT_LINE = re.compile(r"^[A-Za-z][A-Za-z0-9-]*\.[A-Za-z0-9]+ = ")
_ARN_HEADING = "Stack ARN:"
_CLOCK_12H = re.compile(r"^(?P<h>\d{1,2}):(?P<m>\d\d):(?P<s>\d\d)\s*(?P<half>[AaPp])\.?\s*[Mm]\.?$")
TIME_COLUMN = "Time (UTC)"
_WIDTHS = (10, 20, 32)  # time, status, resource type


def is_noise(line: str) -> bool:
    """True for a CLI line that only distracts from the deploy a learner is watching."""
    text = line.strip()
    return any(pattern.match(text) for pattern in _NOISE)


def clock_24h(text: str) -> str:
    """The CLI's "5:58:33 PM" as "17:58:33" (24-hour times read like the logs'); other forms unchanged."""
    found = _CLOCK_12H.match(text.strip())
    if not found:
        return text.strip()
    hour = int(found["h"]) % 12 + (12 if found["half"].upper() == "P" else 0)
    return f"{hour:02d}:{found['m']}:{found['s']}"


def event_header() -> str:
    time_width, status_width, type_width = _WIDTHS
    return f"{TIME_COLUMN:<{time_width}}  {'Status':<{status_width}}  {'Resource type':<{type_width}}  Resource"


def event_line(event: Progress) -> str:
    """One CloudFormation event as a row under event_header() (the CLI runs with TZ=UTC, so times are UTC)."""
    time_width, status_width, type_width = _WIDTHS
    status = event.status + (" (skipped)" if event.skipped else "")
    text = f"{clock_24h(event.time):<{time_width}}  {status:<{status_width}}  {event.resource_type:<{type_width}}  "
    return (text + " ".join(part for part in (event.resource, event.reason) if part)).rstrip()


class LearnerView:
    """Feed it the CLI's lines one at a time; it answers what to show for each (often nothing)."""

    def __init__(self) -> None:
        self._header_shown = False
        self._in_outputs = False
        self._after_arn = False

    def lines_for(self, line: str) -> list[str]:
        text = line.rstrip()
        if self._after_arn:
            self._after_arn = False
            if text.startswith("arn:"):
                return []
        if self._in_outputs:
            if _OUTPUT_LINE.match(text):
                return []
            self._in_outputs = False
        if text == _OUTPUTS_HEADING:
            self._in_outputs = True
            return []
        if text == _ARN_HEADING:
            self._after_arn = True
            return []
        if not text.strip() or is_noise(text):
            return []
        event = parse_progress(text)
        if event is None:
            return [text]
        shown = [] if self._header_shown else [event_header()]
        self._header_shown = True
        return [*shown, event_line(event)]


def learner_printer(write: Callable[[str], None] = print) -> Callable[[str], None]:
    """An on_line callback that writes only what a learner should read."""
    view = LearnerView()

    def show(line: str) -> None:
        for shown in view.lines_for(line):
            write(shown)

    return show


def learner_text(text: str) -> str:
    """A whole CLI transcript, as a learner should read it."""
    view = LearnerView()
    return "\n".join(shown for line in text.splitlines() for shown in view.lines_for(line))
