"""What the request cells show: the form, a request sent, its execution, quotes, aggregate and failure records."""

from __future__ import annotations

from workshop_utils.quotes import aggregates, triggers
from workshop_utils.quotes.failure_rows import failure_records, failure_row, request_failures
from workshop_utils.quotes.request import parse_quote_form
from workshop_utils.render import execution_events_html, quotes_html, state_machine_svg
from workshop_utils.ui import cell_output, outcomes, views
from workshop_utils.ui.widgets import QuoteForm


def request_form(pattern: str) -> QuoteForm:
    """Show the request form for "parallel" or "sns"; its latest result stays in the notebook as static HTML."""
    form = QuoteForm(pattern)
    cell_output.show_live(form, [form.status, form.result_view], f"The form's latest result ({pattern})")
    return form


def send_parallel_request(car_type: str, days: int | str) -> triggers.ParallelExecution:
    """Send one request through the Parallel state machine and show how it ended."""
    execution = triggers.request_parallel_quote(parse_quote_form(car_type, days))
    cell_output.show(views.parallel_result_html(execution))
    return execution


def send_sns_request(car_type: str, days: int | str) -> triggers.SnsQuoteHandle:
    """Send one request through the SNS pattern and say it returned at once with its uuid."""
    handle = triggers.request_sns_quote(parse_quote_form(car_type, days))
    cell_output.message(f"Sent request {handle.uuid}; the requester answered 202 and returned at once.")
    return handle


def send_invalid_parallel(payload: object) -> triggers.ParallelExecution | None:
    """Start the Parallel state machine with any payload and show how it ends (or Step Functions' refusal)."""
    try:
        execution = triggers.run_parallel_payload(payload)
    except triggers.ExecutionInputRefused as refused:
        cell_output.message(str(refused), kind="error")
        return None
    cell_output.show(views.parallel_result_html(execution))
    return execution


def send_invalid_sns(payload: object) -> triggers.SnsQuoteHandle:
    """Invoke the SNS requester with any payload (it answers 202 all the same), and say so."""
    handle = triggers.send_sns_payload(payload)
    cell_output.message("Sent; Lambda answered 202 Accepted: the failure, if any, happens later.")
    return handle


def show_graph(execution: triggers.ParallelExecution) -> None:
    """The state machine coloured by this execution."""
    cell_output.show(views.section("State machine", state_machine_svg(execution.definition, execution.history)))


def show_output(execution: triggers.ParallelExecution) -> None:
    """The execution's output JSON."""
    cell_output.show(views.section("Execution output", views.json_html(execution.output)))


def show_events(execution: triggers.ParallelExecution) -> None:
    """The execution's events, each expandable."""
    cell_output.show(views.section("Execution events", execution_events_html(execution.history)))


def show_quotes(result: triggers.ParallelExecution | triggers.SnsQuoteResult) -> None:
    """The quotes of a result, best price marked."""
    cell_output.show(views.section("Quotes", quotes_html(result.quotes)))


def show_sns_result(result: triggers.SnsQuoteResult) -> None:
    """One SNS request's quotes and the aggregator lines that carried them."""
    cell_output.show(views.sns_result_html(result))


def wait_for_aggregate(handle: triggers.SnsQuoteHandle) -> dict:
    """Wait for this request's one aggregate, say how complete it is and show it."""
    document = aggregates.wait_for_aggregate(handle)
    kind = "success" if document.get("status") == "complete" else "error"
    missing = ", ".join(document.get("missing_vendors") or []) or "none"
    cell_output.message(f"Aggregate {document.get('status')}: missing vendors: {missing}.", kind=kind)
    cell_output.show(views.section("Aggregate", quotes_html(document.get("quotes", [])) + views.json_html(document)))
    return document


def show_table_items(handle: triggers.SnsQuoteHandle) -> None:
    """The aggregates table's items for one request."""
    items = aggregates.table_items(handle.uuid)
    cell_output.show(views.section(f"Table items for {handle.uuid}", views.json_html(items)))


def show_failure_records(*, since_ms: int, at_least: int, timeout_s: float, about: str | None) -> list[dict]:
    """The OnFailure records since a time (waiting for `at_least`), each with its summary; returns the rows."""
    records = failure_records(since_ms, at_least, timeout_s, about)
    rows = [failure_row(record) for record in records]
    if not rows:
        cell_output.message("No failure recorded since then.")
    for row, record in zip(rows, records, strict=True):
        cell_output.show(views.failure_record_html(row, record))
    return rows


def explain_sns_request(handle: triggers.SnsQuoteHandle, aggregate: dict) -> None:
    """Say what the SNS pattern did for this request: its aggregate, each vendor's attempts, its OnFailure records."""
    story = outcomes.sns_story(aggregate, aggregates.responder_attempts(handle), request_failures(handle, aggregate))
    cell_output.show(views.story_html(story, kind="success" if aggregate.get("status") == "complete" else "error"))
