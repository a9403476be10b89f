"""The CDK commands the notebooks call (synth, deploy, diff, destroy, bootstrap, outputs), on one default runner."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from workshop_utils.cloud.stacks import StackNotDeployed  # callers catch it as cdk.StackNotDeployed
from workshop_utils.deploy import warm_synth
from workshop_utils.deploy.cli_process import LineCallback, RunResult
from workshop_utils.deploy.context import context_overrides
from workshop_utils.deploy.failures import CdkCliMissing, CdkCommandFailed
from workshop_utils.deploy.fingerprint import fingerprint
from workshop_utils.deploy.progress import Progress, failure_summary, parse_progress
from workshop_utils.deploy.runner import CdkRunner

__all__ = [
    "CdkCliMissing",
    "CdkCommandFailed",
    "CdkRunner",
    "LineCallback",
    "Progress",
    "RunResult",
    "StackNotDeployed",
    "bootstrap",
    "context_overrides",
    "deploy",
    "destroy",
    "diff",
    "ensure_bootstrapped",
    "failure_summary",
    "fingerprint",
    "outputs",
    "parse_progress",
    "runner",
    "stop_warm_synth",
    "synth",
    "warm_up",
]

# The runner every function below uses (tests swap it for one of their own).
_runner = CdkRunner()


def runner() -> CdkRunner:
    return _runner


def synth(
    context: Mapping[str, Any] | None = None, *, on_line: LineCallback | None = None, force: bool = False
) -> Path:
    """Synthesize into cdk.out unless nothing changed since the last synth."""
    return _runner.synth(context, on_line=on_line, force=force)


def deploy(
    stack: str,
    context: Mapping[str, Any] | None = None,
    *,
    on_line: LineCallback | None = None,
    method: str | None = None,
) -> dict[str, str]:
    """Deploy `stack` to the current target with live progress; returns its outputs."""
    return _runner.deploy(stack, context, on_line=on_line, method=method)


def destroy(stack: str, *, on_line: LineCallback | None = None) -> None:
    """Destroy `stack` on the current target with live progress."""
    _runner.destroy(stack, on_line=on_line)


def diff(stack: str, context: Mapping[str, Any] | None = None, *, on_line: LineCallback | None = None) -> str:
    """`cdk diff` of `stack` with these context overrides, as text."""
    return _runner.diff(stack, context, on_line=on_line)


def outputs(stack: str) -> dict[str, str]:
    """The outputs of a deployed stack."""
    return _runner.outputs(stack)


def bootstrap(*, on_line: LineCallback | None = None) -> None:
    """Bootstrap the current target's account and region."""
    _runner.bootstrap(on_line=on_line)


def ensure_bootstrapped(*, on_line: LineCallback | None = None) -> bool:
    """Bootstrap the local cloud if needed (idempotent); on AWS, raise with the bootstrap command if missing."""
    return _runner.ensure_bootstrapped(on_line=on_line)


def warm_up(*, wait: bool = False) -> None:
    """Start the warm synth in the background, so the first context change is quick (a notebook's first cell)."""
    _runner.warm_up(wait=wait)


def stop_warm_synth() -> int:
    """End the warm synth processes of this checkout (every kernel's); the next synth starts one again."""
    if _runner.warm is not None:
        _runner.warm.stop()
    return warm_synth.stop_all(_runner.root)
