"""Run one request through each pattern, reporting frames on the click's clock, and say how it ended."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from workshop_utils.cloud.logs import now_ms
from workshop_utils.quotes.request import QuoteRequest
from workshop_utils.stage import lanes as lane_model

# show(**changes): the fields of the side's SideView that changed (lanes, status, state, now_ms, ...).
Show = Callable[..., None]


# follow(show, current): keeps drawing what happens after the side ended while current() is True.
Follow = Callable[[Show, Callable[[], bool]], None]


@dataclass
class Outcome:
    """How one side ended: its quotes, the vendors it has none from, and when, since the click; `follow`,
    when set, watches what still happens afterwards (the SNS deadline, which fires even when all quotes came)."""

    quotes: list[dict]
    missing: list[str]
    end_ms: float | None
    follow: Follow | None = field(default=None, compare=False)

    @property
    def complete(self) -> bool:
        return not self.missing


class Throttle:
    """True at most once per `every_s` seconds (the first time at once): redraws without flooding the page."""

    def __init__(self, every_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.every_s = every_s
        self.clock = clock
        self._last: float | None = None

    def due(self) -> bool:
        now = self.clock()
        if self._last is not None and now - self._last < self.every_s:
            return False
        self._last = now
        return True


def live_refresh_s() -> float:
    """How often a side redraws while its request runs: often locally; on AWS, within the APIs' rate limits."""
    from workshop_utils.cloud import target

    return 0.2 if target.current() == "local" else 3.0


def _vendors(stack: str) -> list[str]:
    from workshop_utils.cloud import stacks

    prefix = "ResponderFunctionName"
    return [key[len(prefix):] for key in stacks.stack_outputs(stack) if key.startswith(prefix)]


def _seconds(ms: float) -> str:
    return f"{ms / 1000:.1f} s"


def parallel_rows(vendors: list[str]) -> list[str]:
    return ["Requester", "Parallel (waits for all)", *(f"Responder · {vendor}" for vendor in vendors)]


def sns_rows(vendors: list[str]) -> list[str]:
    return ["Requester", *(f"Responder · {vendor}" for vendor in vendors), "Aggregator (quotes)",
            "Aggregator (deadline)"]


def parallel_side(request: QuoteRequest, click_ms: float, show: Show) -> Outcome:
    """Start the execution and draw its states on the click's clock until it stops."""
    from workshop_utils.cloud import stacks
    from workshop_utils.quotes import triggers

    vendors = _vendors(stacks.PARALLEL_STACK)
    show(rows=parallel_rows(vendors), state="running", status="Running: the state machine calls every vendor...")
    redraw = Throttle(live_refresh_s())

    def frame(_definition: dict, history: list[dict]) -> None:
        if redraw.due():
            now = now_ms()
            show(lanes=lane_model.parallel_lanes(history, click_ms=click_ms, now_ms=now), now_ms=now - click_ms,
                 status=f"Running · {_seconds(now - click_ms)} since the click")

    execution = triggers.request_parallel_quote(request, watch=frame)
    end = lane_model.execution_end_ms(execution.history, click_ms=click_ms)
    caught = [error.get("vendor", "?") for error in (execution.output or {}).get("errors", []) or []]
    answered = {quote.get("vendor") for quote in execution.quotes}
    missing = caught or ([v for v in vendors if v not in answered] if execution.status == "SUCCEEDED" else vendors)
    took = _seconds(end) if end is not None else "?"
    if execution.status != "SUCCEEDED":
        status = f"{execution.status} at {took}: {execution.error or 'no quotes'}."
    elif caught:  # red on the page, so the words lead with what failed; SUCCEEDED is what Step Functions says
        status = (f"INCOMPLETE at {took}: {', '.join(caught)} failed, caught; the execution still SUCCEEDED "
                  f"with {len(execution.quotes)} quote(s).")
    else:
        status = f"SUCCEEDED at {took}: {len(execution.quotes)} quotes."
    show(lanes=lane_model.parallel_lanes(execution.history, click_ms=click_ms, now_ms=now_ms()), now_ms=None,
         status=status, state="done" if not missing else "failed", quotes=execution.quotes, missing=missing)
    return Outcome(execution.quotes, missing, end)


