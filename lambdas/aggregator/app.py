"""Aggregator Lambda: gathers the quotes that responders left on the aggregation queue."""

from __future__ import annotations

import json
import logging
from typing import Any

from quote_records import quotes_from_event, quotes_log_line

# A no-op inside the Lambda runtime (it installs its own handler); used when run elsewhere.
logging.basicConfig(format="%(levelname)s %(message)s")
LOGGER = logging.getLogger("aggregator")
LOGGER.setLevel(logging.INFO)


def lambda_handler(event: Any, context: Any) -> dict[str, Any]:
    """Log `quotes: <JSON list>` once and return {"statusCode": 200, "body": <JSON list>}."""
    quotes = quotes_from_event(event)
    LOGGER.info(quotes_log_line(quotes))
    return {"statusCode": 200, "body": json.dumps(quotes)}
