"""One Lambda invocation as it travels through a worker, its result, and AWS's error payloads."""

from __future__ import annotations

import json
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field


def new_request_id() -> str:
    return str(uuid.uuid4())


def new_trace_id() -> str:
    """An X-Ray style trace header; Lambda sends one with every invocation (the runtime sets _X_AMZN_TRACE_ID)."""
    return f"Root=1-{int(time.time()):08x}-{secrets.token_hex(12)};Parent={secrets.token_hex(8)};Sampled=0"


def iso_timestamp(epoch: float | None = None) -> str:
    """AWS's millisecond UTC timestamp, e.g. 2024-01-31T12:00:00.123Z."""
    epoch = time.time() if epoch is None else epoch
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch)) + f".{int(epoch * 1000) % 1000:03d}Z"


def error_payload(error_type: str, message: str) -> bytes:
    return json.dumps({"errorType": error_type, "errorMessage": message}).encode()


def timeout_payload(request_id: str, timeout_seconds: float) -> bytes:
    """What Lambda returns when a function runs past its timeout."""
    message = f"{iso_timestamp()} {request_id} Task timed out after {timeout_seconds:.2f} seconds"
    return json.dumps({"errorMessage": message}).encode()


@dataclass
class InvocationResult:
    """The outcome of one invocation: payload plus FunctionError ("Unhandled") when it failed."""

    request_id: str
    payload: bytes
    function_error: str | None = None
    error_type: str | None = None
    executed_version: str = "$LATEST"
    log_lines: list[str] = field(default_factory=list)
    duration_ms: float = 0.0

    @property
    def failed(self) -> bool:
        return self.function_error is not None

    def log_tail(self, limit: int = 4096) -> str:
        """The last 4 KB of this invocation's log, as LogType=Tail returns it."""
        text = "\n".join(self.log_lines) + "\n"
        encoded = text.encode()[-limit:]
        return encoded.decode(errors="ignore")


class Invocation:
    """An event waiting for, running in, or finished by a worker; finishes exactly once."""

    def __init__(
        self,
        payload: bytes,
        invoked_arn: str,
        request_id: str | None = None,
        *,
        client_context: str | None = None,
        cognito_identity: str | None = None,
    ) -> None:
        self.request_id = request_id or new_request_id()
        self.payload = payload
        self.invoked_arn = invoked_arn
        self.client_context = client_context  # JSON text, as the Runtime API passes it (Invoke sends base64)
        self.cognito_identity = cognito_identity  # JSON text; only mobile SDK calls carry one
        self.trace_id = new_trace_id()
        self.handed_out = threading.Event()
        self.started_at = 0.0  # time.monotonic() when the worker took it
        self.deadline_epoch_ms = 0
        self.log_lines: list[str] = []
        self._finished = threading.Event()
        self._lock = threading.Lock()
        self._claimed = False
        self.result: InvocationResult | None = None

    def start(self, timeout_seconds: float) -> None:
        self.started_at = time.monotonic()
        self.deadline_epoch_ms = int((time.time() + timeout_seconds) * 1000)
        self.handed_out.set()

    def elapsed_ms(self) -> float:
        return (time.monotonic() - self.started_at) * 1000 if self.started_at else 0.0

    def claim(self) -> bool:
        """Take the right to finish this invocation; False when another path (timeout, crash) has it."""
        with self._lock:
            if self._claimed:
                return False
            self._claimed = True
            return True

    def complete(self, payload: bytes, *, function_error: str | None = None, error_type: str | None = None) -> None:
        """Publish the outcome (after claim() and after the log lines are written) and wake the waiter."""
        self.result = InvocationResult(
            request_id=self.request_id,
            payload=payload,
            function_error=function_error,
            error_type=error_type,
            log_lines=self.log_lines,
            duration_ms=self.elapsed_ms(),
        )
        self._finished.set()

    @property
    def claimed(self) -> bool:
        return self._claimed

    def wait(self, timeout: float | None) -> bool:
        return self._finished.wait(timeout)
