"""Turn an execution history or Lambda log events into timeline bars (label, start ms, end ms); pure."""

from __future__ import annotations

import re
from datetime import datetime

Bar = tuple[str, float, float]
_START = re.compile(r"^START RequestId: (\S+)")
_END = re.compile(r"^END RequestId: (\S+)")


def _ms(value: datetime | str | float) -> float:
    if isinstance(value, datetime):
        return value.timestamp() * 1000
    if isinstance(value, str):
        return datetime.fromisoformat(value).timestamp() * 1000
    return float(value)


def execution_bars(history: list[dict]) -> list[Bar]:
    """One bar per state, from its Entered event to its Exited event, relative to the first event."""
    if not history:
        return []
    origin = _ms(history[0]["timestamp"])
    entered: dict[str, float] = {}
    bars: list[Bar] = []
    for event in history:
        at = _ms(event["timestamp"]) - origin
        if event["type"].endswith("StateEntered"):
            entered[event["stateEnteredEventDetails"]["name"]] = at
        elif event["type"].endswith("StateExited"):
            name = event["stateExitedEventDetails"]["name"]
            bars.append((name, entered.pop(name, at), at))
    end = _ms(history[-1]["timestamp"]) - origin
    bars.extend((name, start, end) for name, start in entered.items())  # still open: failed or running
    return sorted(bars, key=lambda bar: bar[1])


def invocation_bars(events: list[dict], *, label: str, needle: str, origin_ms: float) -> list[Bar]:
    """One bar per Lambda invocation (START to END) whose log lines mention `needle`."""
    spans: dict[str, list[float]] = {}
    mentions: set[str] = set()
    # A worker runs one invocation at a time, so within one log stream the lines between START and END
    # belong to that invocation; streams of concurrent workers interleave, so follow each on its own.
    current: dict[str, str | None] = {}
    for event in sorted(events, key=lambda e: e["timestamp"]):
        stream, message = event.get("logStreamName", ""), event["message"]
        if match := _START.match(message):
            current[stream] = match.group(1)
            spans[match.group(1)] = [event["timestamp"], event["timestamp"]]
        elif match := _END.match(message):
            if match.group(1) in spans:
                spans[match.group(1)][1] = event["timestamp"]
            current[stream] = None
        elif needle in message and current.get(stream):
            mentions.add(current[stream])
    return [
        (label, start - origin_ms, end - origin_ms)
        for request_id, (start, end) in spans.items()
        if request_id in mentions
    ]
