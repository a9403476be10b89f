"""The learner's own local cloud, found in their own state file only: its status, endpoint and keys."""

from __future__ import annotations

import os
from typing import Any

from workshop_utils.cloud import choice
from workshop_utils.cloud.choice import TargetNotReady

# Another emulator (WORKSHOP_ENDPOINT_URL) without keys in the environment gets the emulators' usual dummy ones;
# the built-in local cloud accepts only its own keys, from the user's state file.
DUMMY_ACCESS_KEY = "testing"
DUMMY_SECRET_KEY = "testing"
LOCAL_CLOUD_DEFAULT_PORT = 4566  # where `start` tries first; clients never assume it, they read the state file

START_LOCAL_CLOUD = "`make cloud-start` (or `python -m workshop_utils.local_cloud start`)"
NOT_RUNNING = f"The local cloud is not running: run {START_LOCAL_CLOUD} in a terminal, then re-run this cell."


def local_cloud_status() -> Any | None:
    """The local cloud's Status (running, healthy, pid, port, endpoint_url), or None when it is not installed."""
    try:
        from workshop_utils.local_cloud import service
    except ImportError:
        return None
    return service.status()


def local_cloud() -> Any | None:
    """This user's running local cloud as their own state file records it (endpoint and keys, no API call), or
    None when it does not run (or is not installed)."""
    try:
        from workshop_utils.local_cloud import service
    except ImportError:
        return None
    recorded = service.recorded_status()
    return recorded if recorded.running else None


def _state_file_stamp() -> int | None:
    """When this user's state file last changed (a start or a stop rewrites it), or None without one."""
    try:
        from workshop_utils.local_cloud import config, state
    except ImportError:
        return None
    try:
        return state.state_file(config.home_dir()).stat().st_mtime_ns
    except OSError:
        return None


def forced_port_mismatch(port: int | None) -> TargetNotReady | None:
    """The error to raise when LOCAL_CLOUD_PORT (`make lab PORT=...`) names another port than the local cloud's."""
    value = os.environ.get("LOCAL_CLOUD_PORT", "").strip()
    forced = int(value) if value.isdigit() and int(value) > 0 else None  # 0 or unset: wherever it runs
    if forced is None or port is None or forced == port:
        return None
    return TargetNotReady(
        f"LOCAL_CLOUD_PORT is {forced} but your local cloud listens on port {port}: unset "
        "LOCAL_CLOUD_PORT (the notebooks then find the port themselves) and restart the kernel."
    )


def own_local_cloud() -> Any:
    """This user's local cloud, from their own state file only (remembered until that file changes).

    Never a guess: whatever listens on the default port may be another user's cloud, so without a running cloud
    in the state file there is no endpoint at all, and the request is not sent.
    """
    stamp = _state_file_stamp()
    remembered = choice.remembered
    with choice.lock:
        if stamp is not None and remembered.local_cloud is not None and remembered.local_cloud_stamp == stamp:
            return remembered.local_cloud
    found = local_cloud()
    if found is None:
        raise TargetNotReady(NOT_RUNNING)
    mismatch = forced_port_mismatch(found.port)
    if mismatch is not None:
        raise mismatch
    with choice.lock:
        remembered.local_cloud, remembered.local_cloud_stamp = found, stamp
    return found


def local_endpoint() -> str:
    """The endpoint of this user's running local cloud (TargetNotReady when it does not run)."""
    return str(own_local_cloud().endpoint_url).rstrip("/")


def emulator_credentials() -> tuple[str, str]:
    """The local cloud's own keys from the user's state file; for a custom emulator, the environment's keys
    when set, else dummy ones."""
    if not choice.endpoint_override():
        cloud = own_local_cloud()
        return str(cloud.access_key_id), str(cloud.secret_access_key)
    if os.environ.get("AWS_ACCESS_KEY_ID") and os.environ.get("AWS_SECRET_ACCESS_KEY"):
        return os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"]
    return DUMMY_ACCESS_KEY, DUMMY_SECRET_KEY