def _sns_functions() -> dict[str, str]:
    from workshop_utils.cloud import stacks

    outputs = stacks.stack_outputs(stacks.SNS_STACK)
    named = {"Requester": outputs["RequesterFunctionName"]}
    for vendor in _vendors(stacks.SNS_STACK):
        named[f"Responder · {vendor}"] = outputs[f"ResponderFunctionName{vendor}"]
    return named | {"Aggregator": outputs["AggregatorFunctionName"]}


def sns_side(request: QuoteRequest, click_ms: float, show: Show) -> Outcome:
    """Scatter the request, draw each invocation and message on the click's clock as it happens, then the
    aggregate; the deadline's own delivery, seconds later, is left to the outcome's `follow`."""
    from workshop_utils.cloud import stacks
    from workshop_utils.cloud.logs import fetch_log_events, function_log_group
    from workshop_utils.quotes import aggregates, triggers

    functions = _sns_functions()
    vendors = [label.split(" · ", 1)[1] for label in functions if label.startswith("Responder")]
    deadline_s = float(stacks.stack_outputs(stacks.SNS_STACK).get("AggregationDeadlineSeconds", 10))
    show(rows=sns_rows(vendors), state="running", deadline_ms=deadline_s * 1000,
         status="Scattering: the requester answers at once; the quotes arrive on their own...")
    handle = triggers.request_sns_quote(request)

    def seen() -> tuple[dict[str, list[lane_model.Invocation]], list[dict]]:
        found, aggregator_events = {}, []
        for label, function in functions.items():
            events = fetch_log_events(function_log_group(function), start_ms=int(click_ms) - 1000)
            found[label] = lane_model.invocations(events, handle.uuid)
            aggregator_events = events if label == "Aggregator" else aggregator_events
        return found, aggregator_events

    def picture(invocations: dict[str, list[lane_model.Invocation]]) -> dict:
        return {"lanes": lane_model.sns_lanes(invocations, click_ms=click_ms, now_ms=now_ms()),
                "messages": lane_model.sns_messages(invocations, click_ms=click_ms)}

    redraw = Throttle(live_refresh_s())

    def frame() -> None:
        if redraw.due():
            invocations, _ = seen()
            now = now_ms()
            left = max(0.0, deadline_s * 1000 - (now - click_ms))
            show(**picture(invocations), now_ms=now - click_ms,
                 status=f"Gathering · {_seconds(now - click_ms)} · deadline in {_seconds(left)}")

    aggregate = aggregates.wait_for_aggregate(handle, watch=frame)
    invocations, aggregator_events = seen()
    end = lane_model.aggregate_time_ms(aggregator_events, handle.uuid, click_ms=click_ms)
    quotes = list(aggregate.get("quotes") or [])
    missing = list(aggregate.get("missing_vendors") or [])
    took = _seconds(end) if end is not None else "?"
    if missing:
        status = f"TIMED OUT at {took} without {', '.join(missing)}: {len(quotes)} quote(s)."
    else:
        status = f"COMPLETE at {took}: {len(quotes)} quotes."
    drawn = picture(invocations)
    show(**drawn, now_ms=None, status=status, state="failed" if missing else "done", quotes=quotes, missing=missing)

    def follow(show_later: Show, current: Callable[[], bool]) -> None:
        """Until the deadline queue delivers this request's copy (the aggregator then finds it answered), or
        long after it should have: redraw when something new shows in the logs."""
        last, give_up = drawn, click_ms + deadline_s * 1000 + 30_000
        while current() and now_ms() < give_up and _deadline_on_its_way(last["messages"]):
            time.sleep(live_refresh_s())
            latest = picture(seen()[0])
            if latest != last and current():
                show_later(**latest)
                last = latest

    return Outcome(quotes, missing, end, follow=follow if _deadline_on_its_way(drawn["messages"]) else None)


def _deadline_on_its_way(messages: list[lane_model.Message]) -> bool:
    return any(message.kind == "deadline" and message.received_ms is None for message in messages)
