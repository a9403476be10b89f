"""Start, stop and inspect the local cloud's background process (idempotent, shared by every notebook kernel)."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psutil

from . import state
from .config import HOST, NATIVE_WINDOWS, REGION, default_port, home_dir, repo_root
from .persistence.startup import start_report

Progress = Callable[[str], None] | None

# Servers this process started, so their exit can be reaped (a zombie still looks alive to kill(pid, 0)).
_children: dict[int, subprocess.Popen[bytes]] = {}


class LocalCloudError(RuntimeError):
    """Something a learner can fix; the message is one sentence that says how."""


@dataclass(frozen=True)
class Status:
    """Is the local cloud running (a live server process) and healthy (a real API call succeeds)?"""

    running: bool
    healthy: bool
    pid: int | None = None
    port: int | None = None
    endpoint_url: str | None = None
    log_file: str | None = None
    # This cloud's own keys (from the state file): the only ones its AWS API accepts. Not in as_dict(), so
    # `status --json` never prints the secret; `status --env` prints both for a terminal.
    access_key_id: str | None = field(default=None, repr=False)
    secret_access_key: str | None = field(default=None, repr=False)

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data.pop("access_key_id")
        data.pop("secret_access_key")
        return data

    def client_env(self) -> dict[str, str]:
        """The variables that point an AWS client (boto3, the AWS CLI, the CDK CLI) at this cloud."""
        if not self.running or not self.endpoint_url or not self.access_key_id:
            return {}
        return {"AWS_ENDPOINT_URL": self.endpoint_url, "AWS_ACCESS_KEY_ID": self.access_key_id,
                "AWS_SECRET_ACCESS_KEY": self.secret_access_key or "", "AWS_REGION": REGION,
                "AWS_DEFAULT_REGION": REGION}


def _say(progress: Progress, message: str) -> None:
    if progress is not None:
        progress(message)


def _home(home: Path | str | None) -> Path:
    return Path(home).expanduser().resolve() if home is not None else home_dir()


def healthy(endpoint_url: str, timeout: float = 3.0, *, record: state.ServerRecord | None = None) -> bool:
    """True when STS GetCallerIdentity, signed with the cloud's own keys, answers through boto3, as every notebook
    call would."""
    import boto3
    from botocore.config import Config

    if record is None or not record.access_key_id:
        return False  # a server from before per-cloud keys, or no record: nothing we could sign for
    try:
        client = boto3.client(
            "sts",
            endpoint_url=endpoint_url,
            region_name=REGION,
            aws_access_key_id=record.access_key_id,
            aws_secret_access_key=record.secret_access_key,
            config=Config(connect_timeout=timeout, read_timeout=timeout, retries={"total_max_attempts": 1}),
        )
        return bool(client.get_caller_identity().get("Account"))
    except Exception:
        return False


def _live_record(home: Path) -> state.ServerRecord | None:
    """This user's recorded server if it still runs; a record of a gone (or recycled, or foreign) pid is removed."""
    record = state.read_record(home)
    if record is None:
        return None
    if not _server_alive(record, home):
        state.remove_record(home, record.pid)
        return None
    return record


def recorded_endpoint(*, home: Path | str | None = None) -> str | None:
    """The endpoint of this user's running local cloud, from its state file (no API call), or None."""
    record = _live_record(_home(home))
    return record.endpoint_url if record is not None else None


def status(*, home: Path | str | None = None, timeout: float = 3.0) -> Status:
    """The current state; a state file whose process is gone is removed."""
    home = _home(home)
    record = _live_record(home)
    if record is None:
        return Status(running=False, healthy=False)
    return _status_of(record, healthy(record.endpoint_url, timeout, record=record))


def _status_of(record: state.ServerRecord, is_healthy: bool) -> Status:
    return Status(
        running=True,
        healthy=is_healthy,
        pid=record.pid,
        port=record.port,
        endpoint_url=record.endpoint_url,
        log_file=record.log_file,
        access_key_id=record.access_key_id,
        secret_access_key=record.secret_access_key,
    )


