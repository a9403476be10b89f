"""Settings of the local cloud: fixed identity, the state directory and runtime limits read from the environment."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from workshop_utils.repo import REPO_ROOT

HOST = "127.0.0.1"
DEFAULT_PORT = 4566  # LocalStack's, so tools and habits carry over
DEFAULT_PORT_ENV = "LOCAL_CLOUD_DEFAULT_PORT"  # tests choose a "default" they occupy themselves
REGION = "us-east-1"
ACCOUNT_ID = "123456789012"
NATIVE_WINDOWS = (
    "The local cloud does not run on native Windows; open the workshop in WSL2 instead (run `wsl --install` "
    "in PowerShell, then clone the workshop and run `make lab` inside Ubuntu)."
)


def repo_root() -> Path:
    """The project checkout this package lives in."""
    return REPO_ROOT


def default_port() -> int:
    """The port `start` tries first; when it is taken (another user's local cloud), a free one is used."""
    raw = os.environ.get(DEFAULT_PORT_ENV, "").strip()
    return int(raw) if raw.isdigit() and 0 < int(raw) < 65536 else DEFAULT_PORT


def home_dir() -> Path:
    """Where the state file, the server log and unpacked function code live (env LOCAL_CLOUD_HOME).

    The checkout's .local_cloud when the checkout is this user's (a learner's own clone). In a checkout that
    belongs to someone else (one copy shared by every user of a JupyterHub host), each user gets a folder in
    their own home instead, so no two users ever share a state file, a token or a server.
    """
    configured = os.environ.get("LOCAL_CLOUD_HOME")
    if configured:
        return Path(configured).expanduser().resolve()
    root = repo_root()
    if _owned_by_current_user(root):
        return root / ".local_cloud"
    checkout = hashlib.sha256(str(root).encode()).hexdigest()[:8]
    return Path.home() / ".local_cloud" / f"{root.name}-{checkout}"


def _owned_by_current_user(path: Path) -> bool:
    getuid = getattr(os, "getuid", None)
    if getuid is None:  # no Unix users (native Windows, which `start` refuses anyway)
        return True
    try:
        return path.stat().st_uid == getuid()
    except OSError:
        return False


def endpoint_url(port: int) -> str:
    return f"http://{HOST}:{port}"


def _env_number(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return float(raw)
    except ValueError as error:
        raise ValueError(f"{name}={raw!r} is not a number; set it to a number such as {default}.") from error


@dataclass(frozen=True)
class RuntimeSettings:
    """Limits of the Lambda runtime; AWS's own values are noted where they differ."""

    max_workers_per_function: int = 4  # AWS: up to the account's concurrency (1000)
    retry_delay_seconds: float = 0.2  # AWS: about 1 minute, then 2 minutes
    init_timeout_seconds: float = 10.0  # AWS: the init phase may take 10 s
    # AWS reclaims an idle execution environment after some minutes (not documented; often 5 to 15). Three
    # minutes keeps a learner's reading pause warm yet gives a laptop its memory back soon after a notebook.
    idle_worker_seconds: float = 180.0

    @classmethod
    def from_env(cls) -> RuntimeSettings:
        return cls(
            max_workers_per_function=max(1, int(_env_number("LOCAL_CLOUD_MAX_WORKERS", cls.max_workers_per_function))),
            retry_delay_seconds=max(0.0, _env_number("LOCAL_CLOUD_RETRY_DELAY", cls.retry_delay_seconds)),
            init_timeout_seconds=max(1.0, _env_number("LOCAL_CLOUD_INIT_TIMEOUT", cls.init_timeout_seconds)),
            idle_worker_seconds=max(1.0, _env_number("LOCAL_CLOUD_WORKER_IDLE_SECONDS", cls.idle_worker_seconds)),
        )
