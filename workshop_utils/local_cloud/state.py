"""The local cloud's state file (pid, port) and the checks that tell a live server from a stale record."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

SERVER_MODULE = "workshop_utils.local_cloud.server"


@dataclass(frozen=True)
class ServerRecord:
    """What the server writes once it listens: enough for any process to find and stop it."""

    pid: int
    port: int
    endpoint_url: str
    log_file: str
    started_at: float

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def state_file(home: Path) -> Path:
    return home / "state.json"


def log_file(home: Path) -> Path:
    return home / "server.log"


def read_record(home: Path) -> ServerRecord | None:
    """The recorded server, or None when there is no readable record."""
    try:
        data = json.loads(state_file(home).read_text())
        return ServerRecord(
            pid=int(data["pid"]),
            port=int(data["port"]),
            endpoint_url=str(data["endpoint_url"]),
            log_file=str(data["log_file"]),
            started_at=float(data["started_at"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_record(home: Path, record: ServerRecord) -> None:
    """Write atomically, so a reader never sees half a file."""
    home.mkdir(parents=True, exist_ok=True)
    target = state_file(home)
    temporary = target.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_text(json.dumps(record.as_dict(), indent=2))
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
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    if stat.exists():
        try:
            return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
        except (OSError, IndexError):
            return True
    return True


def is_local_cloud_server(pid: int) -> bool:
    """Guard against pid reuse: the process must be our server module, not whatever got the pid later."""
    if not process_alive(pid):
        return False
    cmdline = Path(f"/proc/{pid}/cmdline")
    if cmdline.exists():
        try:
            return SERVER_MODULE in cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            return False
    if sys.platform == "win32":
        return True
    try:
        command = subprocess.run(
            ["ps", "-p", str(pid), "-o", "command="], capture_output=True, text=True, timeout=5, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return True
    return SERVER_MODULE in command


def process_group_members(pgid: int) -> list[int]:
    """Pids whose process group is `pgid` (Linux /proc; empty elsewhere)."""
    members = []
    proc = Path("/proc")
    if not proc.exists():
        return members
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if len(fields) > 2 and fields[2] == str(pgid) and fields[0] != "Z":
            members.append(int(entry.name))
    return members
