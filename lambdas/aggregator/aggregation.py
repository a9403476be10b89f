"""The Aggregator's completeness condition and aggregation algorithm (pure, no AWS)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

AGGREGATE_LOG_PREFIX = "aggregate: "
COMPLETE = "complete"  # every expected vendor answered
TIMED_OUT = "timed_out"  # the deadline passed first; the aggregate names the missing vendors
FAILED = "failed"  # the request could not be aggregated (unreadable, or its table unusable); `reason` says why


def parse_vendor_list(value: str | None) -> tuple[str, ...]:
    """Vendor names from a comma-separated string (the EXPECTED_VENDORS variable), in order, without blanks."""
    names: list[str] = []
    for name in (value or "").split(","):
        if name.strip() and name.strip() not in names:
            names.append(name.strip())
    return tuple(names)


def missing_vendors(expected: Sequence[str], quotes: Iterable[Mapping[str, Any]]) -> list[str]:
    """The expected vendors without a quote, in the expected order."""
    answered = {quote.get("vendor") for quote in quotes}
    return [vendor for vendor in expected if vendor not in answered]


def is_complete(expected: Sequence[str], quotes: Iterable[Mapping[str, Any]]) -> bool:
    """The completeness condition: every expected vendor has answered."""
    return not missing_vendors(expected, quotes)


def ordered_quotes(expected: Sequence[str], quotes: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One quote per vendor: expected vendors first (in their order), then any others by name."""
    by_vendor: dict[str, dict[str, Any]] = {}
    for quote in quotes:
        by_vendor.setdefault(str(quote.get("vendor")), dict(quote))
    rank = {vendor: index for index, vendor in enumerate(expected)}
    return [by_vendor[v] for v in sorted(by_vendor, key=lambda vendor: (rank.get(vendor, len(rank)), vendor))]


def _price(quote: Mapping[str, Any]) -> float | None:
    price = quote.get("price_quote")
    if isinstance(price, bool) or not isinstance(price, int | float):
        return None
    return float(price)


def best_quote(quotes: Sequence[Mapping[str, Any]]) -> dict[str, Any] | None:
    """The cheapest quote (the first of equal ones); None when no quote has a numeric price."""
    priced = [(price, index) for index, quote in enumerate(quotes) if (price := _price(quote)) is not None]
    if not priced:
        return None
    _, first_cheapest = min(priced)
    return dict(quotes[first_cheapest])


def aggregate_document(
    uuid: str, expected: Sequence[str], quotes: Iterable[Mapping[str, Any]], *, deadline_passed: bool
) -> dict[str, Any]:
    """The one aggregate of a request: its quotes, the best one, who is missing, and whether it is complete.

    A request whose vendors all answered is complete even when the deadline is what triggered it.
    """
    ordered = ordered_quotes(expected, quotes)
    missing = missing_vendors(expected, ordered)
    if missing and not deadline_passed:
        raise ValueError(f"request {uuid} is not complete yet (missing {', '.join(missing)})")
    return {
        "uuid": uuid,
        "status": TIMED_OUT if missing else COMPLETE,
        "quotes": ordered,
        "best_quote": best_quote(ordered),
        "missing_vendors": missing,
    }


def failed_document(uuid: str | None, expected: Sequence[str], reason: str) -> dict[str, Any]:
    """The aggregate of a request the aggregator could not aggregate: every vendor missing, and why."""
    return {"uuid": uuid, "status": FAILED, "quotes": [], "best_quote": None,
            "missing_vendors": list(expected), "reason": reason}


def aggregate_log_line(document: Mapping[str, Any]) -> str:
    """The one log line per request that notebooks parse: `aggregate: <JSON>`."""
    return AGGREGATE_LOG_PREFIX + json.dumps(document)
