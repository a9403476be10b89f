"""Which target this kernel uses (local, aws, or a custom endpoint), and what it remembers about it."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from typing import Any

LOCAL = "local"
AWS = "aws"
TARGETS = (LOCAL, AWS)
TARGET_ENV = "WORKSHOP_TARGET"
ENDPOINT_ENV = "WORKSHOP_ENDPOINT_URL"

LOCAL_ACCOUNT = "123456789012"
LOCAL_REGION = "us-east-1"


class TargetNotReady(RuntimeError):
    """The target cannot be used yet; the message is one sentence with the fix."""


@dataclass
class Remembered:
    """This kernel's choice of target, and what it learnt about that target (forgotten when the choice changes)."""

    chosen: str | None = None  # set by choose(); None: from the environment
    endpoint_override: str | None = None
    local_cloud: Any = None  # this user's local cloud (endpoint, keys) as last read from their state file
    local_cloud_stamp: int | None = None  # the state file's mtime when read
    account: dict[tuple, str] = field(default_factory=dict)  # per (target, endpoint, region)
    clients: dict[tuple, Any] = field(default_factory=dict)  # boto3 clients, per target, endpoint, keys ...


remembered = Remembered()
# Reentrant: building a client under it reads the local cloud's keys, which takes it again.
lock = threading.RLock()


def choose(name: str = LOCAL, endpoint_url: str | None = None) -> None:
    """Choose the target for this kernel, optionally with another emulator's endpoint, and forget the old one's."""
    name = _validated_name(name)
    with lock:
        remembered.chosen = name
        remembered.endpoint_override = endpoint_url.rstrip("/") if endpoint_url else None
        _forget()


def reset() -> None:
    """Forget use_target()'s choice and every cached client (the environment decides again)."""
    with lock:
        remembered.chosen = None
        remembered.endpoint_override = None
        _forget()


def _forget() -> None:
    remembered.local_cloud = None
    remembered.account.clear()
    remembered.clients.clear()


def _validated_name(name: str) -> str:
    cleaned = (name or "").strip().lower()
    if cleaned not in TARGETS:
        raise ValueError(f'Unknown target {name!r}: use "local" (the default) or "aws".')
    return cleaned


def current() -> str:
    """The target's name: use_target()'s choice, else env WORKSHOP_TARGET, else "local"."""
    if remembered.chosen:
        return remembered.chosen
    return _validated_name(os.environ.get(TARGET_ENV) or LOCAL)


def endpoint_override() -> str | None:
    """The custom endpoint: use_target(endpoint_url=...), else env WORKSHOP_ENDPOINT_URL, else None."""
    if remembered.endpoint_override:
        return remembered.endpoint_override
    value = os.environ.get(ENDPOINT_ENV, "").strip()
    return value.rstrip("/") or None


def emulated() -> bool:
    """Local cloud or another emulator: dummy credentials and the fixed account/region apply."""
    return current() == LOCAL or endpoint_override() is not None


def on_own_local_cloud() -> bool:
    """The learner's own local cloud (not another emulator, not AWS): its account and region are fixed."""
    return current() == LOCAL and not endpoint_override()
