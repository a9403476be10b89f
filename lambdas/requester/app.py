"""Requester Lambda: validates a quote request and tags it with a unique id."""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

from quote_request import build_quote_request

# A no-op inside the Lambda runtime (it installs its own handler); used when run elsewhere.
logging.basicConfig(format="%(levelname)s %(message)s")
LOGGER = logging.getLogger("requester")
LOGGER.setLevel(logging.INFO)


def lambda_handler(event: Any, context: Any) -> dict[str, Any]:
    """Return {"statusCode": 200, "body": <JSON of the request with data.uuid>}."""
    request = build_quote_request(event, lambda: str(uuid.uuid4()))
    body = json.dumps(request)
    LOGGER.info("sending quote request: %s", body)
    return {"statusCode": 200, "body": body}
