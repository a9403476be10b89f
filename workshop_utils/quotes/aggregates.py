"""Read the SNS stack's Aggregator results and recorded failures on the current target, as plain data."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from workshop_utils.cloud import stacks, target
from workshop_utils.cloud.logs import fetch_log_events, function_log_group, poll_interval
from workshop_utils.quotes import failures as quote_failures
from workshop_utils.quotes import timelines, triggers

AGGREGATE_PREFIX = "aggregate: "


def parse_aggregate_line(message: str) -> dict | None:
    """The JSON document of an `aggregate: {...}` log line (wherever the runtime's prefix puts it)."""
    document = timelines.logged_json(message, AGGREGATE_PREFIX)
    return document if isinstance(document, dict) else None


def find_aggregate(handle: triggers.SnsQuoteHandle, log_group: str | None = None) -> dict | None:
    """This request's aggregate if the aggregator has logged it, else None."""
    for event in fetch_log_events(log_group or triggers.aggregator_log_group(), start_ms=handle.sent_at_ms - 1000):
        document = parse_aggregate_line(event["message"])
        if document and document.get("uuid") == handle.uuid:
            return document
    return None


def wait_for_aggregate(
    handle: triggers.SnsQuoteHandle, *, timeout_s: float | None = None, watch: Callable[[], None] | None = None
) -> dict:
    """Block until the aggregator logs this request's one aggregate (complete, or timed out at the deadline);
    `watch` is called between looks, e.g. to redraw what has happened so far."""
    outputs = stacks.stack_outputs(stacks.SNS_STACK)
    deadline_s = float(outputs.get("AggregationDeadlineSeconds", 10))
    limit = timeout_s if timeout_s is not None else deadline_s + 20
    group = triggers.aggregator_log_group()
    give_up = time.monotonic() + limit
    while time.monotonic() < give_up:
        document = find_aggregate(handle, group)
        if document is not None:
            return document
        if watch is not None:
            watch()
        time.sleep(poll_interval())
    raise triggers.QuoteTimeout(
        f"No aggregate for request {handle.uuid} after {limit:.0f} s, although the deadline is "
        f"{deadline_s:.0f} s: look at the aggregator's log below, then send the request again."
    )


def invocation_lanes(handle: triggers.SnsQuoteHandle) -> list[tuple[str, float, float]]:
    """Timeline bars of the SNS stack's invocations that handled this request, relative to when it was sent,
    labelled by role: "Requester", "Responder · Avis" (with the attempt when Lambda retried it), and the
    aggregator's two kinds of invocation, "Aggregator (quotes)" and "Aggregator (deadline)"."""
    bars = []
    for logical_id, function in stack_functions(stacks.SNS_STACK).items():
        events = fetch_log_events(function_log_group(function), start_ms=handle.sent_at_ms - 1000)
        found = timelines.invocations(events, needle=handle.uuid)
        role = timelines.role_label(logical_id)
        for attempt, invocation in enumerate(found, start=1):
            label = role
            if role == "Aggregator":
                label = aggregator_invocation_label(invocation.lines, handle.uuid)
            elif len(found) > 1:
                label = f"{role} · attempt {attempt}"
            bars.append((label, invocation.start_ms - handle.sent_at_ms, invocation.end_ms - handle.sent_at_ms))
    return sorted(bars, key=lambda bar: bar[1])


def stack_functions(stack: str) -> dict[str, str]:
    """The stack's functions, {logical id: function name}."""
    return {
        r["LogicalResourceId"]: r["PhysicalResourceId"]
        for r in stacks.stack_resources(stack)
        if r["ResourceType"] == "AWS::Lambda::Function"
    }


def aggregator_invocation_label(lines: list[str], correlation_id: str) -> str:
    """Which of its two event sources an aggregator invocation served for this request: the quotes (from the
    aggregation queue) or the request's deadline message (from the deadline queue, sent at scatter time)."""
    for line in lines:
        document = parse_aggregate_line(line)
        deadline_line = f"deadline of request {correlation_id}" in line
        if deadline_line or (document and document.get("uuid") == correlation_id and
                             document.get("status") == "timed_out"):
            return "Aggregator (deadline)"
    return "Aggregator (quotes)"


def responder_attempts(handle: triggers.SnsQuoteHandle) -> dict[str, int]:
    """How many times Lambda ran each vendor's responder for this request, counted from its START lines."""
    attempts = {}
    for logical_id, function in stack_functions(stacks.SNS_STACK).items():
        role = timelines.role_label(logical_id)
        if role.startswith("Responder · "):
            events = fetch_log_events(function_log_group(function), start_ms=handle.sent_at_ms - 1000)
            attempts[role.removeprefix("Responder · ")] = len(timelines.invocations(events, needle=handle.uuid))
    return attempts


def _attribute(value: dict) -> object:
    ((kind, raw),) = value.items()
    return float(raw) if kind == "N" else raw


def table_items(correlation_id: str) -> list[dict]:
    """The aggregates table's items for one request: a QUOTE#<vendor> item per answer, then AGGREGATE."""
    table = stacks.stack_outputs(stacks.SNS_STACK)["AggregatesTableName"]
    response = target.client("dynamodb").query(
        TableName=table,
        KeyConditionExpression="#u = :u",
        ExpressionAttributeNames={"#u": "uuid"},
        ExpressionAttributeValues={":u": {"S": correlation_id}},
    )
    items = [{key: _attribute(value) for key, value in item.items()} for item in response["Items"]]
    for item in items:  # the quote and the aggregate are stored as JSON strings; show them as objects
        for key in ("quote", "aggregate"):
            if isinstance(item.get(key), str):
                item[key] = json.loads(item[key])
    return items


def failure_records(*, since_ms: int = 0, max_messages: int = 10) -> list[dict]:
    """OnFailure records in the failed-invocations queue, newest last; peeked, not consumed."""
    url = stacks.stack_outputs(stacks.SNS_STACK)["FailedInvocationsQueueUrl"]
    records = [m["Body"] for m in quote_failures.peek_messages(url, max_messages=max_messages)]
    return sorted((r for r in records if isinstance(r, dict) and _record_time_ms(r) >= since_ms), key=_record_time_ms)


def _record_time_ms(record: dict) -> int:
    from datetime import datetime

    stamp = record.get("timestamp")
    try:
        return int(datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp() * 1000)
    except (AttributeError, ValueError):
        return 0


def failure_summary(record: dict) -> dict:
    """What a learner needs from an OnFailure record: which function, why, after how many attempts."""
    context = record.get("requestContext", {})
    payload = record.get("responsePayload") or {}
    return {
        "function": context.get("functionArn", "").split(":function:")[-1].split(":")[0],
        "condition": context.get("condition"),
        "attempts": context.get("approximateInvokeCount"),
        "error": payload.get("errorType") if isinstance(payload, dict) else None,
        "message": payload.get("errorMessage") if isinstance(payload, dict) else str(payload),
        "request": record.get("requestPayload"),
    }
