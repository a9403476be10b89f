"""The set-up notebook's checklist: each prerequisite, whether it is met, and the fix when it is not."""

from __future__ import annotations

import importlib.metadata
import shutil
import subprocess
import sys
from dataclasses import dataclass

from workshop_utils.deploy.node import node_install_hint, node_major
from workshop_utils.repo import REPO_ROOT
from workshop_utils.teaching import exercise_link

# Not awslambdaric: the local cloud's workers run the project's own client; awslambdaric (Linux wheels only) is
# the conformance test's reference.
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


MIN_PYTHON = (3, 11, 5)


def check_python(version_info: tuple[int, ...] = tuple(sys.version_info[:3])) -> Check:
    version = ".".join(map(str, version_info[:3]))
    minimum = ".".join(map(str, MIN_PYTHON))
    return Check(
        f"Python {minimum}+",
        tuple(version_info[:3]) >= MIN_PYTHON,
        version,
        f"Install Python {minimum} to 3.13, then run `make setup PYTHON=python3.12` (your version) in a terminal.",
    )


def check_node() -> Check:
    node = shutil.which("node")
    version = _version_of([node, "--version"]) if node else None
    ok = (node_major(version) or 0) >= 20
    return Check(
        "Node.js 20+", ok, version or "not found", f"Install Node.js 22 ({node_install_hint()}), then `make setup`."
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


def check_exercises_link() -> Check:
    problem = exercise_link.problem()
    return Check("Exercises in the file browser", problem is None,
                 "notebooks/exercises links to exercises/" if problem is None else "not the link to exercises/",
                 problem or "Run `make setup` in a terminal: it puts the link back.")


def check_all(*, include_local_cloud: bool = True) -> list[Check]:
    """Every prerequisite, in the order the table shows them."""
    checks = [check_python(), check_node(), check_cdk_cli(), check_packages(), check_exercises_link()]
    if include_local_cloud:
        checks.append(check_local_cloud())
    return checks
