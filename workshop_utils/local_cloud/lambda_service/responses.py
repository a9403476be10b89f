"""moto's Lambda responses, answering Invoke with the invocation's own request id (x-amzn-RequestId)."""

from __future__ import annotations

from typing import Any

from moto.awslambda.responses import LambdaResponse

# Invoke sets this header; the response keeps it instead of the random id moto gives every response.
REQUEST_ID_HEADER = "x-amzn-requestid"


class LocalLambdaResponse(LambdaResponse):
    """Lambda's Invoke answers with the request id the function saw (context.aws_request_id, START/END/REPORT)."""

    @staticmethod
    def _enrich_response(headers: dict[str, str], body: Any) -> tuple[dict[str, str], Any]:  # type: ignore[override]
        request_id = headers.get(REQUEST_ID_HEADER)
        headers, body = LambdaResponse._enrich_response(headers, body)
        if request_id:
            headers[REQUEST_ID_HEADER] = request_id
            headers["x-amz-request-id"] = request_id
        return headers, body
