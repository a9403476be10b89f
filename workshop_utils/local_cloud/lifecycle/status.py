"""Is this user's local cloud running (a live server process) and healthy (a real API call succeeds)?"""

from __future__ import annotations

import json
import subprocess
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .. import state
from ..config import REGION, home_dir

Progress = Callable[[str], None] | None

# Servers this process started, so their exit can be reaped (a zombie still looks alive to kill(pid, 0)).
started_here: dict[int, subprocess.Popen[bytes]] = {}


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


def say(progress: Progress, message: str) -> None:
    if progress is not None:
        progress(message)


def home_path(home: Path | str | None) -> Path:
    """The state folder asked for, or the configured one (LOCAL_CLOUD_HOME, else the default)."""
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


def live_record(home: Path) -> state.ServerRecord | None:
    """This user's recorded server if it still runs; a record of a gone (or recycled, or foreign) pid is removed."""
    record = state.read_record(home)
    if record is None:
        return None
    if not _server_alive(record, home):
        state.remove_record(home, record.pid)
        return None
    return record


def _server_alive(record: state.ServerRecord, home: Path) -> bool:
    """The record's pid is this user's server for this home, and it has not exited."""
    child = started_here.get(record.pid)
    if child is not None and child.poll() is not None:  # our own child: reap it, a zombie still has a pid
        started_here.pop(record.pid, None)
        return False
    return state.server_process(record, home) is not None


def recorded_endpoint(*, home: Path | str | None = None) -> str | None:
    """The endpoint of this user's running local cloud, from its state file (no API call), or None."""
    record = live_record(home_path(home))
    return record.endpoint_url if record is not None else None


def status(*, home: Path | str | None = None, timeout: float = 3.0) -> Status:
    """The current state; a state file whose process is gone is removed."""
    home = home_path(home)
    record = live_record(home)
    if record is None:
        return Status(running=False, healthy=False)
    return status_of(record, healthy(record.endpoint_url, timeout, record=record))


def status_of(record: state.ServerRecord, is_healthy: bool) -> Status:
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
    record = live_record(home_path(home))
    return status_of(record, False) if record is not None else Status(running=False, healthy=False)


def control_headers(record: state.ServerRecord) -> dict[str, str]:
    """What the server's control endpoints (/_local_cloud/...) ask of a caller: the token from the state file."""
    return {state.TOKEN_HEADER: record.token}


def server_info(*, home: Path | str | None = None, timeout: float = 3.0) -> dict[str, object]:
    """The server's own view: workers, SQS pollers, pending retries (GET /_local_cloud/status)."""
    record = live_record(home_path(home))
    if record is None:
        return {}
    request = urllib.request.Request(f"{record.endpoint_url}/_local_cloud/status", headers=control_headers(record))
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())
