"""The set-up notebook's checklist: each prerequisite, whether it is met, and the fix when it is not."""

from __future__ import annotations

import importlib.metadata
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("aws-cdk-lib", "constructs", "boto3", "moto", "ipywidgets", "jupyterlab")


@dataclass(frozen=True)
class Check:
    """One row of the prerequisites table."""

    name: str
    ok: bool
    found: str
    fix: str = ""


def _version_of(command: list[str]) -> str | None:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=REPO_ROOT)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip().splitlines()[0] if done.returncode == 0 and done.stdout.strip() else None


def check_python() -> Check:
    version = ".".join(map(str, sys.version_info[:3]))
    return Check(
        "Python 3.11+", sys.version_info >= (3, 11), version, "Install Python 3.11 or newer, then `make setup`."
    )


def check_node() -> Check:
    node = shutil.which("node")
    version = _version_of([node, "--version"]) if node else None
    ok = bool(version) and int(version.lstrip("v").split(".")[0]) >= 20
    return Check(
        "Node.js 20+", ok, version or "not found", "Install Node.js 20 or newer (nodejs.org), then `make setup`."
    )


def check_cdk_cli() -> Check:
    cdk = REPO_ROOT / "node_modules" / ".bin" / "cdk"
    version = _version_of([str(cdk), "--version"]) if cdk.exists() else None
    return Check("AWS CDK CLI (pinned)", bool(version), version or "not installed", "Run `make setup` in a terminal.")


def check_packages() -> Check:
    missing, found = [], []
    for package in PACKAGES:
        try:
            found.append(f"{package} {importlib.metadata.version(package)}")
        except importlib.metadata.PackageNotFoundError:
            missing.append(package)
    return Check(
        "Python packages",
        not missing,
        ", ".join(found) if not missing else "missing: " + ", ".join(missing),
        "Run `make setup`, then restart the kernel (Kernel > Restart).",
    )


def check_local_cloud() -> Check:
    from workshop_utils.local_cloud import service

    status = service.status()
    found = (
        f"healthy at {status.endpoint_url}"
        if status.healthy
        else ("running, not answering" if status.running else "stopped")
    )
    return Check("Local cloud", status.healthy, found, "Run the next cell, or `make cloud-start` in a terminal.")


def check_all(*, include_local_cloud: bool = True) -> list[Check]:
    """Every prerequisite, in the order the table shows them."""
    checks = [check_python(), check_node(), check_cdk_cli(), check_packages()]
    if include_local_cloud:
        checks.append(check_local_cloud())
    return checks
