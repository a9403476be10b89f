"""Parsing the aggregator's records: aggregate lines and OnFailure records."""

import json

from workshop_utils.quotes.aggregates import failure_summary, parse_aggregate_line


def test_aggregate_line_is_found_behind_the_runtime_prefix():
    document = {"uuid": "u1", "status": "timed_out", "missing_vendors": ["Hertz"]}
    line = "[INFO]\t2026-11-27T10:00:00.000Z\treq-1\taggregate: " + json.dumps(document)
    assert parse_aggregate_line(line) == document
    assert parse_aggregate_line("quotes: []") is None
    assert parse_aggregate_line("aggregate: {not json") is None


def test_failure_summary_names_function_reason_and_attempts():
    record = {
        "requestContext": {
            "functionArn": "arn:aws:lambda:us-east-1:123456789012:function:Stack-ResponderHertz-ABC:$LATEST",
            "condition": "RetriesExhausted",
            "approximateInvokeCount": 3,
        },
        "requestPayload": {"data": {"uuid": "u1"}},
        "responsePayload": {"errorType": "VendorUnavailableError", "errorMessage": "Vendor Hertz is unavailable"},
    }
    assert failure_summary(record) == {
        "function": "Stack-ResponderHertz-ABC",
        "condition": "RetriesExhausted",
        "attempts": 3,
        "error": "VendorUnavailableError",
        "message": "Vendor Hertz is unavailable",
        "request": {"data": {"uuid": "u1"}},
    }


def test_an_aggregator_invocation_is_named_by_the_event_source_it_served():
    from workshop_utils.quotes.aggregates import aggregator_invocation_label

    quotes = ['quotes: [{"uuid": "u1", "vendor": "Avis"}]',
              'aggregate: ' + json.dumps({"uuid": "u1", "status": "complete"})]
    late_deadline = ["deadline of request u1 passed: it was already aggregated"]
    timed_out = ['quotes: []', 'aggregate: ' + json.dumps({"uuid": "u1", "status": "timed_out"})]
    assert aggregator_invocation_label(quotes, "u1") == "Aggregator (quotes)"
    assert aggregator_invocation_label(late_deadline, "u1") == "Aggregator (deadline)"
    assert aggregator_invocation_label(timed_out, "u1") == "Aggregator (deadline)"
