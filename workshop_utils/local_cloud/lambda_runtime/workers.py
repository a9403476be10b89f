"""One warm worker: the project's Runtime API client running one handler, its endpoint, timeouts and log stream."""

from __future__ import annotations

import logging
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from .. import auth
from . import logs
from .functions import FunctionSpec
from .invocation import Invocation, InvocationResult, error_payload, iso_timestamp, timeout_payload
from .runtime_api import RuntimeApiServer
from .runtime_client.api import SECRET_ENV
from .worker_output import OutputPump

logger = logging.getLogger(__name__)

# The worker imports the client package from this folder with -P, then takes the folder off sys.path and the
# package's modules out of sys.modules: neither workshop_utils nor its dependencies load before the handler, this
# folder's other modules (logs, pool...) cannot shadow the handler's own, and the client comes from its cached
# bytecode (run as a script, it would be compiled at every cold start).
_CLIENT_BOOT = (
    "import sys; sys.path.insert(0, sys.argv[1]); from runtime_client.runtime import main; del sys.path[0]; "
    "[sys.modules.pop(name) for name in list(sys.modules) if name.partition('.')[0] == 'runtime_client']; "
    "sys.exit(main(sys.argv[1:]))"
)
CLIENT_COMMAND = (sys.executable, "-P", "-c", _CLIENT_BOOT, str(Path(__file__).parent))

_INHERITED_ENV = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "HOME", "TMPDIR", "SYSTEMROOT", "SSL_CERT_FILE")


def worker_environment(
    spec: FunctionSpec, *, code_dir: Path, runtime_api: str, endpoint_url: str, log_stream: str,
    credentials: auth.Credentials, runtime_secret: str,
) -> dict[str, str]:
    """The function's variables plus the ones Lambda sets (which win), pointed at the local cloud, with the
    temporary credentials the local cloud issued this environment (as Lambda passes its role's), never the
    owner's own keys."""
    env = {name: os.environ[name] for name in _INHERITED_ENV if name in os.environ}
    env.update(spec.environment)
    env.update(
        {
            "AWS_LAMBDA_RUNTIME_API": runtime_api,
            SECRET_ENV: runtime_secret,  # environment variables of another user's process are not readable
            "_HANDLER": spec.handler,
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{spec.runtime}",
            "AWS_LAMBDA_FUNCTION_NAME": spec.name,
            "AWS_LAMBDA_FUNCTION_VERSION": spec.version,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_size),
            "AWS_LAMBDA_LOG_GROUP_NAME": spec.log_group,
            "AWS_LAMBDA_LOG_STREAM_NAME": log_stream,
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "LAMBDA_TASK_ROOT": str(code_dir),
            "AWS_REGION": spec.region,
            "AWS_DEFAULT_REGION": spec.region,
            **credentials.as_env(),
            "AWS_ENDPOINT_URL": endpoint_url,  # the handler's own boto3 calls stay in the local cloud
            "TZ": ":UTC",
            "PYTHONUNBUFFERED": "1",  # print() reaches the log as it happens, even if the function then times out
        }
    )
    if spec.log_format == "JSON":  # LoggingConfig, as Lambda passes it to the runtime
        env["AWS_LAMBDA_LOG_FORMAT"] = "JSON"
        env["AWS_LAMBDA_LOG_LEVEL"] = spec.application_log_level or "INFO"
    return env


def _error_type_of(body: bytes) -> str | None:
    import json

    try:
        value = json.loads(body)
    except ValueError:
        return None
    return value.get("errorType") if isinstance(value, dict) else None


def _signal_text(number: int) -> str:
    """As Lambda words it: 'signal: killed', 'signal: segmentation fault'."""
    try:
        return (signal.strsignal(number) or str(number)).lower()
    except ValueError:
        return str(number)


