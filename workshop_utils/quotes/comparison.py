"""The same request through both patterns at the same time, and what each side's results and logs say."""

from __future__ import annotations

from dataclasses import dataclass

from workshop_utils.quotes import aggregates, triggers
from workshop_utils.quotes.failure_rows import request_failures
from workshop_utils.quotes.request import QuoteRequest, parse_quote_form


@dataclass
class Comparison:
    """The same request through both patterns: the execution, the aggregate, both timelines, and what the SNS
    side's logs and failed-invocations queue say about each vendor."""

    request: QuoteRequest
    parallel: triggers.ParallelExecution
    sns_handle: triggers.SnsQuoteHandle
    sns_aggregate: dict
    sns_lanes: list[tuple[str, float, float]]
    sns_attempts: dict[str, int]
    sns_failures: list[dict]


def compare(car_type: str, days: int | str) -> Comparison:
    """Send the same request through both patterns (at the same time) and collect both timelines."""
    request = parse_quote_form(car_type, days)
    handle = triggers.request_sns_quote(request)
    parallel = triggers.request_parallel_quote(request)
    aggregate = aggregates.wait_for_aggregate(handle)
    failures = request_failures(handle, aggregate)
    return Comparison(request, parallel, handle, aggregate, aggregates.invocation_lanes(handle),
                      aggregates.responder_attempts(handle), failures)
