"""The warm workers of every function: a pool per function version, capped, reused, reaped when idle."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from ..config import RuntimeSettings
from . import logs
from .functions import FunctionCodeError, FunctionSpec, unpack_code
from .invocation import Invocation, InvocationResult, error_payload
from .workers import Worker

logger = logging.getLogger(__name__)


class FunctionPool:
    """The warm workers of one function version: reuse an idle one, start another up to the cap, else wait."""

    def __init__(self, settings: RuntimeSettings, endpoint_url: str, code_root: Path) -> None:
        self._settings = settings
        self._endpoint_url = endpoint_url
        self._code_root = code_root
        self._cond = threading.Condition()
        self._workers: list[Worker] = []
        self._fingerprint: str | None = None
        self._closed = False

    def invoke(self, spec: FunctionSpec, invocation: Invocation) -> InvocationResult:
        worker = self._acquire(spec)
        try:
            return worker.run(invocation, self._settings.init_timeout_seconds)
        finally:
            self._release(worker)

    def _acquire(self, spec: FunctionSpec) -> Worker:
        with self._cond:
            if spec.fingerprint != self._fingerprint:
                self._retire_all_locked()  # a redeploy: new code or configuration
                self._fingerprint = spec.fingerprint
            while True:
                if self._closed:
                    raise FunctionCodeError("ResourceNotFoundException", f"Function {spec.name} was deleted.")
                self._workers = [w for w in self._workers if w.alive]
                idle = [w for w in self._workers if not w.busy and w.fingerprint == spec.fingerprint]
                if idle:
                    worker = max(idle, key=lambda w: w.last_used)  # the warmest, so extra ones can go idle
                    worker.busy = True
                    return worker
                if len(self._workers) < self._settings.max_workers_per_function:
                    code_dir = unpack_code(spec, self._code_root)
                    worker = Worker(spec, code_dir=code_dir, endpoint_url=self._endpoint_url, on_exit=self._exited)
                    worker.busy = True
                    self._workers.append(worker)
                    break
                self._cond.wait()
        try:
            worker.start()
        except Exception:
            with self._cond:
                self._workers.remove(worker)
                self._cond.notify_all()
            raise
        return worker

    def _release(self, worker: Worker) -> None:
        with self._cond:
            worker.busy = False
            if worker.retired or not worker.alive or self._closed:
                worker.kill()
            self._reap_idle_locked()
            self._cond.notify_all()

    def refresh(self, fingerprint: str) -> None:
        """A redeploy: retire workers of other code or configuration now (busy ones when they finish)."""
        with self._cond:
            if self._fingerprint is not None and fingerprint != self._fingerprint:
                self._retire_all_locked()
                self._fingerprint = fingerprint
                self._workers = [w for w in self._workers if w.alive]

    def reap_idle(self) -> None:
        """Reclaim execution environments nobody used for a while (the next invocation starts cold)."""
        with self._cond:
            self._reap_idle_locked()

    def _reap_idle_locked(self) -> None:
        now = time.monotonic()
        for worker in self._workers:
            if not worker.busy and worker.alive and now - worker.last_used > self._settings.idle_worker_seconds:
                worker.retired = True
                worker.kill()
        self._workers = [w for w in self._workers if w.alive]

    def _exited(self, worker: Worker) -> None:
        with self._cond:
            if worker in self._workers:
                self._workers.remove(worker)
            self._cond.notify_all()

    def _retire_all_locked(self) -> None:
        for worker in self._workers:
            worker.retired = True
            if not worker.busy:
                worker.kill()

    def close(self) -> list[Worker]:
        with self._cond:
            self._closed = True
            workers = list(self._workers)
            self._retire_all_locked()
            self._cond.notify_all()
        return workers

    def describe(self) -> list[dict[str, object]]:
        with self._cond:
            return [w.describe() for w in self._workers if w.alive]


class LambdaRuntime:
    """All function pools of the local cloud, keyed by function ARN (version-qualified for published versions)."""

    def __init__(self, settings: RuntimeSettings, endpoint_url: str, code_root: Path) -> None:
        self.settings = settings
        self.endpoint_url = endpoint_url
        self.code_root = code_root
        self._pools: dict[str, FunctionPool] = {}
        self._lock = threading.Lock()
        self._closed = False
        self._stopping = threading.Event()
        threading.Thread(target=self._reap_forever, name="idle-worker-reaper", daemon=True).start()

    def _reap_forever(self) -> None:
        # A quarter of the idle time, at most 30 s: a worker goes within about 1.25 x idle_worker_seconds.
        interval = min(30.0, max(1.0, self.settings.idle_worker_seconds / 4))
        while not self._stopping.wait(interval):
            with self._lock:
                pools = list(self._pools.values())
            for pool in pools:
                pool.reap_idle()

    def invoke(self, spec: FunctionSpec, invocation: Invocation) -> InvocationResult:
        try:
            spec.check_runnable()
            return self._pool(spec.arn).invoke(spec, invocation)
        except FunctionCodeError as error:
            return self._cannot_run(spec, invocation, error)
        except Exception as error:  # e.g. the worker process could not be started
            logger.exception("invocation %s of %s failed in the local cloud", invocation.request_id, spec.name)
            problem = FunctionCodeError(
                "ServiceException",
                f"The local cloud could not run {spec.name} ({error}); read "
                "`python -m workshop_utils.local_cloud logs` for details.",
            )
            return self._cannot_run(spec, invocation, problem)

    def _pool(self, key: str) -> FunctionPool:
        with self._lock:
            if self._closed:
                raise FunctionCodeError("ServiceException", "The local cloud is shutting down; start it again.")
            pool = self._pools.get(key)
            if pool is None:
                pool = self._pools[key] = FunctionPool(self.settings, self.endpoint_url, self.code_root)
            return pool

    @staticmethod
    def _cannot_run(spec: FunctionSpec, invocation: Invocation, error: FunctionCodeError) -> InvocationResult:
        writer = logs.LogStreamWriter(spec.account_id, spec.region, spec.log_group, logs.new_stream_name(spec.version))
        invocation.started_at = time.monotonic()
        lines = [
            logs.start_line(invocation.request_id, spec.version),
            f"[ERROR] {error.error_type}: {error}",
            logs.end_line(invocation.request_id),
            logs.report_line(
                invocation.request_id,
                duration_ms=0.0,
                memory_size_mb=spec.memory_size,
                max_memory_used_mb=0,
                status="error",
                error_type=error.error_type,
            ),
        ]
        writer.write(*lines)
        invocation.log_lines.extend(lines)
        invocation.claim()
        invocation.complete(error_payload(error.error_type, str(error)), function_error="Unhandled",
                            error_type=error.error_type)
        assert invocation.result is not None
        return invocation.result

    def refresh(self, spec: FunctionSpec) -> None:
        """Called after UpdateFunctionCode/Configuration: old workers go unless nothing that matters changed."""
        with self._lock:
            pool = self._pools.get(spec.arn)
        if pool is not None:
            pool.refresh(spec.fingerprint)

    def retire(self, function_arn: str, *, versions: bool = True) -> None:
        """Stop the workers of a deleted function ($LATEST and, with versions, every published version)."""
        self.retire_matching(lambda key: key == function_arn or (versions and key.startswith(function_arn + ":")))

    def retire_matching(self, selects: Callable[[str], bool]) -> None:
        with self._lock:
            pools = [self._pools.pop(key) for key in [k for k in self._pools if selects(k)]]
        for pool in pools:
            pool.close()  # idle workers stop now, busy ones when their invocation ends

    def shutdown(self, timeout: float = 3.0) -> None:
        self._stopping.set()
        with self._lock:
            self._closed = True
            pools = list(self._pools.values())
            self._pools.clear()
        workers = [worker for pool in pools for worker in pool.close()]
        for worker in workers:
            worker.kill()
        deadline = time.monotonic() + timeout
        for worker in workers:
            worker.wait_exit(max(0.1, deadline - time.monotonic()))

    def describe(self) -> list[dict[str, object]]:
        with self._lock:
            pools = list(self._pools.values())
        return [entry for pool in pools for entry in pool.describe()]
