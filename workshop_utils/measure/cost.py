"""Cost model: dollars per million quote requests for the Parallel (Standard or Express) and SNS patterns."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

PATTERNS = ("parallel_standard", "parallel_express", "sns")
MILLION = 1_000_000

# What one quote request costs in each pattern (one request fans out to every vendor); free tiers ignored.
ASSUMPTIONS: dict[str, str] = {
    "parallel_standard": "2 + vendors state transitions (requester task, Parallel state, one task per branch); "
                         "1 + vendors Lambda invocations (requester, one responder per vendor).",
    "parallel_express": "one Express request lasting the requester's duration plus one responder's (branches run "
                        "concurrently), rounded up to 100 ms, billed at the 64 MB minimum (payloads are small); "
                        "Lambda as for Standard.",
    "sns": "Lambda: 1 requester + vendors responders + vendors / batch_size aggregator invocations (at volume the "
           "event source mapping fills batches across requests; batch_size defaults to vendors, one batch per "
           "request). SNS: 1 publish (the requester's OnSuccess destination; deliveries to Lambda and SQS are free). "
           "SQS: 1 SendMessage per responder (its OnSuccess destination), 1 ReceiveMessage and 1 DeleteMessageBatch "
           "per batch (empty polls ignored); each 64 KB chunk of a payload is one request. DynamoDB: "
           "dynamodb_writes_per_request write units when the aggregator stores quotes.",
    "lambda": "every Lambda invocation lasts duration_ms at memory_mb, billed per millisecond.",
}


@dataclass(frozen=True)
class Prices:
    """On-demand prices in dollars, kept as data so a notebook can show (or a learner can change) them."""

    source: str = "AWS pricing pages, us-east-1"
    as_of: str = "2026-11-27"
    sfn_standard_per_transition: float = 0.025 / 1000
    sfn_express_per_request: float = 1.00 / MILLION
    sfn_express_per_gb_second: float = 0.00001667
    sfn_express_min_memory_mb: int = 64
    sfn_express_billing_ms: int = 100
    lambda_per_request: float = 0.20 / MILLION
    lambda_per_gb_second: float = 0.0000166667
    sns_per_publish: float = 0.50 / MILLION
    sqs_per_request: float = 0.40 / MILLION
    sqs_chunk_kb: int = 64
    dynamodb_per_write_unit: float = 0.625 / MILLION

    def as_rows(self) -> list[dict[str, str]]:
        """The price table as rows (service, item, price) for display."""
        return [
            {"service": "Step Functions", "item": "Standard: state transitions", "price": "$0.025 per 1,000"},
            {"service": "Step Functions", "item": "Express: requests", "price": "$1.00 per million"},
            {"service": "Step Functions", "item": "Express: duration (64 MB minimum, 100 ms units)",
             "price": "$0.00001667 per GB-second"},
            {"service": "Lambda", "item": "requests", "price": "$0.20 per million"},
            {"service": "Lambda", "item": "duration", "price": "$0.0000166667 per GB-second"},
            {"service": "SNS", "item": "publishes (deliveries to Lambda and SQS free)", "price": "$0.50 per million"},
            {"service": "SQS", "item": "requests (each 64 KB chunk one request)", "price": "$0.40 per million"},
            {"service": "DynamoDB", "item": "on-demand write request units", "price": "$0.625 per million"},
        ]


PRICES = Prices()


@dataclass(frozen=True)
class CostBreakdown:
    """Dollars per million quote requests, per service and in total; usage is billable units per request."""

    pattern: str
    per_service: dict[str, float]
    total: float
    usage: dict[str, float] = field(default_factory=dict)


def _lambda_cost(invocations: float, memory_mb: int, duration_ms: float, prices: Prices) -> float:
    gb_seconds = invocations * (duration_ms / 1000) * (memory_mb / 1024)
    return (invocations * prices.lambda_per_request + gb_seconds * prices.lambda_per_gb_second) * MILLION


def _check(pattern: str, vendors: int, memory_mb: int, duration_ms: float, batch_size: int | None,
           message_kb: float) -> None:
    if pattern not in PATTERNS:
        raise ValueError(f"Unknown pattern {pattern!r}: use one of {', '.join(PATTERNS)}.")
    if vendors < 1:
        raise ValueError(f"vendors must be at least 1 (got {vendors}): pass the number of responders.")
    if memory_mb <= 0 or duration_ms < 0 or message_kb <= 0:
        raise ValueError("memory_mb and message_kb must be positive and duration_ms not negative: check the inputs.")
    if batch_size is not None and batch_size < 1:
        raise ValueError(f"batch_size must be at least 1 (got {batch_size}): use the event source mapping's size.")


def cost_per_million(
    pattern: str,
    *,
    vendors: int,
    memory_mb: int = 128,
    duration_ms: float = 100,
    batch_size: int | None = None,
    dynamodb_writes_per_request: int = 0,
    message_kb: float = 1.0,
    prices: Prices = PRICES,
) -> CostBreakdown:
    """Dollars per million quote requests for one pattern (the model is spelled out in ASSUMPTIONS)."""
    _check(pattern, vendors, memory_mb, duration_ms, batch_size, message_kb)
    per_service: dict[str, float] = {}
    usage: dict[str, float] = {}
    if pattern in ("parallel_standard", "parallel_express"):
        invocations = 1 + vendors
        if pattern == "parallel_standard":
            transitions = 2 + vendors
            usage["state transitions"] = transitions
            per_service["Step Functions"] = transitions * prices.sfn_standard_per_transition * MILLION
        else:
            billed_ms = math.ceil(2 * duration_ms / prices.sfn_express_billing_ms) * prices.sfn_express_billing_ms
            billed_mb = prices.sfn_express_min_memory_mb
            gb_seconds = (billed_ms / 1000) * (billed_mb / 1024)
            usage["express requests"] = 1
            usage["express GB-seconds"] = gb_seconds
            per_service["Step Functions"] = (
                prices.sfn_express_per_request + gb_seconds * prices.sfn_express_per_gb_second) * MILLION
    else:
        batch = batch_size if batch_size is not None else vendors
        batches = vendors / batch
        invocations = 1 + vendors + batches
        chunk = prices.sqs_chunk_kb
        publishes = math.ceil(message_kb / chunk)
        sqs_requests = (vendors * math.ceil(message_kb / chunk)  # sends
                        + batches * math.ceil(batch * message_kb / chunk)  # receives (a full batch each)
                        + batches)  # deletes (one DeleteMessageBatch per batch)
        usage["SNS publishes"] = publishes
        usage["SQS requests"] = sqs_requests
        per_service["SNS"] = publishes * prices.sns_per_publish * MILLION
        per_service["SQS"] = sqs_requests * prices.sqs_per_request * MILLION
        if dynamodb_writes_per_request:
            usage["DynamoDB write units"] = dynamodb_writes_per_request
            per_service["DynamoDB (aggregator writes)"] = (
                dynamodb_writes_per_request * prices.dynamodb_per_write_unit * MILLION)
    usage["Lambda invocations"] = invocations
    per_service["Lambda"] = _lambda_cost(invocations, memory_mb, duration_ms, prices)
    return CostBreakdown(pattern, per_service, sum(per_service.values()), usage)


def cost_table(
    vendor_counts: list[int],
    *,
    patterns: tuple[str, ...] = PATTERNS,
    memory_mb: int = 128,
    duration_ms: float = 100,
    batch_size: int | None = None,
    dynamodb_writes_per_request: int = 0,
    prices: Prices = PRICES,
) -> list[dict]:
    """One row per vendor count: {"vendors": n, "<pattern>": total dollars per million, ...} for plotting."""
    rows = []
    for vendors in vendor_counts:
        row: dict = {"vendors": vendors}
        for pattern in patterns:
            row[pattern] = cost_per_million(
                pattern, vendors=vendors, memory_mb=memory_mb, duration_ms=duration_ms, batch_size=batch_size,
                dynamodb_writes_per_request=dynamodb_writes_per_request, prices=prices,
            ).total
        rows.append(row)
    return rows
