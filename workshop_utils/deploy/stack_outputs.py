"""A deployed stack's outputs: from the file its deploy wrote on this very target, else from CloudFormation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from workshop_utils.cloud import target
from workshop_utils.cloud.stacks import StackNotDeployed  # one exception, whichever module finds out


def outputs_file(build: Path, stack: str) -> Path:
    """Where `cdk deploy --outputs-file` writes the stack's outputs."""
    return build / f"cdk-outputs-{stack}.json"


def _stamp_file(build: Path, stack: str) -> Path:
    return build / f"cdk-outputs-{stack}.target.json"


def _target_stamp() -> dict[str, Any]:
    """The target the outputs were written on: a file from another target (or an earlier local cloud) is stale."""
    info = target.describe()
    stamp: dict[str, Any] = {"target": info.name, "endpoint": info.endpoint, "region": info.region}
    if target.current() == target.LOCAL and not target.endpoint_override():
        status = target.local_cloud_status()  # a restarted local cloud has forgotten its stacks
        stamp["local_cloud_pid"] = getattr(status, "pid", None)
    return stamp


def forget(build: Path, stack: str) -> None:
    """Before a deploy, after a destroy: no outputs file to trust."""
    outputs_file(build, stack).unlink(missing_ok=True)
    _stamp_file(build, stack).unlink(missing_ok=True)


def record_target(build: Path, stack: str) -> None:
    """After a deploy: the outputs file it wrote belongs to the current target."""
    _stamp_file(build, stack).write_text(json.dumps(_target_stamp(), indent=2))


def read_outputs(build: Path, stack: str) -> dict[str, str]:
    """The stack's outputs: from the file the last deploy wrote on this target, else from CloudFormation."""
    try:
        stamp = json.loads(_stamp_file(build, stack).read_text())
        written = json.loads(outputs_file(build, stack).read_text()).get(stack) or {}
    except (OSError, ValueError, AttributeError):
        stamp, written = None, {}
    if written and stamp == _target_stamp():
        return dict(written)
    try:
        described = target.client("cloudformation").describe_stacks(StackName=stack)["Stacks"]
    except ClientError as error:
        if "does not exist" in str(error):
            raise StackNotDeployed(
                f"{stack} is not deployed on the {target.current()} target: run its deploy cell "
                f"(workshop_utils.deploy.cdk.deploy({stack!r})), then re-run this cell."
            ) from error
        raise
    return {item["OutputKey"]: item["OutputValue"] for item in (described[0].get("Outputs") or [])}
