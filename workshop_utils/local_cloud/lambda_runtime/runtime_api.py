"""The Lambda Runtime API (2018-06-01) a worker's runtime client talks to: a loopback HTTP/1.1 endpoint per worker."""

from __future__ import annotations

import logging
import re
import secrets
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Protocol

import psutil

from ..config import HOST
from .invocation import Invocation
from .runtime_client.api import SECRET_HEADER

API_PREFIX = "/2018-06-01/runtime"
logger = logging.getLogger(__name__)
_INVOCATION_POST = re.compile(rf"^{API_PREFIX}/invocation/(?P<request_id>[^/]+)/(?P<kind>response|error)$")


# How long a connection waits for the worker's process to be known: it can connect before Popen has returned.
_SPAWN_WAIT_SECONDS = 10.0


class RuntimeApiBackend(Protocol):
    """What a worker offers its Runtime API endpoint."""

    runtime_secret: str  # the project's client presents it on every request

    def wait_spawned(self, timeout: float) -> int | None: ...  # the runtime process's pid, once started

    def next_invocation(self) -> Invocation | None: ...  # blocks until an event is assigned; None: retire

    def post_response(self, request_id: str, body: bytes) -> bool: ...

    def post_error(self, request_id: str, body: bytes, error_type: str | None) -> bool: ...

    def post_init_error(self, body: bytes, error_type: str | None) -> None: ...


def _utf8_header(text: str) -> str:
    """A header value that goes out as the text's UTF-8 bytes (http.server writes header values as Latin-1)."""
    return text.encode("utf-8").decode("latin-1")


class _RuntimeApiHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # the client keeps one connection open; HTTP/1.0 would reconnect every call
    disable_nagle_algorithm = True  # headers and body go out as separate writes; don't wait for the ACK
    server: RuntimeApiServer
    _process_checked: bool | None = None  # this connection's peer-process check, once made

    def _allowed(self) -> bool:
        """The worker's secret, or (for a client that sends none, such as awslambdaric) the connection belongs
        to the worker's own process. A wrong secret is refused outright."""
        offered = self.headers.get(SECRET_HEADER)
        if offered is not None:
            return secrets.compare_digest(offered.encode(), self.server.backend.runtime_secret.encode())
        if self._process_checked is None:
            self._process_checked = self.server.from_worker_process(self.client_address)
        return self._process_checked

    def _refuse(self) -> None:
        logger.warning("refused a Runtime API request from %s: neither the worker's secret nor its process",
                       self.client_address)
        self.close_connection = True
        self._reply(403, b'{"errorMessage": "this Runtime API serves its own execution environment only"}')

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's signature
        """Silence per-request logging; the server log is for lifecycle events."""

    def _reply(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in {"Content-Type": "application/json", **(headers or {})}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if not self._allowed():
            self._refuse()
            return
        if self.path != f"{API_PREFIX}/invocation/next":
            self._reply(404, b'{"errorMessage": "unknown Runtime API path"}')
            return
        invocation = self.server.backend.next_invocation()
        if invocation is None:
            self.close_connection = True
            self._reply(410, b'{"errorMessage": "this execution environment is being shut down"}')
            return
        headers = {
            "Lambda-Runtime-Aws-Request-Id": invocation.request_id,
            "Lambda-Runtime-Deadline-Ms": str(invocation.deadline_epoch_ms),
            "Lambda-Runtime-Invoked-Function-Arn": invocation.invoked_arn,
            "Lambda-Runtime-Trace-Id": invocation.trace_id,
        }
        if invocation.client_context is not None:
            headers["Lambda-Runtime-Client-Context"] = _utf8_header(invocation.client_context)
        if invocation.cognito_identity is not None:
            headers["Lambda-Runtime-Cognito-Identity"] = _utf8_header(invocation.cognito_identity)
        self._reply(200, invocation.payload, headers)

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        if not self._allowed():
            self._refuse()
            return
        body = self._read_body()
        error_type = self.headers.get("Lambda-Runtime-Function-Error-Type")
        if self.path == f"{API_PREFIX}/init/error":
            self.server.backend.post_init_error(body, error_type)
            self._reply(202, b'{"status": "OK"}')
            return
        match = _INVOCATION_POST.match(self.path)
        if not match:
            self._reply(404, b'{"errorMessage": "unknown Runtime API path"}')
            return
        request_id = match["request_id"]
        if match["kind"] == "response":
            accepted = self.server.backend.post_response(request_id, body)
        else:
            accepted = self.server.backend.post_error(request_id, body, error_type)
        if accepted:
            self._reply(202, b'{"status": "OK"}')
        else:
            self._reply(400, b'{"errorMessage": "unknown or finished request id", "errorType": "InvalidRequestID"}')


class RuntimeApiServer(ThreadingHTTPServer):
    """A Runtime API endpoint on 127.0.0.1 with an ephemeral port, serving one worker."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, backend: RuntimeApiBackend) -> None:
        super().__init__((HOST, 0), _RuntimeApiHandler)
        self.backend = backend
        self._thread = threading.Thread(target=self.serve_forever, name="runtime-api", daemon=True)

    def from_worker_process(self, client_address: object) -> bool:
        """The connection's two ends are among the worker process's own sockets (psutil, cross-platform; another
        user's process cannot own them). Slow where the machine has many sockets (tens of ms reading Linux's
        socket table), so only for a client without the secret, once per connection."""
        pid = self.backend.wait_spawned(_SPAWN_WAIT_SECONDS)
        return pid is not None and _owns_connection(pid, client_address, self.server_address)

    def handle_error(self, request: object, client_address: object) -> None:
        """A worker killed mid-request (timeout, retire) just closed its socket; anything else is logged."""
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError):
            return
        logger.exception("Runtime API request from %s failed", client_address)

    @property
    def address(self) -> str:
        """The value for AWS_LAMBDA_RUNTIME_API."""
        return f"{HOST}:{self.server_address[1]}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop serving without blocking the caller (shutdown waits for the serve loop's next poll)."""

        def _stop() -> None:
            self.shutdown()
            self.server_close()

        threading.Thread(target=_stop, name="runtime-api-stop", daemon=True).start()


def _owns_connection(pid: int, client_address: object, server_address: object) -> bool:
    """True when process `pid` holds the client end of the connection client_address -> server_address."""
    try:
        connections = psutil.Process(pid).net_connections(kind="tcp4")
    except psutil.Error:
        return False
    client, server = tuple(client_address), tuple(server_address)  # type: ignore[arg-type]
    return any(tuple(c.laddr) == client and tuple(c.raddr) == server for c in connections)
