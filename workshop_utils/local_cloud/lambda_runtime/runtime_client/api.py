"""The Runtime API (2018-06-01) from the runtime's side: next invocation, response, error, init error."""

from __future__ import annotations

import socket

from .encoding import to_json

TYPE_CHECKING = False  # typing is not imported at run time: every import delays the function's cold start
if TYPE_CHECKING:
    from typing import Any

API = "/2018-06-01/runtime"
ERROR_TYPE_HEADER = "Lambda-Runtime-Function-Error-Type"
XRAY_CAUSE_HEADER = "Lambda-Runtime-Function-XRay-Error-Cause"
XRAY_CAUSE_LIMIT = 1024 * 1024  # Lambda's header limit; a longer cause is left out
# The local cloud's proof that a request comes from this worker (its Runtime API port is visible to every user);
# the value comes from LOCAL_CLOUD_RUNTIME_SECRET, which runtime.main() takes out of the handler's environment.
SECRET_HEADER = "X-Local-Cloud-Runtime-Secret"
SECRET_ENV = "LOCAL_CLOUD_RUNTIME_SECRET"


def _utf8_header(value: str | None) -> str | None:
    """A JSON header's text: header bytes are read as Latin-1, Lambda sends UTF-8."""
    return None if value is None else value.encode("latin-1").decode("utf-8", "replace")


class NextEvent:
    """One invocation as GET /invocation/next hands it out (header names in lower case)."""

    def __init__(self, body: bytes, headers: dict[str, str]) -> None:
        self.body = body
        self.request_id = headers.get("lambda-runtime-aws-request-id") or ""
        self.deadline_ms = int(headers.get("lambda-runtime-deadline-ms") or 0)
        self.invoked_arn = headers.get("lambda-runtime-invoked-function-arn")
        self.trace_id = headers.get("lambda-runtime-trace-id")
        self.client_context = _utf8_header(headers.get("lambda-runtime-client-context"))
        self.cognito_identity = _utf8_header(headers.get("lambda-runtime-cognito-identity"))
        self.tenant_id = headers.get("lambda-runtime-aws-tenant-id")
        self.content_type = headers.get("content-type")


class RuntimeApiError(Exception):
    """The Runtime API answered with an unexpected status, or not at all."""


class RuntimeApiClient:
    """The Runtime API over one keep-alive HTTP/1.1 connection, reopened if the server closes it.

    A few lines over a socket rather than http.client: http.client imports email and ssl, which would add
    tens of milliseconds to every cold start (the endpoint is the local cloud's own, plain HTTP on loopback).
    """

    def __init__(self, address: str, secret: str | None = None) -> None:
        host, _, port = address.rpartition(":")
        self._address = (host, int(port))
        self._host = address.encode("latin-1")
        self._secret = [SECRET_HEADER.encode() + b": " + secret.encode("latin-1")] if secret else []
        self._socket: socket.socket | None = None
        self._reader: Any = None

    def _connect(self) -> None:
        self._socket = socket.create_connection(self._address)
        self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._reader = self._socket.makefile("rb")

    def _close(self) -> None:
        if self._socket is not None:
            self._reader.close()
            self._socket.close()
        self._socket = self._reader = None

    def _call(self, method: str, path: str, body: bytes | None, headers: dict[str, bytes], expected: int
              ) -> tuple[int, bytes, dict[str, str]]:
        if self._socket is None:
            self._connect()
        assert self._socket is not None
        lines = [f"{method} {API}{path} HTTP/1.1".encode(), b"Host: " + self._host, *self._secret]
        lines += [name.encode() + b": " + value for name, value in headers.items()]
        if body is not None:
            lines.append(b"Content-Length: " + str(len(body)).encode())
        self._socket.sendall(b"\r\n".join(lines) + b"\r\n\r\n" + (body or b""))
        status, reply_headers = self._read_head()
        if reply_headers.get("transfer-encoding", "identity").lower() != "identity":
            raise RuntimeApiError(f"{method} {API}{path}: a chunked reply is not supported")
        data = self._reader.read(int(reply_headers.get("content-length") or 0))
        if reply_headers.get("connection", "").lower() == "close":
            self._close()
        if status != expected and status != 410:
            raise RuntimeApiError(f"{method} {API}{path} answered {status}: {data[:200]!r}")
        return status, data, reply_headers

    def _read_head(self) -> tuple[int, dict[str, str]]:
        status_line = self._reader.readline(65537)
        if not status_line:
            self._close()
            raise RuntimeApiError("the Runtime API closed the connection")
        headers = {}
        while (line := self._reader.readline(65537)) not in (b"\r\n", b"\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        return int(status_line.split()[1]), headers

    def next(self) -> NextEvent | None:
        """The next invocation (blocks until there is one); None when the environment is shutting down."""
        status, body, headers = self._call("GET", "/invocation/next", None, {}, 200)
        return None if status == 410 else NextEvent(body, headers)

    def post_response(self, request_id: str, body: bytes, content_type: str) -> None:
        headers = {"Content-Type": content_type.encode()}
        self._call("POST", f"/invocation/{request_id}/response", body, headers, 202)

    def post_error(self, request_id: str, error: dict, cause: str, *, ensure_ascii: bool) -> None:
        headers = {"Content-Type": b"application/json", ERROR_TYPE_HEADER: error["errorType"].encode()}
        encoded_cause = cause.encode("utf-8")
        if len(encoded_cause) < XRAY_CAUSE_LIMIT:
            headers[XRAY_CAUSE_HEADER] = encoded_cause
        body = to_json(error, ensure_ascii=ensure_ascii).encode("utf-8")
        self._call("POST", f"/invocation/{request_id}/error", body, headers, 202)

    def post_init_error(self, error: dict, *, ensure_ascii: bool) -> None:
        body = to_json(error, ensure_ascii=ensure_ascii).encode("utf-8")
        self._call("POST", "/init/error", body, {ERROR_TYPE_HEADER: error["errorType"].encode()}, 202)
