"""Read the aggregator's SQS records: a responder's quote, or a request whose deadline has passed (pure, no AWS)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

LOG_PREFIX = "quotes: "
HOW_TO_FEED = (
    "the aggregator expects SQS messages written by a responder's OnSuccess destination, whose "
    "responsePayload is {\"statusCode\": 200, \"data\": \"<quote JSON>\"}"
)
HOW_TO_FEED_DEADLINE = (
    "the deadline queue expects the requester's OnSuccess destination record, delivered raw by the scatter topic, "
    "whose responsePayload is {\"statusCode\": 200, \"body\": \"<request JSON with data.uuid>\"}"
)


class UnsupportedRecord(ValueError):
    """An SQS event or record the aggregator cannot read a quote (or a request) from."""


@dataclass(frozen=True)
class QuoteArrived:
    """A vendor's quote for the request `uuid`."""

    uuid: str
    vendor: str
    quote: dict[str, Any]


@dataclass(frozen=True)
class DeadlineReached:
    """The deadline of the request `uuid` has passed (its scatter message left the deadline queue)."""

    uuid: str


def _loads(value: Any, what: str, how: str = HOW_TO_FEED) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            raise UnsupportedRecord(f"Aggregator cannot read {what}: it is not valid JSON; {how}.") from None
    return value


def quote_from_body(body: Any, where: str = "the record body") -> dict[str, Any]:
    """Return the quote inside a Lambda destination record (or a bare responder result)."""
    payload = _loads(body, where)
    if isinstance(payload, Mapping) and "responsePayload" in payload:
        payload = payload["responsePayload"]
    if not isinstance(payload, Mapping) or "data" not in payload:
        raise UnsupportedRecord(f"Aggregator cannot read {where}: it holds no responder result; {HOW_TO_FEED}.")
    quote = _loads(payload["data"], f"the quote in {where}")
    if not isinstance(quote, Mapping):
        raise UnsupportedRecord(f"Aggregator cannot read {where}: its quote is not an object; {HOW_TO_FEED}.")
    return dict(quote)


def _text_field(quote: Mapping[str, Any], name: str, where: str) -> str:
    value = quote.get(name)
    if not isinstance(value, str) or not value.strip():
        raise UnsupportedRecord(f"Aggregator cannot read {where}: its quote has no '{name}'; {HOW_TO_FEED}.")
    return value


def request_uuid_from_body(body: Any, where: str = "the record body") -> str:
    """Return data.uuid of the request inside a requester destination record (or a bare requester result)."""
    payload = _loads(body, where, HOW_TO_FEED_DEADLINE)
    if isinstance(payload, Mapping) and "responsePayload" in payload:
        payload = payload["responsePayload"]
    if isinstance(payload, Mapping) and "body" in payload and "data" not in payload:
        payload = _loads(payload["body"], f"the request in {where}", HOW_TO_FEED_DEADLINE)
    data = payload.get("data") if isinstance(payload, Mapping) else None
    uuid = data.get("uuid") if isinstance(data, Mapping) else None
    if not isinstance(uuid, str) or not uuid.strip():
        raise UnsupportedRecord(
            f"Aggregator cannot read {where}: it holds no request with a 'data.uuid'; {HOW_TO_FEED_DEADLINE}."
        )
    return uuid


def read_record(record: Any, index: int, deadline_queue_arn: str | None) -> QuoteArrived | DeadlineReached:
    """What one SQS record says; records from the deadline queue (by eventSourceARN) are deadlines."""
    if not isinstance(record, Mapping) or "body" not in record:
        raise UnsupportedRecord(f"Aggregator cannot read record {index}: it has no 'body'; {HOW_TO_FEED}.")
    where = f"the body of record {index}"
    if deadline_queue_arn and record.get("eventSourceARN") == deadline_queue_arn:
        return DeadlineReached(uuid=request_uuid_from_body(record["body"], where))
    quote = quote_from_body(record["body"], where)
    return QuoteArrived(uuid=_text_field(quote, "uuid", where), vendor=_text_field(quote, "vendor", where),
                        quote=quote)


def records_of(event: Any) -> list[Any]:
    """The event's Records list, or UnsupportedRecord when it is not an SQS event."""
    records = event.get("Records") if isinstance(event, Mapping) else None
    if not isinstance(records, list):
        raise UnsupportedRecord(f"Aggregator cannot read this event: it has no 'Records' list; {HOW_TO_FEED}.")
    return records


def quotes_log_line(quotes: list[dict[str, Any]]) -> str:
    """The one log line per invocation that notebooks parse: `quotes: <JSON list>`."""
    return LOG_PREFIX + json.dumps(quotes)
