"""Function logs in CloudWatch Logs (moto's backend): stream names, START/END/REPORT lines as AWS writes them."""

from __future__ import annotations

import logging
import math
import secrets
import threading
import time
from dataclasses import dataclass

import psutil

logger = logging.getLogger(__name__)

# moto's LogStream.put_log_events is not thread-safe; every function log write goes through this lock.
_WRITE_LOCK = threading.Lock()


def default_log_group(function_name: str) -> str:
    return f"/aws/lambda/{function_name}"


def new_stream_name(version: str) -> str:
    """AWS's per-execution-environment stream name, e.g. 2024/01/31/[$LATEST]3f1c...; one per worker."""
    return time.strftime("%Y/%m/%d", time.gmtime()) + f"/[{version}]{secrets.token_hex(16)}"


def init_start_line(runtime: str, region: str) -> str:
    """e.g. INIT_START Runtime Version: python:3.11.local (AWS: python:3.11.v38, with a real version ARN)."""
    version = runtime.replace("python", "python:", 1) if runtime.startswith("python") else runtime
    return f"INIT_START Runtime Version: {version}.local\tRuntime Version ARN: arn:aws:lambda:{region}::runtime:local"


def start_line(request_id: str, version: str) -> str:
    return f"START RequestId: {request_id} Version: {version}"


def end_line(request_id: str) -> str:
    return f"END RequestId: {request_id}"


def report_line(
    request_id: str,
    *,
    duration_ms: float,
    memory_size_mb: int,
    max_memory_used_mb: int,
    init_duration_ms: float | None = None,
    status: str | None = None,
    error_type: str | None = None,
) -> str:
    fields = [
        f"REPORT RequestId: {request_id}",
        f"Duration: {duration_ms:.2f} ms",
        f"Billed Duration: {max(1, math.ceil(duration_ms))} ms",
        f"Memory Size: {memory_size_mb} MB",
        f"Max Memory Used: {max_memory_used_mb} MB",
    ]
    if init_duration_ms is not None:
        fields.append(f"Init Duration: {init_duration_ms:.2f} ms")
    if status:
        fields.append(f"Status: {status}")
    if error_type:
        fields.append(f"Error Type: {error_type}")
    return "\t".join(fields) + "\t"


def max_memory_used_mb(pid: int | None) -> int:
    """Lambda's Max Memory Used: the worker's peak resident memory so far, in MB (0 for a worker never seen alive).

    psutil's resident set size, sampled when the REPORT line is written and kept as the maximum per worker
    process, as Lambda's figure is the peak of its execution environment. One call on macOS and Linux: Linux's
    VmHWM (/proc) would also catch a spike that is gone by the end of an invocation, but macOS has nothing like
    it through psutil, and getrusage reports only the calling process or its exited children. So this is a
    lower bound of the true peak; for choosing a function's memory size it is the figure that matters.
    """
    if pid is None:
        return 0
    with _PEAKS_LOCK:
        sample = _PEAKS.get(pid)
        try:
            if sample is None or not sample.process.is_running():  # first REPORT, or the pid was recycled
                _forget_exited_workers()
                sample = _PEAKS[pid] = _PeakSample(psutil.Process(pid))
            sample.peak_bytes = max(sample.peak_bytes, sample.process.memory_info().rss)
        except psutil.Error:  # exited (a timeout kills the worker before its REPORT): keep what was seen
            pass
        return math.ceil(sample.peak_bytes / 2**20) if sample is not None else 0


@dataclass
class _PeakSample:
    process: psutil.Process
    peak_bytes: int = 0


_PEAKS: dict[int, _PeakSample] = {}
_PEAKS_LOCK = threading.Lock()


def _forget_exited_workers() -> None:
    """Called when a worker is first sampled, so the table holds only workers that still run."""
    for pid in [pid for pid, sample in _PEAKS.items() if not sample.process.is_running()]:
        del _PEAKS[pid]


class LogStreamWriter:
    """Appends events to one log stream, creating its group and stream on demand (they may be deleted meanwhile)."""

    def __init__(self, account_id: str, region: str, group: str, stream: str) -> None:
        self.account_id = account_id
        self.region = region
        self.group = group
        self.stream = stream
        self._last_timestamp = 0

    def write(self, *messages: str) -> None:
        if not messages:
            return
        from moto.logs.models import logs_backends

        with _WRITE_LOCK:
            timestamp = max(int(time.time() * 1000), self._last_timestamp)
            self._last_timestamp = timestamp
            try:
                backend = logs_backends[self.account_id][self.region]
                backend.ensure_log_group(self.group)
                backend.ensure_log_stream(self.group, self.stream)
                backend.put_log_events(
                    self.group, self.stream, [{"timestamp": timestamp, "message": m} for m in messages]
                )
            except Exception:  # a log write must never break an invocation
                logger.exception("could not write to log group %s stream %s", self.group, self.stream)
