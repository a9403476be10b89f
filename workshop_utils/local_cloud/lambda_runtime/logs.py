"""Function logs in CloudWatch Logs (moto's backend): stream names, START/END/REPORT lines as AWS writes them."""

from __future__ import annotations

import logging
import math
import secrets
import threading
import time
from pathlib import Path

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
    """Peak resident memory of a worker (VmHWM), as Lambda's Max Memory Used; 0 where /proc is missing."""
    if pid is None:
        return 0
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return math.ceil(int(line.split()[1]) / 1024)
    except (OSError, ValueError, IndexError):
        pass
    return 0


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
