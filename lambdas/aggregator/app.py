"""Aggregator Lambda: correlates quotes by uuid in DynamoDB and writes one aggregate per request."""

from __future__ import annotations

import json
import logging
import os
from typing import Any

from aggregate_store import AggregateStore, DynamoDBAggregateStore
from aggregation import parse_vendor_list
from gathering import gather_batch

# A no-op inside the Lambda runtime (it installs its own handler); used when run elsewhere.
logging.basicConfig(format="%(levelname)s %(message)s")
LOGGER = logging.getLogger("aggregator")
LOGGER.setLevel(logging.INFO)

_store: AggregateStore | None = None  # created on first use, then reused by the warm execution environment


class AggregatorConfigError(RuntimeError):
    """The aggregator's environment (AGGREGATES_TABLE, EXPECTED_VENDORS) is incomplete."""


def _required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise AggregatorConfigError(
            f"Aggregator is misconfigured: {name} is missing or empty; redeploy ScatterGatherWithSNSStack."
        )
    return value


def store() -> AggregateStore:
    """The aggregates table named by AGGREGATES_TABLE (boto3 is imported only when one is needed)."""
    global _store
    if _store is None:
        import boto3

        _store = DynamoDBAggregateStore(boto3.client("dynamodb"), _required("AGGREGATES_TABLE"))
    return _store


def lambda_handler(event: Any, context: Any) -> dict[str, Any]:
    """Log `quotes: <JSON list>` once and `aggregate: <JSON>` per finished request.

    Returns {"statusCode": 200, "body": <JSON list of the batch's quotes>, "batchItemFailures": [...]}.
    """
    expected = parse_vendor_list(_required("EXPECTED_VENDORS"))
    outcome = gather_batch(
        event,
        store=store(),
        expected=expected,
        deadline_queue_arn=os.environ.get("DEADLINE_QUEUE_ARN") or None,
        logger=LOGGER,
    )
    return outcome.response(json.dumps(outcome.quotes))
