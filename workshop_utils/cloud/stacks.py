"""What is deployed: stack outputs and resources, read from CloudFormation on the current target."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from workshop_utils.cloud import target

PARALLEL_STACK = "ScatterGatherWithParallelStack"
SNS_STACK = "ScatterGatherWithSNSStack"
STACKS = (PARALLEL_STACK, SNS_STACK)
_DEPLOY_HINT = {
    PARALLEL_STACK: "run the deploy cell of notebook 01_parallel_state",
    SNS_STACK: "run the deploy cell of notebook 02_sns_scatter_gather",
}
_GONE = {"DELETE_COMPLETE"}


class StackNotDeployed(RuntimeError):
    """The stack a cell needs is not deployed on the current target."""


def deployed_description(stack: str, *, client: Callable[[str], Any] | None = None) -> dict | None:
    """The stack's description, or None when CloudFormation has no live stack of that name."""
    try:
        stacks = (client or target.client)("cloudformation").describe_stacks(StackName=stack)["Stacks"]
    except ClientError as error:
        if "does not exist" in str(error):
            return None
        raise
    live = [s for s in stacks if s["StackStatus"] not in _GONE]
    return live[0] if live else None


def is_deployed(stack: str) -> bool:
    """True when the stack exists and its last operation completed."""
    described = deployed_description(stack)
    return (
        bool(described)
        and described["StackStatus"].endswith("_COMPLETE")
        and not described["StackStatus"].startswith(("DELETE", "ROLLBACK"))
    )


def require_stack(stack: str) -> dict:
    """The stack's description, or StackNotDeployed with the cell to run."""
    described = deployed_description(stack)
    if not described:
        hint = _DEPLOY_HINT.get(stack, f"deploy it with `npx cdk deploy {stack}`")
        raise StackNotDeployed(f"{stack} is not deployed on the {target.current()} target: {hint}.")
    return described


def stack_outputs(stack: str) -> dict[str, str]:
    """The stack's CfnOutputs as a dict, from CloudFormation itself."""
    return {o["OutputKey"]: o["OutputValue"] for o in require_stack(stack).get("Outputs", [])}


def stack_resources(stack: str) -> list[dict]:
    """The stack's resources (LogicalResourceId, PhysicalResourceId, ResourceType)."""
    require_stack(stack)
    return target.client("cloudformation").describe_stack_resources(StackName=stack)["StackResources"]


def functions(stack: str, role: str) -> list[str]:
    """The names of the stack's functions whose logical id contains `role` (e.g. "Responder")."""
    return [
        r["PhysicalResourceId"]
        for r in stack_resources(stack)
        if r["ResourceType"] == "AWS::Lambda::Function" and role.lower() in r["LogicalResourceId"].lower()
    ]


@dataclass(frozen=True)
class Resource:
    """One resource a stack deployed, with what its check needs beyond the physical id (from the template)."""

    stack: str
    resource_type: str
    physical_id: str
    logical_id: str = ""
    # Template properties that name other resources (FunctionName, Roles, Topics ...), resolved to physical ids.
    refs: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # Plain template properties a check or the notebook reads (PolicyName, Qualifier, PendingWindowInDays ...).
    props: tuple[tuple[str, str], ...] = ()

    def ref(self, name: str) -> tuple[str, ...]:
        return dict(self.refs).get(name, ())

    def prop(self, name: str, default: str = "") -> str:
        return dict(self.props).get(name, default)

