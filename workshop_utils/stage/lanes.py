"""Both patterns' activity as lanes on one clock (milliseconds since the click), from plain data; pure."""

from __future__ import annotations

import re
from dataclasses import dataclass

from workshop_utils.quotes.timelines import END_LINE, START_LINE, logged_json, role_label, to_ms

RUNNING, DONE, FAILED, CAUGHT = "running", "done", "failed", "caught"
TIMED_OUT = "timed-out"  # the deadline wrote the aggregate without every quote
_FAILURE_MARKS = ("[ERROR]", '"errorType"', "is unavailable")
_REPORT_INIT = re.compile(r"^REPORT RequestId: (\S+).*Init Duration: ([\d.]+) ms")


@dataclass(frozen=True)
class Lane:
    """One bar: who (role and vendor), from when to when since the click, and how it went."""

    label: str
    start_ms: float
    end_ms: float
    status: str = DONE


def state_label(name: str) -> str:
    """The shared vocabulary for a Parallel state's name; a vendor's Catch state shares its task's lane."""
    return "Parallel (waits for all)" if name == "Parallel" else role_label(name).removesuffix(" (caught)")


def parallel_lanes(history: list[dict], *, click_ms: float, now_ms: float) -> list[Lane]:
    """One lane per state from its Entered to its Exited event; a state still open runs until `now_ms`.

    A caught vendor failure (the `Responder<V>Failed` Pass state) marks that vendor's lane as caught.
    """
    entered: dict[str, float] = {}
    lanes: list[Lane] = []
    for event in history:
        at = to_ms(event["timestamp"]) - click_ms
        if event["type"].endswith("StateEntered"):
            entered[event["stateEnteredEventDetails"]["name"]] = at
        elif event["type"].endswith("StateExited"):
            name = event["stateExitedEventDetails"]["name"]
            status = CAUGHT if name.startswith("Responder") and name.endswith("Failed") else DONE
            lanes.append(Lane(state_label(name), entered.pop(name, at), at, status))
    finished = history and history[-1]["type"].startswith("Execution") and "Started" not in history[-1]["type"]
    end = to_ms(history[-1]["timestamp"]) - click_ms if finished else now_ms - click_ms
    lanes += [Lane(state_label(name), start, max(start, end), FAILED if finished else RUNNING)
              for name, start in entered.items()]
    # The vendor's task exits normally once its error is caught: colour the whole vendor's lane as caught.
    caught = {lane.label for lane in lanes if lane.status == CAUGHT}
    lanes = [Lane(lane.label, lane.start_ms, lane.end_ms, CAUGHT) if lane.label in caught else lane for lane in lanes]
    return sorted(lanes, key=lambda lane: lane.start_ms)


def execution_end_ms(history: list[dict], *, click_ms: float) -> float | None:
    """When the execution stopped, since the click; None while it runs."""
    if history and history[-1]["type"] in ("ExecutionSucceeded", "ExecutionFailed", "ExecutionTimedOut",
                                           "ExecutionAborted"):
        return to_ms(history[-1]["timestamp"]) - click_ms
    return None


@dataclass(frozen=True)
class Invocation:
    """One Lambda invocation seen in a function's log: its span and the lines that mention the request."""

    request_id: str
    start_ms: float
    end_ms: float | None
    mentions: tuple[str, ...]
    failed: bool
    init_ms: float = 0.0  # the cold start before START (the REPORT line's Init Duration), 0 when warm


def invocations(events: list[dict], needle: str) -> list[Invocation]:
    """The invocations (START to END, END missing while running) whose log lines mention `needle`."""
    spans: dict[str, list] = {}
    current: dict[str, str | None] = {}
    cold: dict[str, float] = {}
    # A worker runs one invocation at a time, so within one log stream the lines between START and END
    # belong to that invocation; streams of concurrent workers interleave, so follow each on its own.
    for event in sorted(events, key=lambda e: e["timestamp"]):
        stream, message = event.get("logStreamName", ""), event["message"]
        if match := START_LINE.match(message):
            current[stream] = match.group(1)
            spans[match.group(1)] = [event["timestamp"], None, [], False]
        elif match := END_LINE.match(message):
            if match.group(1) in spans:
                spans[match.group(1)][1] = event["timestamp"]
            current[stream] = None
        elif (match := _REPORT_INIT.match(message)) and match.group(1) in spans:
            cold[match.group(1)] = float(match.group(2))
        elif (request_id := current.get(stream)) in spans:
            span = spans[request_id]
            span[3] = span[3] or any(mark in message for mark in _FAILURE_MARKS)
            if needle in message:
                span[2].append(message)
    return [Invocation(rid, start, end, tuple(lines), failed, cold.get(rid, 0.0))
            for rid, (start, end, lines, failed) in spans.items() if lines]


