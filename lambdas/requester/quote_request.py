"""Validate a car-rental quote request and give it a request id (pure, no AWS)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

MIN_DAYS = 1
MAX_DAYS = 365
EXAMPLE = '{"data": {"car_type": "XL", "days_rental": 20}}'
# The request travels inside destination records and SNS/SQS envelopes that hold it several times over, and
# those cap a message at 256 KB: a larger request would be dropped on the way, so it is refused here.
MAX_REQUEST_BYTES = 16 * 1024


class InvalidQuoteRequest(ValueError):
    """A quote request that the requester refuses, with a one-sentence reason."""


def _reject(problem: str) -> InvalidQuoteRequest:
    return InvalidQuoteRequest(f"Invalid quote request: {problem}; send a request like {EXAMPLE}.")


def validate_request(event: Any) -> dict[str, Any]:
    """Return a copy of the request if it is valid, else raise InvalidQuoteRequest."""
    if not isinstance(event, Mapping):
        raise _reject(f"expected a JSON object but got {type(event).__name__}")
    size = len(json.dumps(event, default=str).encode())
    if size > MAX_REQUEST_BYTES:
        raise _reject(f"it is {size} bytes of JSON, more than the {MAX_REQUEST_BYTES} that fit in a scatter message")
    data = event.get("data")
    if data is None:
        raise _reject("it has no 'data' object")
    if not isinstance(data, Mapping):
        raise _reject(f"'data' must be an object but is {type(data).__name__}")
    car_type = data.get("car_type")
    if not isinstance(car_type, str) or not car_type.strip():
        raise _reject("'data.car_type' must be a non-empty string")
    days = data.get("days_rental")
    # bool is a subclass of int, so it is ruled out explicitly.
    if isinstance(days, bool) or not isinstance(days, int) or not MIN_DAYS <= days <= MAX_DAYS:
        raise _reject(f"'data.days_rental' must be a whole number from {MIN_DAYS} to {MAX_DAYS}, not {days!r}")
    uuid = data.get("uuid")
    if uuid is not None and (not isinstance(uuid, str) or not uuid.strip()):
        raise _reject("'data.uuid', when given, must be a non-empty string")
    request = dict(event)
    request["data"] = dict(data)
    return request


def build_quote_request(event: Any, new_id: Callable[[], str]) -> dict[str, Any]:
    """Validate the request and add `data.uuid` (kept if the caller already chose one)."""
    request = validate_request(event)
    if request["data"].get("uuid") is None:
        request["data"]["uuid"] = new_id()
    return request
