"""Turn SQS records of responder results into a list of quotes (pure, no AWS)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

LOG_PREFIX = "quotes: "
HOW_TO_FEED = (
    "the aggregator expects SQS messages written by a responder's OnSuccess destination, whose "
    "responsePayload is {\"statusCode\": 200, \"data\": \"<quote JSON>\"}"
)


class UnsupportedRecord(ValueError):
    """An SQS event or record the aggregator cannot read a quote from."""


def _loads(value: Any, what: str) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            raise UnsupportedRecord(f"Aggregator cannot read {what}: it is not valid JSON; {HOW_TO_FEED}.") from None
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


def quotes_from_event(event: Any) -> list[dict[str, Any]]:
    """Return one quote per SQS record, in the order the records arrived."""
    records = event.get("Records") if isinstance(event, Mapping) else None
    if not isinstance(records, list):
        raise UnsupportedRecord(f"Aggregator cannot read this event: it has no 'Records' list; {HOW_TO_FEED}.")
    quotes = []
    for index, record in enumerate(records):
        if not isinstance(record, Mapping) or "body" not in record:
            raise UnsupportedRecord(f"Aggregator cannot read record {index}: it has no 'body'; {HOW_TO_FEED}.")
        quotes.append(quote_from_body(record["body"], f"the body of record {index}"))
    return quotes


def quotes_log_line(quotes: list[dict[str, Any]]) -> str:
    """The one log line per invocation that notebooks parse: `quotes: <JSON list>`."""
    return LOG_PREFIX + json.dumps(quotes)
