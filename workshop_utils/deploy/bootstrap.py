"""Bootstrapping the target (its CDKToolkit stack): done by itself on an emulator, on AWS only checked."""

from __future__ import annotations

from pathlib import Path

from workshop_utils.cloud import target


def is_emulated() -> bool:
    """The local cloud or a custom emulator (anything but real AWS)."""
    return target.current() == target.LOCAL or target.endpoint_override() is not None


def environment() -> str:
    """`aws://account/region` of the target, what `cdk bootstrap` is given."""
    info = target.describe()
    if not info.account or not info.region:
        raise target.TargetNotReady(
            "The account or region of the target is unknown: run target.check() for the fix, then re-run this cell."
        )
    return f"aws://{info.account}/{info.region}"


def workdir(build: Path) -> Path:
    """Where `cdk bootstrap` runs: outside the repo root on purpose, as with cdk.json in sight the CLI would
    synthesize the app first."""
    folder = build / "cdk-bootstrap"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def needs_bootstrap() -> bool:
    """True when the target is an emulator not bootstrapped yet; on AWS, TargetNotReady with the `cdk bootstrap`
    command to run when it is not bootstrapped (the workshop never bootstraps a real account)."""
    target.check(require_bootstrap=False)
    if target.is_bootstrapped():
        return False
    if not is_emulated():
        target.check()  # raises TargetNotReady with the `cdk bootstrap` command to run
        return False
    return True
