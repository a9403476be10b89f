"""Lambda destinations: AWS's invocation record, delivered to SQS, SNS, Lambda or EventBridge."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from ..lambda_runtime.invocation import InvocationResult, iso_timestamp

logger = logging.getLogger(__name__)


def _json_or_text(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode("utf-8", "replace")


def invocation_record(
    *,
    request_id: str,
    function_arn: str,
    condition: str,
    approximate_invoke_count: int,
    request_payload: bytes,
    result: InvocationResult | None,
    executed_version: str = "$LATEST",
) -> dict[str, Any]:
    """The record an asynchronous invocation sends to its destination (condition Success, RetriesExhausted or
    EventAgeExceeded); `function_arn` is qualified, e.g. ...:function:name:$LATEST."""
    record: dict[str, Any] = {
        "version": "1.0",
        "timestamp": iso_timestamp(),
        "requestContext": {
            "requestId": request_id,
            "functionArn": function_arn,
            "condition": condition,
            "approximateInvokeCount": approximate_invoke_count,
        },
        "requestPayload": _json_or_text(request_payload),
    }
    if result is not None:
        response_context: dict[str, Any] = {"statusCode": 200, "executedVersion": result.executed_version}
        if result.function_error:
            response_context["functionError"] = result.function_error
        record["responseContext"] = response_context
        record["responsePayload"] = _json_or_text(result.payload)
    else:
        record["responseContext"] = {"statusCode": 200, "executedVersion": executed_version}
    return record


def deliver(
    destination_arn: str,
    record: dict[str, Any],
    *,
    source_function_arn: str,
    invoke_async: Callable[[str, bytes], object],
) -> None:
    """Send the record to the destination's service, in-process; a failed delivery is logged, not raised.

    A Lambda destination is invoked asynchronously through ``invoke_async`` (the caller's invoker), so this
    module needs no handle on the running services.
    """
    parts = destination_arn.split(":")
    if len(parts) < 6:
        logger.error("destination %s is not an ARN; record %s dropped", destination_arn, record["requestContext"])
        return
    service, region, account_id, resource = parts[2], parts[3], parts[4], parts[5]
    body = json.dumps(record)
    try:
        if service == "sqs":
            from moto.sqs.models import sqs_backends

            sqs_backends[account_id][region].send_message(resource, body)
        elif service == "sns":
            from moto.sns.models import sns_backends

            sns_backends[account_id][region].publish(body, arn=destination_arn)
        elif service == "lambda":
            invoke_async(destination_arn, body.encode())
        elif service == "events":
            from moto.events.models import events_backends

            succeeded = record["requestContext"]["condition"] == "Success"
            events_backends[account_id][region].put_events(
                [
                    {
                        "Source": "lambda",
                        "DetailType": f"Lambda Function Invocation Result - {'Success' if succeeded else 'Failure'}",
                        "Detail": body,
                        "Resources": [source_function_arn],
                        "EventBusName": destination_arn,
                    }
                ]
            )
        else:
            logger.error("destination service %s is not supported; record for %s dropped", service, destination_arn)
            return
        logger.info("delivered %s record of %s to %s", record["requestContext"]["condition"],
                    record["requestContext"]["requestId"], destination_arn)
    except Exception:
        logger.exception("could not deliver the invocation record to %s", destination_arn)