def recorded_status(*, home: Path | str | None = None) -> Status:
    """This user's running local cloud from its state file, with its keys, without an API call (healthy unknown:
    False)."""
    record = _live_record(_home(home))
    return _status_of(record, False) if record is not None else Status(running=False, healthy=False)


def server_info(*, home: Path | str | None = None, timeout: float = 3.0) -> dict[str, object]:
    """The server's own view: workers, SQS pollers, pending retries (GET /_local_cloud/status)."""
    record = _live_record(_home(home))
    if record is None:
        return {}
    request = urllib.request.Request(f"{record.endpoint_url}/_local_cloud/status", headers=_control_headers(record))
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())


def _control_headers(record: state.ServerRecord) -> dict[str, str]:
    return {state.TOKEN_HEADER: record.token}


def _server_alive(record: state.ServerRecord, home: Path) -> bool:
    """The record's pid is this user's server for this home, and it has not exited."""
    child = _children.get(record.pid)
    if child is not None and child.poll() is not None:  # our own child: reap it, a zombie still has a pid
        _children.pop(record.pid, None)
        return False
    return state.server_process(record, home) is not None


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
    home = _home(home)
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
        _say(progress, f"The local cloud is already running at {current.endpoint_url} (pid {current.pid}).")
        if not flexible and port not in (0, current.port):
            _say(progress, f"It listens on port {current.port}, not {port}; stop it first to change the port.")
        return current
    if not flexible and port != 0 and not _port_free(port):
        raise LocalCloudError(
            f"Port {port} on {HOST} is already in use by another program; stop that program or start the local "
            f"cloud on another port, e.g. `python -m workshop_utils.local_cloud start --port {port + 1}`."
        )
    _say(progress, f"Starting the local cloud on {HOST}:{port or '(a free port)'} ...")
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
    _children[process.pid] = process
    _say(progress, f"  server process {process.pid} started (log: {log_path})")
    deadline = started + timeout
    while True:
        returncode = process.poll()
        if returncode is not None:
            _children.pop(process.pid, None)
            raise LocalCloudError(_startup_error(log_path, returncode))
        record = state.read_record(home)
        if record is not None and record.pid == process.pid:
            break
        if time.perf_counter() > deadline:
            _terminate(process.pid)
            raise LocalCloudError(
                f"The local cloud did not start within {timeout:.0f} s; read its log with "
                "`python -m workshop_utils.local_cloud logs` and try again."
            )
        time.sleep(0.05)
    _say(progress, f"  listening on {record.endpoint_url} ({time.perf_counter() - started:.1f} s)")
    if port not in (0, record.port):
        _say(progress, f"Port {port} is taken (by another user's local cloud or another program), so this one "
                       f"listens on port {record.port}; the notebooks, make and the CLI find it there.")
    current = _status_of(record, False)
    try:
        current = _wait_healthy(current, home, deadline=deadline)
    except LocalCloudError:
        _terminate(process.pid)
        state.remove_record(home, process.pid)
        raise
    for line in start_report(home, current.pid, timeout=max(1.0, deadline - time.perf_counter())):
        _say(progress, line)  # what was restored from the last deploys, and what a crash lost
    _say(progress, f"Local cloud ready at {current.endpoint_url} ({time.perf_counter() - started:.1f} s).")
    return current


def _wait_healthy(current: Status, home: Path, *, deadline: float) -> Status:
    assert current.endpoint_url is not None and current.pid is not None
    while not healthy(current.endpoint_url, timeout=2.0, record=state.read_record(home)):
        if _live_record(home) is None:
            raise LocalCloudError(_startup_error(state.log_file(home), -1))
        if time.perf_counter() > deadline:
            raise LocalCloudError(
                f"The local cloud (pid {current.pid}) runs but does not answer; stop it with "
                "`python -m workshop_utils.local_cloud stop` and start it again."
            )
        time.sleep(0.1)
    record = _live_record(home)
    return _status_of(record, True) if record is not None else current


