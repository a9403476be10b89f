"""Read a quote request from any event a responder receives and price it (pure, no AWS)."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

HOW_TO_INVOKE = (
    "invoke the responder with a quote request such as "
    '{"data": {"car_type": "XL", "days_rental": 20, "uuid": "..."}} or subscribe it to the scatter topic'
)


class UnsupportedEvent(ValueError):
    """The responder was invoked with an event it cannot read a quote request from."""


class ResponderConfigError(RuntimeError):
    """The responder's environment (VENDOR, BASE_RATE, LATENCY_MS, FAILURE_RATE) is invalid."""


class VendorUnavailableError(RuntimeError):
    """A simulated vendor outage (FAILURE_RATE), so callers can watch retries and failures."""


@dataclass(frozen=True)
class VendorSettings:
    """What a responder knows about its vendor, from its environment variables."""

    vendor: str
    base_rate: int
    latency_ms: int = 0
    failure_rate: float = 0.0

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> VendorSettings:
        vendor = environ.get("VENDOR", "").strip()
        if not vendor:
            raise _config_error("VENDOR is missing or empty")
        base_rate = _parse_int(environ, "BASE_RATE", default=None, minimum=1)
        latency_ms = _parse_int(environ, "LATENCY_MS", default=0, minimum=0)
        failure_rate = _parse_rate(environ, "FAILURE_RATE")
        return cls(vendor=vendor, base_rate=base_rate, latency_ms=latency_ms, failure_rate=failure_rate)

    def is_unavailable(self, draw: float) -> bool:
        """True when a uniform draw in [0, 1) falls inside the failure rate."""
        return draw < self.failure_rate


def _config_error(problem: str) -> ResponderConfigError:
    return ResponderConfigError(
        f"Responder is misconfigured: {problem}; redeploy the stack with a valid 'recipients' context."
    )


def _parse_int(environ: Mapping[str, str], name: str, *, default: int | None, minimum: int) -> int:
    raw = environ.get(name, "").strip()
    if not raw and default is not None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise _config_error(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise _config_error(f"{name} must be at least {minimum}, not {value}")
    return value


def _parse_rate(environ: Mapping[str, str], name: str) -> float:
    raw = environ.get(name, "").strip()
    if not raw:
        return 0.0
    try:
        value = float(raw)
    except ValueError:
        raise _config_error(f"{name} must be a number from 0 to 1, not {raw!r}") from None
    if math.isnan(value) or not 0.0 <= value <= 1.0:
        raise _config_error(f"{name} must be a number from 0 to 1, not {raw!r}")
    return value


def _loads(value: Any, what: str) -> Any:
    """Decode a JSON string; objects that are already decoded pass through."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            raise UnsupportedEvent(f"Responder cannot read this event: {what} is not valid JSON; "
                                   f"{HOW_TO_INVOKE}.") from None
    return value


def extract_request(event: Any) -> dict[str, Any]:
    """Return the quote request from a direct payload, a requester response or an SNS event."""
    if not isinstance(event, Mapping):
        raise UnsupportedEvent(f"Responder cannot read this event: expected a JSON object, got "
                               f"{type(event).__name__}; {HOW_TO_INVOKE}.")
    if "Records" in event:
        return extract_request(_sns_message(event["Records"]))
    if "responsePayload" in event:  # a Lambda destination record (what SNS carries)
        return extract_request(event["responsePayload"])
    if "data" not in event and "body" in event:  # the requester's return value
        return extract_request(_loads(event["body"], "the requester's 'body'"))
    if not isinstance(event.get("data"), Mapping):
        raise UnsupportedEvent(f"Responder cannot read this event: it has no 'data' object; {HOW_TO_INVOKE}.")
    return dict(event)


def _sns_message(records: Any) -> Any:
    # SNS delivers exactly one record per Lambda invocation.
    if not isinstance(records, list) or len(records) != 1 or not isinstance(records[0], Mapping):
        raise UnsupportedEvent(f"Responder cannot read this event: expected exactly one SNS record; "
                               f"{HOW_TO_INVOKE}.")
    sns = records[0].get("Sns")
    if not isinstance(sns, Mapping) or "Message" not in sns:
        raise UnsupportedEvent(f"Responder cannot read this event: the record is not an SNS notification; "
                               f"{HOW_TO_INVOKE}.")
    return _loads(sns["Message"], "the SNS Message")


def make_quote(request: Mapping[str, Any], settings: VendorSettings) -> dict[str, Any]:
    """Return the request's data plus `price_quote` (base rate x days) and `vendor`."""
    data = dict(request["data"])
    days = data.get("days_rental")
    if isinstance(days, bool) or not isinstance(days, int):
        raise UnsupportedEvent(f"Responder cannot price this request: 'data.days_rental' is {days!r}, not a "
                               "whole number; send requests through the requester, which validates them.")
    data["price_quote"] = settings.base_rate * days
    data["vendor"] = settings.vendor
    return data
