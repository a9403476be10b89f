"""The local cloud's state file (pid, port, token) and the checks that tell our live server from a stale record."""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psutil

SERVER_MODULE = "workshop_utils.local_cloud.server"
TOKEN_HEADER = "X-Local-Cloud-Token"
# Two readings of one process's start time may differ by rounding (clock ticks on Linux, microseconds on macOS);
# a recycled pid starts far later than that.
_START_TIME_TOLERANCE = 0.5


@dataclass(frozen=True)
class ServerRecord:
    """What the server writes once it listens: enough for its own user, and nobody else, to find and stop it."""

    pid: int
    port: int
    endpoint_url: str
    log_file: str
    started_at: float
    token: str = ""  # required by the control endpoints (/_local_cloud/...); the file is readable by its user only
    process_created_at: float | None = None  # psutil's create_time of the server, so a recycled pid is not ours
    # The only keys its AWS API accepts from clients (generated at start; SigV4 is checked with the secret).
    access_key_id: str = ""
    secret_access_key: str = field(default="", repr=False)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def state_file(home: Path) -> Path:
    return home / "state.json"


def log_file(home: Path) -> Path:
    return home / "server.log"


def make_private_home(home: Path) -> None:
    """Create the state folder, or close an existing one of ours, to its user only: on a shared host nobody else
    reads the server log, the unpacked function code or the state file."""
    home.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        info = home.stat()
        if info.st_mode & 0o077 and info.st_uid == current_uid():
            home.chmod(0o700)
    except OSError:  # not ours to change: the state file itself is still 0600
        pass


def read_record(home: Path) -> ServerRecord | None:
    """The recorded server, or None when there is no readable record."""
    try:
        data = json.loads(state_file(home).read_text())
        created = data.get("process_created_at")
        return ServerRecord(
            pid=int(data["pid"]),
            port=int(data["port"]),
            endpoint_url=str(data["endpoint_url"]),
            log_file=str(data["log_file"]),
            started_at=float(data["started_at"]),
            token=str(data.get("token", "")),
            process_created_at=float(created) if created is not None else None,
            access_key_id=str(data.get("access_key_id", "")),
            secret_access_key=str(data.get("secret_access_key", "")),
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def write_record(home: Path, record: ServerRecord) -> None:
    """Write atomically (a reader never sees half a file) and with mode 0600 (the token stays the user's)."""
    make_private_home(home)
    target = state_file(home)
    temporary = target.with_suffix(f".{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(json.dumps(record.as_dict(), indent=2))
    os.replace(temporary, target)


def remove_record(home: Path, pid: int | None = None) -> None:
    """Delete the record (only if it still names `pid`, when given)."""
    current = read_record(home)
    if pid is not None and current is not None and current.pid != pid:
        return
    try:
        state_file(home).unlink()
    except FileNotFoundError:
        pass


def process_alive(pid: int) -> bool:
    """True for a running process; zombies (exited, not yet reaped) count as gone."""
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
    except psutil.AccessDenied:  # another user's process: it exists
        return True


def current_uid() -> int | None:
    getuid = getattr(os, "getuid", None)
    return getuid() if getuid is not None else None


def owned_by_current_user(process: psutil.Process) -> bool:
    """Same real uid as this process (on a shared host, another learner's processes are never ours)."""
    uid = current_uid()
    if uid is None:
        return True
    try:
        return process.uids().real == uid
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return False


def runs_our_server(process: psutil.Process, home: Path | None = None) -> bool:
    """Its command line names our server module (and this home, when given): not whatever got the pid later."""
    try:
        command = process.cmdline()
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return False
    if SERVER_MODULE not in command:
        return False
    if home is None or "--home" not in command:  # started by hand with LOCAL_CLOUD_HOME: the start time decides
        return True
    return _same_path(command[command.index("--home") + 1 :][:1], home)


def _same_path(values: list[str], home: Path) -> bool:
    if not values:
        return False
    try:
        return Path(values[0]).expanduser().resolve() == home.expanduser().resolve()
    except OSError:
        return False


def server_process(record: ServerRecord, home: Path | None = None) -> psutil.Process | None:
    """The live process the record names, if it is this user's server for this home, else None (a stale record)."""
    try:
        process = psutil.Process(record.pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            return None
        if record.process_created_at is not None:
            if abs(process.create_time() - record.process_created_at) > _START_TIME_TOLERANCE:
                return None  # the pid was recycled
        elif process.create_time() > record.started_at + _START_TIME_TOLERANCE:
            return None  # a process started after the record was written cannot be the one it names
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return None
    if not owned_by_current_user(process) or not runs_our_server(process, home):
        return None
    return process


def process_group_members(pgid: int) -> list[int]:
    """This user's live processes whose process group is `pgid` (POSIX getpgid; empty where there are none)."""
    getpgid = getattr(os, "getpgid", None)
    if getpgid is None:
        return []
    members = []
    for process in psutil.process_iter():
        try:
            if getpgid(process.pid) == pgid and owned_by_current_user(process) and process_alive(process.pid):
                members.append(process.pid)
        except (OSError, psutil.Error):
            continue
    return members
