"""Result views and helpers: destination records found in log lines, tables."""

import json

from workshop_utils.cloud.stacks import Resource
from workshop_utils.teaching.prerequisites import Check
from workshop_utils.ui import views

RECORD = {
    "version": "1.0",
    "requestContext": {"requestId": "r1", "condition": "Success", "approximateInvokeCount": 1},
    "requestPayload": {"data": {"car_type": "XL", "days_rental": 2}},
    "responsePayload": {"statusCode": 200, "body": json.dumps({"data": {"uuid": "u-42"}})},
}


def test_destination_record_is_found_inside_an_sns_event_log_line():
    sns_event = {"Records": [{"EventSource": "aws:sns", "Sns": {"Message": json.dumps(RECORD)}}]}
    line = "[INFO] received event: " + json.dumps(sns_event)
    assert views.destination_record_in(line, "u-42") == RECORD


def test_destination_record_needs_the_uuid_and_json():
    assert views.destination_record_in("received event: " + json.dumps(RECORD), "other") is None
    assert views.destination_record_in("u-42 but no json", "u-42") is None


def test_checks_table_has_green_ticks_red_crosses_and_every_rows_fix():
    page = views.checks_html([Check("Node", True, "v20", "install node"), Check("CDK", False, "missing", "make setup")])
    assert '<b style="color:#1a7f37">✔</b>' in page and '<b style="color:#cf222e">✘</b>' in page
    assert '<span style="color:#59636e">install node</span>' in page  # greyed: not needed now
    assert '<b style="color:#cf222e">make setup</b>' in page


def test_resources_table_and_empty_message():
    assert "Nothing." in views.resources_html([])
    page = views.resources_html([Resource("S", "AWS::SQS::Queue", "<q>")])
    assert "&lt;q&gt;" in page


CAUSE = json.dumps({
    "errorMessage": "Vendor Hertz is unavailable.", "errorType": "VendorUnavailableError", "requestId": "r",
    "stackTrace": ['  File "app.py", line 29, in lambda_handler\n    raise VendorUnavailableError(\n'],
})


def test_an_error_banner_reads_type_and_message_and_folds_the_stack_trace():
    page = views.error_banner_html("Execution FAILED in 96 ms", "VendorUnavailableError", CAUSE)
    banner, folded = page.split("<details", 1)
    assert "Execution FAILED in 96 ms: VendorUnavailableError: Vendor Hertz is unavailable." in banner
    assert "stackTrace" not in page and "\\n" not in page
    assert "Stack trace (2 lines)" in folded and "raise VendorUnavailableError(" in folded


def test_an_error_without_json_cause_is_shown_as_it_is():
    assert views.error_parts("States.Timeout", "took too long") == ("States.Timeout", "took too long", [])


def test_columns_sit_side_by_side_where_the_width_allows_without_script():
    page = views.columns_html("<p>left</p>", "<p>right</p>")
    assert "display:flex;flex-wrap:wrap" in page and page.count('class="column"') == 2
    assert "<script" not in page


def test_a_failure_record_shows_who_failed_and_folds_the_record():
    record = {"requestContext": {"condition": "RetriesExhausted", "approximateInvokeCount": 3},
              "responsePayload": json.loads(CAUSE)}
    summary = {"function": "Responder · Hertz", "condition": "RetriesExhausted", "attempts": 3,
               "error": "VendorUnavailableError"}
    page = views.failure_record_html(summary, record)
    assert "Responder · Hertz: RetriesExhausted after 3 attempt(s)" in page
    assert "VendorUnavailableError: Vendor Hertz is unavailable." in page
    assert page.index("<details") < page.index("approximateInvokeCount")


def test_a_failed_execution_says_why_it_has_no_quotes_and_what_failed():
    from datetime import UTC, datetime

    from workshop_utils.quotes.triggers import ParallelExecution

    at = datetime(2026, 11, 29, tzinfo=UTC)
    history = [
        {"id": 1, "type": "ExecutionStarted", "timestamp": at, "previousEventId": 0},
        {"id": 2, "type": "TaskStateEntered", "timestamp": at, "previousEventId": 1,
         "stateEnteredEventDetails": {"name": "Requester"}},
        {"id": 3, "type": "TaskScheduled", "timestamp": at, "previousEventId": 2},
        {"id": 4, "type": "TaskFailed", "timestamp": at, "previousEventId": 3,
         "taskFailedEventDetails": {"error": "InvalidQuoteRequest"}},
        {"id": 5, "type": "ExecutionFailed", "timestamp": at, "previousEventId": 4},
    ]
    definition = {"StartAt": "Requester", "States": {"Requester": {"Type": "Task", "Resource": "x", "End": True}}}
    execution = ParallelExecution("arn", "FAILED", {}, None, "InvalidQuoteRequest", CAUSE, definition, history, at, at)
    page = views.parallel_result_html(execution)
    assert "No quotes yet" not in page
    assert "No quotes: the execution failed, so it has no output." in page
    assert "Requester failed at its first attempt, with no retry (InvalidQuoteRequest)" in page


def test_sentences_show_their_commands_as_code_not_backticks():
    from workshop_utils.render.refactoring import jobs_table_html

    assert "<code>make lab</code>" in views.message_html("Run `make lab` in a terminal.", kind="error")
    failed = Check(name="Node.js", ok=False, found="missing", fix="Install Node.js 22, then `make setup`.")
    assert "<code>make setup</code>" in views.checks_html([failed])
    assert "<code>aggregate:</code>" in jobs_table_html([["Gather", "the state", "the `aggregate:` line", "none"]])
    escaped = views.message_html("a <b> `x`")
    assert "`" not in escaped and "&lt;b&gt;" in escaped


def test_a_gathered_request_is_told_in_words_that_fit_its_vendor_count():
    from workshop_utils.quotes.triggers import SnsQuoteHandle, SnsQuoteResult

    handle = SnsQuoteHandle(uuid="u-1", requester_function="Requester", lambda_request_id="r-1", sent_at_ms=1_000,
                            request={})

    def told(vendors: int) -> str:
        quotes = [{"vendor": f"V{index}"} for index in range(vendors)]
        return views.sns_result_html(SnsQuoteResult(handle, quotes, vendors, arrived_at_ms=1_434))

    assert "The quote for request u-1 was logged by the aggregator 434 ms after" in told(1)
    assert "Both quotes for request u-1 were logged" in told(2)
    assert "All 3 quotes for request u-1 were logged" in told(3)
