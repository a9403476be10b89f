"""Where an SNS quote request that did not complete failed: its failed aggregate, the aggregator's log, the
failed-invocations (OnFailure) queue or the aggregator's dead-letter queue, said in one sentence."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from workshop_utils.cloud import target
from workshop_utils.quotes.timelines import logged_json

AGGREGATE_PREFIX = "aggregate: "
# The aggregator's line for a record it could not process (lambdas/aggregator/gathering.py).
_RECORD_FAILED = re.compile(
    r"record \S+ \((?P<carried>[^)]*)\) failed and will be delivered again \(then dead-lettered\): (?P<error>.*)$"
)


def queue_name(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


def peek_messages(queue_url: str, *, max_messages: int = 10) -> list[dict[str, Any]]:
    """The queue's messages, bodies parsed from JSON when they are JSON; peeked (left visible), not consumed."""
    sqs = target.client("sqs")
    messages: dict[str, dict[str, Any]] = {}
    for _ in range(3):  # SQS returns a sample of messages per call; a few calls see them all
        response = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=max_messages, VisibilityTimeout=0)
        for message in response.get("Messages", []):
            try:
                message["Body"] = json.loads(message["Body"])
            except (TypeError, ValueError):
                pass
            messages.setdefault(message["MessageId"], message)
    return list(messages.values())


def _mentions(value: Any, uuid: str, request: Any = None) -> bool:
    text = value if isinstance(value, str) else json.dumps(value)
    return (bool(uuid) and uuid in text) or (request is not None and _request_of(value) == request)


def _request_of(record: Any) -> Any:
    return record.get("requestPayload") if isinstance(record, dict) else None


def failed_aggregate(events: Iterable[dict], uuid: str) -> dict | None:
    """This request's `aggregate:` document when the aggregator logged it as failed."""
    for event in events:
        document = logged_json(event["message"], AGGREGATE_PREFIX)
        if isinstance(document, dict) and uuid and document.get("uuid") == uuid and document.get("status") == "failed":
            return document
    return None


def records_failing_in_aggregator(events: Iterable[dict], uuid: str) -> dict[str, str]:
    """{what the record carries: the error} for this request's records the aggregator could not process."""
    failing: dict[str, str] = {}
    for event in events:
        match = _RECORD_FAILED.search(event["message"].rstrip())
        if match and uuid and f"request {uuid}" in match.group("carried"):
            failing[match.group("carried")] = match.group("error")
    return failing


def _dead_lettered(body: Any) -> str:
    """What a dead-lettered aggregator record carries, in words."""
    payload = body.get("responsePayload") if isinstance(body, dict) else None
    data = payload.get("data") if isinstance(payload, dict) else None
    try:
        quote = json.loads(data) if isinstance(data, str) else None
    except ValueError:
        quote = None
    if isinstance(quote, dict) and quote.get("vendor"):
        return f"{quote['vendor']}'s quote"
    return "its deadline record"


def _on_failure(record: dict) -> str:
    context = record.get("requestContext") or {}
    payload = record.get("responsePayload")
    function = str(context.get("functionArn", "")).split(":function:")[-1].split(":")[0] or "a function"
    error = payload.get("errorType", "an error") if isinstance(payload, dict) else "an error"
    attempts = context.get("approximateInvokeCount")
    return f"{function} failed with {error} ({context.get('condition', 'failed')} after {attempts} attempt(s))"


def where_it_failed(
    uuid: str, events: list[dict], outputs: dict[str, str], *, request: Any = None
) -> list[str]:
    """Clauses saying where this request's failure is, most telling first; [] when nothing says so yet."""
    clauses: list[str] = []
    document = failed_aggregate(events, uuid)
    if document is not None:
        clauses.append(f"the aggregator could not aggregate it: {document.get('reason', 'no reason given')}")
    dlq_url = outputs.get("AggregationDeadLetterQueueUrl")
    dead = [_dead_lettered(m["Body"]) for m in peek_messages(dlq_url) if _mentions(m["Body"], uuid)] if dlq_url else []
    if dead:
        clauses.append(f"the aggregator could not store {', '.join(sorted(set(dead)))}: the record is in its "
                       f"dead-letter queue {queue_name(dlq_url)} (read the aggregator's log for why, then redrive it)")
    elif failing := records_failing_in_aggregator(events, uuid):
        carried, error = next(iter(failing.items()))
        clauses.append(f"the aggregator could not process {carried} ({error}): SQS delivers it again, then moves it "
                       f"to the dead-letter queue {queue_name(dlq_url) if dlq_url else ''}".rstrip())
    failed_url = outputs.get("FailedInvocationsQueueUrl")
    if failed_url:
        records = [m["Body"] for m in peek_messages(failed_url)]
        for record in records:
            if isinstance(record, dict) and _mentions(record, uuid, request):
                clauses.append(f"{_on_failure(record)}: its record is in the failed-invocations queue "
                               f"{queue_name(failed_url)}")
    return clauses
