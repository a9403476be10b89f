"""Tests for the cost model, pinned to hand-computed figures (dollars per million quote requests)."""

from __future__ import annotations

import pytest

from workshop_utils.measure.cost import PATTERNS, PRICES, CostBreakdown, cost_per_million, cost_table

# Lambda at 128 MB for 100 ms: 0.1 s * 0.125 GB = 0.0125 GB-s per invocation;
# per million invocations: requests $0.20 + 12,500 GB-s * $0.0000166667 = $0.20833375.
LAMBDA_PER_MILLION_INVOCATIONS = 0.20 + 0.0125 * 0.0000166667 * 1e6


def test_price_table_names_its_source_and_date():
    assert PRICES.source == "AWS pricing pages, us-east-1"
    assert PRICES.as_of == "2026-11-27"
    assert PRICES.sfn_standard_per_transition * 1000 == pytest.approx(0.025)
    assert {row["service"] for row in PRICES.as_rows()} == {"Step Functions", "Lambda", "SNS", "SQS", "DynamoDB"}


def test_parallel_standard_two_vendors():
    cost = cost_per_million("parallel_standard", vendors=2)
    assert isinstance(cost, CostBreakdown)
    # 2 + 2 = 4 transitions * $0.025 / 1,000 * 1e6 = $100
    assert cost.per_service["Step Functions"] == pytest.approx(100.0)
    # 3 invocations: 3 * $0.20 = $0.60 requests + 3 * 0.1 s * 0.125 GB * $0.0000166667 * 1e6 = $0.625 duration
    assert cost.per_service["Lambda"] == pytest.approx(0.60 + 0.625, abs=1e-5)
    assert cost.total == pytest.approx(101.225, abs=1e-5)
    assert cost.usage == {"state transitions": 4, "Lambda invocations": 3}


def test_parallel_express_two_vendors():
    cost = cost_per_million("parallel_express", vendors=2)
    # requester 100 ms + responders 100 ms (concurrent) = 200 ms, in 100 ms units: 0.2 s at the 64 MB minimum:
    # $1.00 + 0.2 s * 0.0625 GB * $0.00001667 * 1e6 = $1.00 + $0.208375
    assert cost.per_service["Step Functions"] == pytest.approx(1.208375)
    assert cost.total == pytest.approx(1.208375 + 3 * LAMBDA_PER_MILLION_INVOCATIONS)
    assert cost.total == pytest.approx(2.43338, abs=1e-5)


def test_express_duration_is_rounded_up_to_100_ms():
    short = cost_per_million("parallel_express", vendors=2, duration_ms=10)  # 20 ms -> 100 ms billed
    assert short.usage["express GB-seconds"] == pytest.approx(0.1 * 0.0625)


def test_sns_two_vendors_batches_of_ten():
    cost = cost_per_million("sns", vendors=2, batch_size=10)
    # Lambda: 1 requester + 2 responders + 2/10 aggregator = 3.2 invocations
    #   3.2 * $0.20 = $0.64 + 3.2 * 0.0125 GB-s * $0.0000166667 * 1e6 = $0.666668 -> $1.306668
    # SNS: 1 publish = $0.50
    # SQS: 2 sends + 0.2 receives + 0.2 deletes = 2.4 requests * $0.40 = $0.96
    assert cost.per_service["Lambda"] == pytest.approx(1.306668, abs=1e-6)
    assert cost.per_service["SNS"] == pytest.approx(0.50)
    assert cost.per_service["SQS"] == pytest.approx(0.96)
    assert cost.total == pytest.approx(2.766668, abs=1e-6)


def test_sns_default_batch_is_one_batch_per_request():
    cost = cost_per_million("sns", vendors=2)
    # batch = vendors = 2: 4 invocations ($0.80 + $0.833335), 1 publish ($0.50), 2 + 1 + 1 = 4 SQS requests ($1.60)
    assert cost.usage["Lambda invocations"] == 4
    assert cost.usage["SQS requests"] == 4
    assert cost.total == pytest.approx(0.80 + 0.833335 + 0.50 + 1.60, abs=1e-6)


def test_large_messages_count_one_sqs_request_per_64_kb_chunk():
    small = cost_per_million("sns", vendors=2, message_kb=1)
    large = cost_per_million("sns", vendors=2, message_kb=100)  # 2 chunks per send, per receive of 2 messages 4
    assert large.usage["SQS requests"] == 2 * 2 + 1 * 4 + 1
    assert large.usage["SNS publishes"] == 2
    assert large.total > small.total


def test_aggregator_writes_to_dynamodb_when_asked():
    without = cost_per_million("sns", vendors=2, batch_size=10)
    with_writes = cost_per_million("sns", vendors=2, batch_size=10, dynamodb_writes_per_request=2)
    assert with_writes.per_service["DynamoDB (aggregator writes)"] == pytest.approx(2 * 0.625)
    assert with_writes.total == pytest.approx(without.total + 1.25)
    assert "DynamoDB (aggregator writes)" not in without.per_service


def test_totals_are_the_sum_of_services_and_lambda_memory_matters():
    for pattern in PATTERNS:
        cost = cost_per_million(pattern, vendors=3, memory_mb=256, duration_ms=250)
        assert cost.total == pytest.approx(sum(cost.per_service.values()))
        assert cost.per_service["Lambda"] > cost_per_million(pattern, vendors=3).per_service["Lambda"]


def test_cost_table_rows_per_vendor_count():
    rows = cost_table([1, 2, 5, 10])
    assert [row["vendors"] for row in rows] == [1, 2, 5, 10]
    assert set(rows[0]) == {"vendors", *PATTERNS}
    assert rows[1]["parallel_standard"] == pytest.approx(cost_per_million("parallel_standard", vendors=2).total)
    for pattern in PATTERNS:
        values = [row[pattern] for row in rows]
        assert values == sorted(values)  # more vendors cost more
    assert all(row["sns"] < row["parallel_standard"] for row in rows)


def test_bad_inputs_raise_one_clear_sentence():
    with pytest.raises(ValueError, match="use one of parallel_standard, parallel_express, sns"):
        cost_per_million("map", vendors=2)
    with pytest.raises(ValueError, match="at least 1"):
        cost_per_million("sns", vendors=0)
    with pytest.raises(ValueError, match="batch_size"):
        cost_per_million("sns", vendors=2, batch_size=0)
