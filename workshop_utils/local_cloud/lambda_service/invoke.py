"""Synchronous invocation: moto's Invoke (RequestResponse, Event, DryRun) mapped onto the runtime it is handed."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping, MutableMapping
from typing import TYPE_CHECKING, Any

from moto.awslambda.exceptions import LambdaClientError

from ..lambda_runtime.functions import FunctionSpec
from ..lambda_runtime.invocation import Invocation, InvocationResult, new_request_id
from .responses import REQUEST_ID_HEADER

if TYPE_CHECKING:
    from ..lambda_runtime.pool import LambdaRuntime

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


class InvalidClientContext(LambdaClientError):
    code = 400

    def __init__(self) -> None:
        super().__init__("InvalidRequestContentException", "Client context must be a valid Base64-encoded JSON object.")


def client_context_json(header: str | None) -> str | None:
    """Invoke's ClientContext (base64 JSON) as the JSON text the Runtime API hands the runtime, on one line."""
    if header is None:
        return None
    try:
        value = json.loads(base64.b64decode(header, validate=True))
    except (binascii.Error, ValueError) as error:
        raise InvalidClientContext() from error
    if not isinstance(value, dict):
        raise InvalidClientContext()
    return json.dumps(value, ensure_ascii=False)


def invoke_function(
    runtime: LambdaRuntime,
    fn: Any,
    payload: bytes,
    *,
    request_id: str | None = None,
    invoked_arn: str | None = None,
    client_context: str | None = None,
) -> InvocationResult:
    """Run one event through the function's warm workers and wait for the result."""
    spec = FunctionSpec.from_moto(fn)
    invocation = Invocation(payload, invoked_arn or spec.arn, request_id, client_context=client_context)
    return runtime.invoke(spec, invocation)


def _header(headers: Mapping[str, Any] | None, name: str) -> str | None:
    if not headers:
        return None
    value = headers.get(name)
    if value is None:
        lowered = name.lower()
        value = next((v for k, v in headers.items() if str(k).lower() == lowered), None)
    return None if value is None else str(value)


def handle_invoke(
    fn: Any,
    body: Any,
    request_headers: Mapping[str, Any] | None,
    response_headers: MutableMapping[str, Any],
    *,
    runtime: LambdaRuntime,
    submit_event: Callable[[Any, bytes], str],
) -> bytes:
    """What moto's LambdaFunction.invoke returns; FunctionError and the log tail travel in response headers.

    The response's request id is the invocation's, as in Lambda: the one the handler sees and its logs carry.
    """
    invocation_type = _header(request_headers, "X-Amz-Invocation-Type") or "RequestResponse"
    payload = payload_bytes(body)
    client_context = client_context_json(_header(request_headers, "X-Amz-Client-Context"))  # sync calls pass it on
    if invocation_type == "DryRun":
        return b""
    if invocation_type == "Event" and len(payload) > ASYNC_PAYLOAD_LIMIT:
        raise RequestEntityTooLarge(ASYNC_PAYLOAD_LIMIT, "InvokeAsync")
    if len(payload) > SYNC_PAYLOAD_LIMIT:
        raise RequestEntityTooLarge(SYNC_PAYLOAD_LIMIT, "Invoke")
    if invocation_type == "Event":
        response_headers[REQUEST_ID_HEADER] = submit_event(fn, payload)
        return b""
    request_id = response_headers[REQUEST_ID_HEADER] = new_request_id()
    result = invoke_function(runtime, fn, payload, request_id=request_id, client_context=client_context)
    response_headers["x-amz-executed-version"] = result.executed_version
    if result.function_error:
        response_headers["x-amz-function-error"] = result.function_error
    if _header(request_headers, "X-Amz-Log-Type") == "Tail":
        response_headers["x-amz-log-result"] = base64.b64encode(result.log_tail().encode()).decode()
    return result.payload
