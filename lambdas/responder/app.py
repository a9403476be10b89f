"""Responder Lambda: one vendor's price for a quote request (VENDOR, BASE_RATE from the environment)."""

from __future__ import annotations

import json
import logging
import os
import random
import time
from typing import Any

from vendor_quote import VendorSettings, VendorUnavailableError, extract_request, make_quote

# A no-op inside the Lambda runtime (it installs its own handler); used when run elsewhere.
logging.basicConfig(format="%(levelname)s %(message)s")
LOGGER = logging.getLogger("responder")
LOGGER.setLevel(logging.INFO)


def lambda_handler(event: Any, context: Any) -> dict[str, Any]:
    """Return {"statusCode": 200, "data": <JSON of the request data + price_quote + vendor>}."""
    settings = VendorSettings.from_environ(os.environ)
    # Logged whole so a learner can read the Lambda destination record that SNS delivered.
    LOGGER.info("received event: %s", json.dumps(event))
    request = extract_request(event)
    if settings.latency_ms:
        time.sleep(settings.latency_ms / 1000)
    if settings.is_unavailable(random.random()):
        raise VendorUnavailableError(
            f"Vendor {settings.vendor} is unavailable (simulated with FAILURE_RATE={settings.failure_rate}); "
            "the caller may retry."
        )
    quote = make_quote(request, settings)
    data = json.dumps(quote)
    LOGGER.info("quote from %s: %s", settings.vendor, data)
    return {"statusCode": 200, "data": data}
