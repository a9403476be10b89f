"""Start, stop and inspect the local cloud's background process (idempotent, shared by every notebook kernel)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from . import state
from .lifecycle.starting import start
from .lifecycle.status import (
    LocalCloudError,
    Progress,
    Status,
    healthy,
    home_path,
    recorded_endpoint,
    recorded_status,
    server_info,
    status,
)
from .lifecycle.stopping import stop

# The names callers use as `service.<name>`; each lives in the lifecycle module of its concern.
__all__ = [
    "LocalCloudError",
    "Progress",
    "Status",
    "healthy",
    "private_cloud",
    "read_log",
    "recorded_endpoint",
    "recorded_status",
    "server_info",
    "start",
    "status",
    "stop",
]


def read_log(*, home: Path | str | None = None, tail: int | None = None) -> str:
    """The server log (lifecycle, worker starts and exits, retries, deliveries)."""
    path = state.log_file(home_path(home))
    try:
        text = path.read_text(errors="replace")
    except FileNotFoundError:
        return ""
    if tail is not None:
        text = "\n".join(text.splitlines()[-tail:]) + "\n"
    return text


@contextlib.contextmanager
def private_cloud(home: Path | str | None = None, *, progress: Progress = print) -> Iterator[Status]:
    """A local cloud of its own (a temporary state folder, a free port), stopped afterwards.

    For tests, the benchmark and headless notebook runs: a learner's own local cloud and its stacks are
    left alone. LOCAL_CLOUD_HOME and LOCAL_CLOUD_PORT point at it meanwhile, so kernels and subprocesses
    started inside the block use it too.
    """
    import tempfile

    saved = {key: os.environ.get(key) for key in ("LOCAL_CLOUD_HOME", "LOCAL_CLOUD_PORT")}
    with contextlib.ExitStack() as cleanup:
        folder = Path(home) if home is not None else Path(cleanup.enter_context(tempfile.TemporaryDirectory()))
        os.environ.update(LOCAL_CLOUD_HOME=str(folder), LOCAL_CLOUD_PORT="0")
        try:
            yield start(port=0, home=folder, progress=progress)
        finally:
            stop(home=folder, progress=progress)
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