class Worker:
    """One execution environment: a runtime process, its Runtime API endpoint and its log stream.

    `runtime_command` (the handler name is appended) is for the conformance test, which runs Lambda's own client
    the same way; the local cloud always runs the project's client.
    """

    def __init__(
        self,
        spec: FunctionSpec,
        *,
        code_dir: Path,
        endpoint_url: str,
        on_exit: Callable[[Worker], None],
        runtime_command: Sequence[str] = CLIENT_COMMAND,
    ) -> None:
        self.id = secrets.token_hex(4)
        self.runtime_secret = secrets.token_urlsafe(24)  # what the project's client presents to the Runtime API
        self.runtime_command = tuple(runtime_command)
        self.spec = spec
        self.fingerprint = spec.fingerprint
        self.code_dir = code_dir
        self.endpoint_url = endpoint_url
        self.busy = False  # owned by the pool's lock
        self.retired = False  # owned by the pool's lock
        self.invocations = 0
        self.last_used = time.monotonic()
        self.process: subprocess.Popen[bytes] | None = None
        stream = logs.new_stream_name(spec.version)
        self.log = logs.LogStreamWriter(spec.account_id, spec.region, spec.log_group, stream)
        self._on_exit_callback = on_exit
        self._cond = threading.Condition()
        self._current: Invocation | None = None
        self._closed = False
        self._killed = False
        self._initialized = False
        self._init_error: tuple[bytes, str | None] | None = None
        self._spawned_at = time.monotonic()
        self._init_duration_ms: float | None = None
        self._api = RuntimeApiServer(self)
        self._pump: OutputPump | None = None
        self._credentials: auth.Credentials | None = None
        self._spawn_done = threading.Event()  # the Runtime API waits for the pid it lets in

    # -- lifecycle -------------------------------------------------------------------------------
    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    @property
    def alive(self) -> bool:
        """Not retired and, once started, its process has not exited (checked without waiting for the pump)."""
        return not self._closed and (self.process is None or self.process.poll() is None)

    def wait_spawned(self, timeout: float) -> int | None:
        """The runtime process's pid once it is started (None if it did not start in time)."""
        self._spawn_done.wait(timeout)
        return self.pid

    def start(self) -> None:
        self._api.start()
        self._credentials = auth.store().issue()
        env = worker_environment(
            self.spec,
            code_dir=self.code_dir,
            runtime_api=self._api.address,
            endpoint_url=self.endpoint_url,
            log_stream=self.log.stream,
            credentials=self._credentials,
            runtime_secret=self.runtime_secret,
        )
        self.log.write(logs.init_start_line(self.spec.runtime, self.spec.region))
        self._spawned_at = time.monotonic()
        try:
            self.process = subprocess.Popen(
                [*self.runtime_command, self.spec.handler],
                cwd=self.code_dir,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
        except OSError:
            self._closed = True
            self._revoke_credentials()
            self._api.stop()
            raise
        finally:
            self._spawn_done.set()
        assert self.process.stdout is not None and self.process.stderr is not None
        self._pump = OutputPump([self.process.stdout, self.process.stderr], self._on_output, self._on_eof)
        self._pump.start()
        logger.info("worker %s started for %s (pid %s)", self.id, self.spec.name, self.process.pid)

    def kill(self) -> None:
        """Stop the process now (retire, timeout, delete); its exit is handled by the output pump."""
        # Kill before waking the Runtime API: a live runtime told "410 Gone" prints an error, and a log
        # line written after a delete would re-create the function's deleted log group.
        self._killed = True
        if self.process is not None and self.process.poll() is None:
            try:
                self.process.kill()
            except ProcessLookupError:
                pass
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._revoke_credentials()
        self._api.stop()

    def _revoke_credentials(self) -> None:
        """A gone environment's keys stop working, as a role session's do."""
        if self._credentials is not None:
            auth.store().revoke(self._credentials.access_key_id)

    def wait_exit(self, timeout: float) -> None:
        if self.process is not None:
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                logger.warning("worker %s (pid %s) did not exit in time", self.id, self.pid)

    def _on_eof(self) -> None:
        returncode = self.process.wait() if self.process else 0
        with self._cond:
            self._closed = True
            invocation = self._current
            self._cond.notify_all()
        self._revoke_credentials()
        self._api.stop()
        if invocation is not None and invocation.handed_out.is_set() and invocation.claim():
            reason = f"signal: {_signal_text(-returncode)}" if returncode < 0 else f"exit status {returncode}"
            message = f"RequestId: {invocation.request_id} Error: Runtime exited with error: {reason}"
            self._write(invocation, message, "Runtime.ExitError")
            self._write_end(invocation, status="error", error_type="Runtime.ExitError")
            invocation.complete(
                error_payload("Runtime.ExitError", message), function_error="Unhandled", error_type="Runtime.ExitError"
            )
        logger.info("worker %s for %s exited (%s)", self.id, self.spec.name, returncode)
        self._on_exit_callback(self)

    # -- logs ------------------------------------------------------------------------------------
    def _on_output(self, text: str) -> None:
        if self._killed:  # what a killed process still had in its pipe belongs to no invocation
            return
        invocation = self._current
        if invocation is not None and invocation.handed_out.is_set() and invocation.result is None:
            invocation.log_lines.append(text)
        self.log.write(text)

    def _write(self, invocation: Invocation | None, *lines: str) -> None:
        if invocation is not None:
            invocation.log_lines.extend(lines)
        self.log.write(*lines)

    def _write_end(self, invocation: Invocation, *, status: str | None = None, error_type: str | None = None) -> None:
        init_ms, self._init_duration_ms = self._init_duration_ms, None
        report = logs.report_line(
            invocation.request_id,
            duration_ms=invocation.elapsed_ms(),
            memory_size_mb=self.spec.memory_size,
            max_memory_used_mb=logs.max_memory_used_mb(self.pid),
            init_duration_ms=init_ms,
            status=status,
            error_type=error_type,
        )
        self._write(invocation, logs.end_line(invocation.request_id), report)

    def _drain(self) -> None:
        if self._pump is not None:
            self._pump.drain()

    # -- the Runtime API side (called from the endpoint's request threads) -------------------------
    def next_invocation(self) -> Invocation | None:
        with self._cond:
            if not self._initialized:
                self._initialized = True
                self._init_duration_ms = (time.monotonic() - self._spawned_at) * 1000
                self._cond.notify_all()
            while not self._closed and (self._current is None or self._current.handed_out.is_set()):
                self._cond.wait()
            if self._closed:
                return None
            invocation = self._current
            assert invocation is not None
            self._drain()  # init output belongs before START
            self._write(invocation, logs.start_line(invocation.request_id, self.spec.version))
            invocation.start(self.spec.timeout)
            self._cond.notify_all()  # run() waits for the hand-out
            return invocation

    def post_response(self, request_id: str, body: bytes) -> bool:
        return self._finish(request_id, body, None)

    def post_error(self, request_id: str, body: bytes, error_type: str | None) -> bool:
        return self._finish(request_id, body, error_type or _error_type_of(body) or "Unhandled")

    def post_init_error(self, body: bytes, error_type: str | None) -> None:
        with self._cond:
            self._init_error = (body, error_type or _error_type_of(body))
            self._cond.notify_all()

    def _finish(self, request_id: str, body: bytes, error_type: str | None) -> bool:
        invocation = self._current
        if invocation is None or invocation.request_id != request_id or not invocation.handed_out.is_set():
            return False
        if not invocation.claim():
            return True  # it already timed out; the runtime does not need to know
        self._drain()
        self._write_end(invocation)
        with self._cond:
            self._current = None
            self.invocations += 1
            self.last_used = time.monotonic()
        invocation.complete(body, function_error="Unhandled" if error_type else None, error_type=error_type)
        return True

    # -- the pool side ---------------------------------------------------------------------------
    def run(self, invocation: Invocation, init_timeout: float) -> InvocationResult:
        """Hand the invocation to the runtime and wait for its result, enforcing init and function timeouts."""
        with self._cond:
            self._current = invocation
            self._cond.notify_all()
            give_up = time.monotonic() + init_timeout
            while not invocation.handed_out.is_set() and not self._closed and self._init_error is None:
                remaining = give_up - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
        if not invocation.handed_out.is_set():
            self._fail_before_start(invocation, init_timeout)
        else:
            remaining = self.spec.timeout - (time.monotonic() - invocation.started_at)
            if not invocation.wait(max(0.0, remaining)) and invocation.claim():
                self._drain()  # before the kill: output of a killed process is dropped, this still belongs here
                self.kill()
                self._write(
                    invocation,
                    f"{iso_timestamp()} {invocation.request_id} Task timed out after {self.spec.timeout:.2f} seconds",
                )
                self._write_end(invocation, status="timeout")
                invocation.complete(
                    timeout_payload(invocation.request_id, self.spec.timeout),
                    function_error="Unhandled",
                    error_type="Sandbox.Timedout",
                )
        invocation.wait(None)
        assert invocation.result is not None
        invocation.result.executed_version = self.spec.version
        return invocation.result

    def _fail_before_start(self, invocation: Invocation, init_timeout: float) -> None:
        """Init failed (import error, crash, too slow): report it on this invocation and drop the worker."""
        if self._init_error is not None:
            body, error_type = self._init_error
            error_type = error_type or "Runtime.Unknown"
        elif self._closed:
            error_type = "Runtime.ExitError"
            body = error_payload(
                error_type, f"RequestId: {invocation.request_id} Error: Runtime exited before it was ready"
            )
        else:
            error_type = "Runtime.InitTimeout"
            body = error_payload(
                error_type, f"RequestId: {invocation.request_id} Error: Init phase timed out after {init_timeout:.2f} s"
            )
        self._drain()  # the init error's report, before the kill drops what the process wrote
        self.kill()
        if invocation.claim():
            invocation.started_at = time.monotonic()
            self._write(invocation, logs.start_line(invocation.request_id, self.spec.version))
            self._write_end(invocation, status="error", error_type=error_type)
            invocation.complete(body, function_error="Unhandled", error_type=error_type)

    def describe(self) -> dict[str, object]:
        return {
            "function": self.spec.name,
            "version": self.spec.version,
            "worker": self.id,
            "pid": self.pid,
            "busy": self.busy,
            "invocations": self.invocations,
            "log_stream": self.log.stream,
        }