def _still_running(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _gone(process: psutil.Process) -> bool:
    child = _children.get(process.pid)
    if child is not None and child.poll() is not None:  # reaped here, or it would linger as a zombie
        return True
    return not _still_running(process)


def _wait_gone(process: psutil.Process, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not _gone(process):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _end_processes(processes: list[psutil.Process], seconds: float = 3.0) -> None:
    """SIGTERM, a short wait, then SIGKILL. psutil checks each pid still names the process it saw (no reuse)."""
    for process in processes:
        with contextlib.suppress(psutil.Error):
            process.terminate()
    _gone_ones, alive = psutil.wait_procs(processes, timeout=seconds)
    for process in alive:
        with contextlib.suppress(psutil.Error):
            process.kill()
    psutil.wait_procs(alive, timeout=seconds)


def _descendants(process: psutil.Process) -> list[psutil.Process]:
    """The server's workers (and anything they started), collected while the server still runs."""
    try:
        return process.children(recursive=True)
    except psutil.Error:
        return []


def _left_in_group(server: psutil.Process) -> list[psutil.Process]:
    """This user's processes still in the server's process group, started after it (what a worker left behind)."""
    try:
        since = server.create_time()
    except psutil.Error:
        return []
    left = []
    for pid in state.process_group_members(server.pid):
        with contextlib.suppress(psutil.Error):
            member = psutil.Process(pid)
            if member.create_time() >= since - 0.5:
                left.append(member)
    return left


def _terminate(pid: int) -> None:
    """End a server this process just started (it failed to come up), with its workers."""
    try:
        server = psutil.Process(pid)
    except psutil.NoSuchProcess:
        return
    workers = _descendants(server)
    _end_processes([server])
    _gone(server)  # reap it
    _end_processes([w for w in workers + _left_in_group(server) if _still_running(w)])
    _children.pop(pid, None)


def _ask_to_shut_down(record: state.ServerRecord) -> None:
    request = urllib.request.Request(f"{record.endpoint_url}/_local_cloud/shutdown", method="POST", data=b"",
                                     headers=_control_headers(record))
    try:
        urllib.request.urlopen(request, timeout=2).close()
    except OSError:  # no answer, or refused: the signals below still stop it
        pass


def stop(*, home: Path | str | None = None, timeout: float = 10.0, progress: Progress = print) -> Status:
    """Stop this user's server and every worker: shutdown API, then SIGTERM, then SIGKILL, then any leftover.

    Only a process that is this user's, runs our server module for this home and started when the record says
    is ever signalled: a stale record's recycled pid, or another user's server, is left alone.
    """
    home = _home(home)
    record = _live_record(home)
    server = state.server_process(record, home) if record is not None else None
    if record is None or server is None:
        _say(progress, "The local cloud is not running.")
        return Status(running=False, healthy=False)
    _say(progress, f"Stopping the local cloud (pid {record.pid}) ...")
    workers = _descendants(server)
    _ask_to_shut_down(record)
    if not _wait_gone(server, timeout / 2):
        _say(progress, "  no answer to the shutdown request; sending SIGTERM")
        with contextlib.suppress(psutil.Error):
            server.terminate()
        if not _wait_gone(server, timeout / 4):
            _say(progress, "  still running; sending SIGKILL")
            with contextlib.suppress(psutil.Error):
                server.kill()
            _wait_gone(server, timeout / 4)
    leftovers = {p.pid: p for p in workers + _left_in_group(server) if _still_running(p)}
    if leftovers:
        _end_processes(list(leftovers.values()))
    _children.pop(record.pid, None)
    state.remove_record(home, record.pid)
    _say(progress, "Stopped.")
    return Status(running=False, healthy=False)


def read_log(*, home: Path | str | None = None, tail: int | None = None) -> str:
    """The server log (lifecycle, worker starts and exits, retries, deliveries)."""
    path = state.log_file(_home(home))
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
