"""Synchronous invocation: moto's Invoke (RequestResponse, Event, DryRun) mapped onto the worker runtime."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, MutableMapping
from typing import Any

from moto.awslambda.exceptions import LambdaClientError

from .. import services
from ..lambda_runtime.functions import FunctionSpec
from ..lambda_runtime.invocation import Invocation, InvocationResult

# Lambda's request payload quotas: 6 MB for RequestResponse, 1 MB for Event (asynchronous) invocations.
SYNC_PAYLOAD_LIMIT = 6 * 1024 * 1024
ASYNC_PAYLOAD_LIMIT = 1024 * 1024


class RequestEntityTooLarge(LambdaClientError):
    code = 413

    def __init__(self, limit: int, operation: str) -> None:
        super().__init__("RequestEntityTooLargeException",
                         f"Request must be smaller than {limit} bytes for the {operation} operation")


def payload_bytes(body: Any) -> bytes:
    """Invoke bodies arrive as str (HTTP), bytes or dicts (moto's internal callers); no payload means {}."""
    if body is None or body == "" or body == b"":
        return b"{}"
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode()
    return json.dumps(body).encode()


def invoke_function(
    fn: Any, payload: bytes, *, request_id: str | None = None, invoked_arn: str | None = None
) -> InvocationResult:
    """Run one event through the function's warm workers and wait for the result."""
    spec = FunctionSpec.from_moto(fn)
    invocation = Invocation(payload, invoked_arn or spec.arn, request_id)
    return services.current().runtime.invoke(spec, invocation)


def _header(headers: Mapping[str, Any] | None, name: str) -> str | None:
    if not headers:
        return None
    value = headers.get(name)
    if value is None:
        lowered = name.lower()
        value = next((v for k, v in headers.items() if str(k).lower() == lowered), None)
    return None if value is None else str(value)


def handle_invoke(
    fn: Any, body: Any, request_headers: Mapping[str, Any] | None, response_headers: MutableMapping[str, Any]
) -> bytes:
    """What moto's LambdaFunction.invoke returns; FunctionError and the log tail travel in response headers."""
    invocation_type = _header(request_headers, "X-Amz-Invocation-Type") or "RequestResponse"
    payload = payload_bytes(body)
    if invocation_type == "DryRun":
        return b""
    if invocation_type == "Event" and len(payload) > ASYNC_PAYLOAD_LIMIT:
        raise RequestEntityTooLarge(ASYNC_PAYLOAD_LIMIT, "InvokeAsync")
    if len(payload) > SYNC_PAYLOAD_LIMIT:
        raise RequestEntityTooLarge(SYNC_PAYLOAD_LIMIT, "Invoke")
    if invocation_type == "Event":
        services.current().async_invoker.submit(fn, payload)
        return b""
    result = invoke_function(fn, payload)
    response_headers["x-amz-executed-version"] = result.executed_version
    if result.function_error:
        response_headers["x-amz-function-error"] = result.function_error
    if _header(request_headers, "X-Amz-Log-Type") == "Tail":
        response_headers["x-amz-log-result"] = base64.b64encode(result.log_tail().encode()).decode()
    return result.payload
