"""Turn an execution history or Lambda log events into timeline bars (label, start ms, end ms); pure."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime

Bar = tuple[str, float, float]
START_LINE = re.compile(r"^START RequestId: (\S+)")
END_LINE = re.compile(r"^END RequestId: (\S+)")
# CDK's logical ids of the stacks' functions: "RequesterFunction1907AB88", "ResponderAvisFunction2B3C4D5E", ...
_FUNCTION_ID = re.compile(r"^(?P<role>Requester|Responder(?P<vendor>\w+?)|Aggregator)Function[0-9A-F]{8}$")
_RESPONDER_STATE = re.compile(r"^Responder(?P<vendor>\w+?)(?P<caught>Failed)?$")


def to_ms(value: datetime | str | float) -> float:
    """A timestamp (datetime, ISO text or epoch milliseconds) in epoch milliseconds."""
    if isinstance(value, datetime):
        return value.timestamp() * 1000
    if isinstance(value, str):
        return datetime.fromisoformat(value).timestamp() * 1000
    return float(value)


def logged_json(message: str, prefix: str) -> object:
    """The JSON a log line carries after `prefix` (wherever the runtime's own prefix puts it), else None."""
    if prefix not in message:
        return None
    try:
        return json.loads(message.split(prefix, 1)[1])
    except json.JSONDecodeError:
        return None


def role_label(logical_id: str) -> str:
    """The role (and vendor) a function or a state plays: "Requester", "Responder · Avis", "Parallel state"."""
    if match := _FUNCTION_ID.match(logical_id):
        vendor = match.group("vendor")
        return f"Responder · {vendor}" if vendor else match.group("role")
    if match := _RESPONDER_STATE.match(logical_id):
        caught = " (caught)" if match.group("caught") else ""
        return f"Responder · {match.group('vendor')}{caught}"
    return "Parallel state" if logical_id == "Parallel" else logical_id


def execution_bars(history: list[dict], *, attempts: dict[str, int] | None = None) -> list[Bar]:
    """One bar per state, from its Entered event to its Exited event, relative to the first event, labelled
    by role; a task attempted more than once (`attempts`, by state name) says how many times."""
    if not history:
        return []
    origin = to_ms(history[0]["timestamp"])
    entered: dict[str, float] = {}
    spans: list[tuple[str, float, float]] = []
    for event in history:
        at = to_ms(event["timestamp"]) - origin
        if event["type"].endswith("StateEntered"):
            entered[event["stateEnteredEventDetails"]["name"]] = at
        elif event["type"].endswith("StateExited"):
            name = event["stateExitedEventDetails"]["name"]
            spans.append((name, entered.pop(name, at), at))
    end = to_ms(history[-1]["timestamp"]) - origin
    spans.extend((name, start, end) for name, start in entered.items())  # still open: failed or running

    def label(name: str) -> str:
        count = (attempts or {}).get(name, 1)
        return role_label(name) + (f" · {count} attempts" if count > 1 else "")

    return sorted(((label(name), start, stop) for name, start, stop in spans), key=lambda bar: bar[1])


def execution_span_ms(history: list[dict]) -> float | None:
    """From the first state entered to the last one left: what the Parallel lane of a timeline calls end to end,
    and what an execution's banner says it took, so the two never differ."""
    bars = execution_bars(history)
    return (max(bar[2] for bar in bars) - min(bar[1] for bar in bars)) if bars else None


@dataclass
class Invocation:
    """One run of a function as its log shows it: START to END, with the lines it logged in between."""

    request_id: str
    start_ms: float
    end_ms: float
    lines: list[str] = field(default_factory=list)


def invocations(events: list[dict], *, needle: str) -> list[Invocation]:
    """Every invocation (START to END) whose log lines mention `needle`, in start order.

    A retried asynchronous invocation keeps its request id, so each START begins a new invocation: counting
    them counts the attempts Lambda made.
    """
    found: list[Invocation] = []
    # A worker runs one invocation at a time, so within one log stream the lines between START and END
    # belong to that invocation; streams of concurrent workers interleave, so follow each on its own.
    current: dict[str, Invocation | None] = {}
    for event in sorted(events, key=lambda e: e["timestamp"]):
        stream, message = event.get("logStreamName", ""), event["message"]
        if match := START_LINE.match(message):
            current[stream] = Invocation(match.group(1), event["timestamp"], event["timestamp"])
            found.append(current[stream])
        elif END_LINE.match(message):
            if (running := current.get(stream)) is not None:
                running.end_ms = event["timestamp"]
            current[stream] = None
        elif (running := current.get(stream)) is not None:
            running.lines.append(message)
    return [invocation for invocation in found if any(needle in line for line in invocation.lines)]


def invocation_bars(events: list[dict], *, label: str, needle: str, origin_ms: float) -> list[Bar]:
    """One bar per Lambda invocation (START to END) whose log lines mention `needle`."""
    return [
        (label, invocation.start_ms - origin_ms, invocation.end_ms - origin_ms)
        for invocation in invocations(events, needle=needle)
    ]
