"""Start the local cloud's server in its own session and wait until it answers (idempotent, one start at a time)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from .. import state
from ..config import HOST, NATIVE_WINDOWS, REGION, default_port, repo_root
from ..persistence.startup import start_report
from .status import (
    LocalCloudError,
    Progress,
    Status,
    healthy,
    home_path,
    live_record,
    say,
    started_here,
    status,
    status_of,
)
from .stopping import terminate


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError:
            return False
    return True


def _server_environment(home: Path) -> dict[str, str]:
    """The caller's environment without anything that would point boto3 or moto elsewhere."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AWS_", "MOTO_")) and key not in ("LOCAL_CLOUD_HOME",)
    }
    env.update(
        {"AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION, "LOCAL_CLOUD_HOME": str(home), "PYTHONUNBUFFERED": "1"}
    )
    for key in (
        "LOCAL_CLOUD_MAX_WORKERS",
        "LOCAL_CLOUD_RETRY_DELAY",
        "LOCAL_CLOUD_INIT_TIMEOUT",
        "LOCAL_CLOUD_WORKER_IDLE_SECONDS",
    ):
        if key in os.environ:
            env[key] = os.environ[key]
    return env


def _startup_error(log_path: Path, returncode: int) -> str:
    try:
        lines = log_path.read_text(errors="replace").splitlines()
    except OSError:
        lines = []
    for line in reversed(lines):
        if line.startswith("local cloud: "):
            return line[len("local cloud: ") :]
    return (
        f"The local cloud stopped while starting (exit code {returncode}); read its log with "
        "`python -m workshop_utils.local_cloud logs` and start it again."
    )


@contextlib.contextmanager
def _starting(home: Path) -> Iterator[None]:
    """Serialize concurrent starts for one home (two kernels at once): the second then finds the first."""
    state.make_private_home(home)
    try:
        import fcntl
    except ImportError:
        yield
        return
    with open(home / "start.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def start(
    port: int | None = None,
    *,
    home: Path | str | None = None,
    timeout: float = 60.0,
    progress: Progress = print,
) -> Status:
    """Start the server in its own session (it outlives this process); a healthy one is just reported.

    No port, or the default one (4566): that port, or a free one when it is taken (another user's local cloud on
    a shared host), said in one line. Any other port is used as given or refused; 0 picks a free port.
    """
    if sys.platform == "win32":
        raise LocalCloudError(NATIVE_WINDOWS)
    home = home_path(home)
    with _starting(home):
        return _start(port, home, timeout, progress)


def _start(port: int | None, home: Path, timeout: float, progress: Progress) -> Status:
    started = time.perf_counter()
    flexible = port is None or port == default_port()
    port = default_port() if port is None else port
    current = status(home=home)
    if current.running:
        if not current.healthy:
            current = _wait_healthy(current, home, deadline=time.perf_counter() + 10)
        say(progress, f"The local cloud is already running at {current.endpoint_url} (pid {current.pid}).")
        if not flexible and port not in (0, current.port):
            say(progress, f"It listens on port {current.port}, not {port}; stop it first to change the port.")
        return current
    if not flexible and port != 0 and not _port_free(port):
        raise LocalCloudError(
            f"Port {port} on {HOST} is already in use by another program; stop that program or start the local "
            f"cloud on another port, e.g. `python -m workshop_utils.local_cloud start --port {port + 1}`."
        )
    say(progress, f"Starting the local cloud on {HOST}:{port or '(a free port)'} ...")
    state.make_private_home(home)
    log_path = state.log_file(home)
    if log_path.exists():
        log_path.replace(log_path.with_name(log_path.name + ".1"))
    threading.Thread(target=lambda: __import__("boto3"), daemon=True).start()  # overlap the import
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", state.SERVER_MODULE, "--port", str(port), "--home", str(home)]
            + (["--any-port-if-taken"] if flexible else []),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=repo_root(),
            env=_server_environment(home),
            start_new_session=True,  # survives the kernel; its process group holds every worker
        )
    started_here[process.pid] = process
    say(progress, f"  server process {process.pid} started (log: {log_path})")
    deadline = started + timeout
    while True:
        returncode = process.poll()
        if returncode is not None:
            started_here.pop(process.pid, None)
            raise LocalCloudError(_startup_error(log_path, returncode))
        record = state.read_record(home)
        if record is not None and record.pid == process.pid:
            break
        if time.perf_counter() > deadline:
            terminate(process.pid)
            raise LocalCloudError(
                f"The local cloud did not start within {timeout:.0f} s; read its log with "
                "`python -m workshop_utils.local_cloud logs` and try again."
            )
        time.sleep(0.05)
    say(progress, f"  listening on {record.endpoint_url} ({time.perf_counter() - started:.1f} s)")
    if port not in (0, record.port):
        say(progress, f"Port {port} is taken (by another user's local cloud or another program), so this one "
                      f"listens on port {record.port}; the notebooks, make and the CLI find it there.")
    current = status_of(record, False)
    try:
        current = _wait_healthy(current, home, deadline=deadline)
    except LocalCloudError:
        terminate(process.pid)
        state.remove_record(home, process.pid)
        raise
    for line in start_report(home, current.pid, timeout=max(1.0, deadline - time.perf_counter())):
        say(progress, line)  # what was restored from the last deploys, and what a crash lost
    say(progress, f"Local cloud ready at {current.endpoint_url} ({time.perf_counter() - started:.1f} s).")
    return current


def _wait_healthy(current: Status, home: Path, *, deadline: float) -> Status:
    assert current.endpoint_url is not None and current.pid is not None
    while not healthy(current.endpoint_url, timeout=2.0, record=state.read_record(home)):
        if live_record(home) is None:
            raise LocalCloudError(_startup_error(state.log_file(home), -1))
        if time.perf_counter() > deadline:
            raise LocalCloudError(
                f"The local cloud (pid {current.pid}) runs but does not answer; stop it with "
                "`python -m workshop_utils.local_cloud stop` and start it again."
            )
        time.sleep(0.1)
    record = live_record(home)
    return status_of(record, True) if record is not None else current
