"""What the log cells show: a live tail of the aggregator, the functions' log events, a destination record."""

from __future__ import annotations

from workshop_utils.cloud import stacks
from workshop_utils.cloud.logs import fetch_log_events, function_log_group, now_ms
from workshop_utils.cloud.stacks import PARALLEL_STACK, SNS_STACK
from workshop_utils.quotes import aggregates, timelines, triggers
from workshop_utils.render import log_events_html
from workshop_utils.render.logs import FOLD_OVER_EVENTS
from workshop_utils.ui import cell_output, views
from workshop_utils.ui.widgets import LogTail


def aggregator_tail() -> LogTail:
    """A live tail of the aggregator's log group."""
    return LogTail(triggers.aggregator_log_group(), interval_s=0.5, title="Aggregator log")


def show_aggregator_tail() -> LogTail:
    """Show a live tail of the aggregator's log group from now on; what it shows stays as static HTML."""
    tail = aggregator_tail()
    tail.since_ms = now_ms()  # only what happens from now on: earlier requests are shown where they were sent
    cell_output.show_live(tail, [tail.state, tail.view], "The aggregator's log, as the tail last showed it")
    return tail


def show_log_events(events: list[dict], title: str) -> None:
    """Log events as a titled table."""
    cell_output.show(views.section(title, log_events_html(events, fold_over=FOLD_OVER_EVENTS)))


def show_function_logs(stack: str, role: str, *, since_ms: int) -> None:
    """The log events of the stack's functions whose logical id contains `role` (e.g. "Responder")."""
    for logical_id, function in aggregates.stack_functions(stack).items():
        if role.lower() not in logical_id.lower():
            continue
        events = fetch_log_events(function_log_group(function), start_ms=since_ms)
        show_log_events(events, f"Logs of {timelines.role_label(logical_id)} ({function})")


def show_responder_logs(execution: triggers.ParallelExecution) -> None:
    """The Parallel stack's responders' logs since this execution started."""
    show_function_logs(PARALLEL_STACK, "Responder", since_ms=int(execution.started_at.timestamp() * 1000) - 1000)


def show_destination_record(handle: triggers.SnsQuoteHandle) -> dict | None:
    """The Lambda destination record a responder received through SNS for this request."""
    for function in stacks.functions(SNS_STACK, "Responder"):
        for event in fetch_log_events(function_log_group(function), start_ms=handle.sent_at_ms - 1000):
            record = views.destination_record_in(event["message"], handle.uuid)
            if record:
                cell_output.show(views.section(f"Destination record received by {function}", views.json_html(record)))
                return record
    cell_output.message("No destination record found yet: send a request above, then re-run this cell.")
    return None
