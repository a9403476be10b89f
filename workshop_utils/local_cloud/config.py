"""Settings of the local cloud: fixed identity, the state directory and runtime limits read from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

HOST = "127.0.0.1"
DEFAULT_PORT = 4566
REGION = "us-east-1"
ACCOUNT_ID = "123456789012"
DUMMY_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


def repo_root() -> Path:
    """The project checkout this package lives in."""
    return Path(__file__).resolve().parents[2]


def home_dir() -> Path:
    """Where the state file, the server log and unpacked function code live (env LOCAL_CLOUD_HOME)."""
    configured = os.environ.get("LOCAL_CLOUD_HOME")
    return Path(configured).expanduser().resolve() if configured else repo_root() / ".local_cloud"


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
    idle_worker_seconds: float = 600.0  # AWS: execution environments are reclaimed after some idle minutes

    @classmethod
    def from_env(cls) -> RuntimeSettings:
        return cls(
            max_workers_per_function=max(1, int(_env_number("LOCAL_CLOUD_MAX_WORKERS", cls.max_workers_per_function))),
            retry_delay_seconds=max(0.0, _env_number("LOCAL_CLOUD_RETRY_DELAY", cls.retry_delay_seconds)),
            init_timeout_seconds=max(1.0, _env_number("LOCAL_CLOUD_INIT_TIMEOUT", cls.init_timeout_seconds)),
            idle_worker_seconds=max(1.0, _env_number("LOCAL_CLOUD_WORKER_IDLE_SECONDS", cls.idle_worker_seconds)),
        )