def sns_lanes(seen: dict[str, list[Invocation]], *, click_ms: float, now_ms: float) -> list[Lane]:
    """Lanes from each function's invocations, keyed by role label ("Requester", "Responder · Avis",
    "Aggregator"); the aggregator's invocations are told apart by what woke them: quotes or the deadline."""
    lanes = []
    for label, found in seen.items():
        for invocation in found:
            name = label
            ended = FAILED if invocation.failed else DONE
            if label == "Aggregator":
                name = "Aggregator (deadline)" if _woken_by_deadline(invocation) else "Aggregator (quotes)"
                # The deadline's batch ran fine, but when it wrote a timed-out aggregate the request failed.
                ended = TIMED_OUT if ended == DONE and _timed_out(invocation) else ended
            # A cold start belongs to the lane, as a Task state's time includes it on the Parallel side.
            start = invocation.start_ms - invocation.init_ms - click_ms
            if invocation.end_ms is None:
                lanes.append(Lane(name, start, max(start, now_ms - click_ms), RUNNING))
            else:
                lanes.append(Lane(name, start, invocation.end_ms - click_ms, ended))
    return sorted(lanes, key=lambda lane: lane.start_ms)


def aggregate_time_ms(aggregator_events: list[dict], needle: str, *, click_ms: float) -> float | None:
    """When the aggregator logged this request's aggregate, since the click; None before it has."""
    stamps = [e["timestamp"] for e in aggregator_events if "aggregate: " in e["message"] and needle in e["message"]]
    return min(stamps) - click_ms if stamps else None


@dataclass(frozen=True)
class Message:
    """One message between two lanes, since the click: sent by `sender` at `sent_ms`, received by `receiver`
    at `received_ms` (None while it is still on its way). `via` says what carried it."""

    kind: str  # "scatter" (topic to a responder), "quote" (quotes queue), "deadline" (delayed queue)
    via: str
    sender: str
    receiver: str
    sent_ms: float
    received_ms: float | None


def _published_ms(invocation: Invocation) -> float | None:
    """When SNS accepted the scatter message this responder invocation received (the record's Timestamp)."""
    for line in invocation.mentions:
        event = logged_json(line, "received event: ")
        try:
            return to_ms(event["Records"][0]["Sns"]["Timestamp"])
        except (TypeError, KeyError, IndexError, ValueError):
            continue
    return None


def _quoted_vendors(invocation: Invocation) -> set[str]:
    """The vendors whose quotes an aggregator invocation received, from its `quotes: [...]` line."""
    vendors: set[str] = set()
    for line in invocation.mentions:
        quotes = logged_json(line, "quotes: ")
        vendors |= {quote.get("vendor") for quote in quotes or [] if isinstance(quote, dict)}
    return vendors


def _woken_by_deadline(invocation: Invocation) -> bool:
    # The deadline queue's batch logs "deadline of request ..." or a timed-out aggregate.
    return any("deadline" in line or "timed_out" in line for line in invocation.mentions)


def _timed_out(invocation: Invocation) -> bool:
    return any("aggregate: " in line and '"timed_out"' in line for line in invocation.mentions)


def sns_messages(seen: dict[str, list[Invocation]], *, click_ms: float) -> list[Message]:
    """The SNS side's messages, read from the same logs as its lanes: the scatter message from the topic to
    each responder (published at the SNS record's Timestamp, received at the responder's START); each quote
    from the responder's end (its OnSuccess destination) through the quotes queue to the aggregator
    invocation that logged it; and the copy of the scatter message the deadline queue holds back."""
    messages: list[Message] = []
    published: list[float] = []
    aggregator = sorted(seen.get("Aggregator", []), key=lambda invocation: invocation.start_ms)
    for label, found in seen.items():
        if not label.startswith("Responder · "):
            continue
        vendor = label.split(" · ", 1)[1]
        attempts = sorted(found, key=lambda invocation: invocation.start_ms)
        first = next((at for at in map(_published_ms, attempts) if at is not None), None)
        if first is not None and attempts:
            published.append(first)
            messages.append(Message("scatter", "SNS topic", "Requester", label, first - click_ms,
                                    attempts[0].start_ms - attempts[0].init_ms - click_ms))
        answered = next((a for a in attempts if a.end_ms is not None and not a.failed), None)
        if answered is None:
            continue
        gathered = next((a for a in aggregator if not _woken_by_deadline(a) and vendor in _quoted_vendors(a)), None)
        messages.append(Message("quote", "quotes queue", label, "Aggregator (quotes)", answered.end_ms - click_ms,
                                None if gathered is None else gathered.start_ms - gathered.init_ms - click_ms))
    if published:
        woken = next((a for a in aggregator if _woken_by_deadline(a)), None)
        arrived = None if woken is None else woken.start_ms - woken.init_ms - click_ms
        messages.append(Message("deadline", "deadline queue", "Requester", "Aggregator (deadline)",
                                min(published) - click_ms, arrived))
    return sorted(messages, key=lambda message: message.sent_ms)


def replay_messages(messages: list[Message], at_ms: float) -> list[Message]:
    """The measured messages as they stood `at_ms` after the click: sent ones only, those not yet received
    still on their way."""
    return [
        Message(m.kind, m.via, m.sender, m.receiver, m.sent_ms,
                m.received_ms if m.received_ms is not None and m.received_ms <= at_ms else None)
        for m in messages
        if m.sent_ms <= at_ms
    ]


def replay_frame(lanes: list[Lane], at_ms: float) -> list[Lane]:
    """The measured lanes as they stood `at_ms` after the click: started ones only, the unfinished running."""
    return [
        Lane(lane.label, lane.start_ms, min(lane.end_ms, at_ms), RUNNING if lane.end_ms > at_ms else lane.status)
        for lane in lanes
        if lane.start_ms <= at_ms
    ]
