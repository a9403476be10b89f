"""What is deployed: stack outputs, resources and leftovers, read from CloudFormation on the current target."""

from __future__ import annotations

from dataclasses import dataclass

from botocore.exceptions import ClientError

from workshop_utils import target

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


def _describe(stack: str) -> dict | None:
    try:
        stacks = target.client("cloudformation").describe_stacks(StackName=stack)["Stacks"]
    except ClientError as error:
        if "does not exist" in str(error):
            return None
        raise
    live = [s for s in stacks if s["StackStatus"] not in _GONE]
    return live[0] if live else None


def is_deployed(stack: str) -> bool:
    """True when the stack exists and its last operation completed."""
    described = _describe(stack)
    return (
        bool(described)
        and described["StackStatus"].endswith("_COMPLETE")
        and not described["StackStatus"].startswith(("DELETE", "ROLLBACK"))
    )


def require_stack(stack: str) -> dict:
    """The stack's description, or StackNotDeployed with the cell to run."""
    described = _describe(stack)
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


# How to tell whether a resource of each type still exists (the types a learner pays for or sees).
_EXISTS = {
    "AWS::Lambda::Function": ("lambda", "get_function", "FunctionName"),
    "AWS::Logs::LogGroup": ("logs", None, None),
    "AWS::SQS::Queue": ("sqs", "get_queue_attributes", "QueueUrl"),
    "AWS::SNS::Topic": ("sns", "get_topic_attributes", "TopicArn"),
    "AWS::StepFunctions::StateMachine": ("stepfunctions", "describe_state_machine", "stateMachineArn"),
    "AWS::DynamoDB::Table": ("dynamodb", "describe_table", "TableName"),
}


@dataclass(frozen=True)
class Resource:
    """One deployed resource worth checking after a destroy."""

    stack: str
    resource_type: str
    physical_id: str


def inventory(stacks: tuple[str, ...] = STACKS) -> list[Resource]:
    """The checkable resources of every deployed workshop stack (take it before destroying)."""
    found = []
    for stack in stacks:
        if not _describe(stack):
            continue
        for r in target.client("cloudformation").describe_stack_resources(StackName=stack)["StackResources"]:
            if r["ResourceType"] in _EXISTS and r.get("PhysicalResourceId"):
                found.append(Resource(stack, r["ResourceType"], r["PhysicalResourceId"]))
    return found


def _exists(resource: Resource) -> bool:
    service, operation, parameter = _EXISTS[resource.resource_type]
    client = target.client(service)
    if operation is None:  # log groups: no single-group describe call
        groups = client.describe_log_groups(logGroupNamePrefix=resource.physical_id)["logGroups"]
        return any(g["logGroupName"] == resource.physical_id for g in groups)
    try:
        getattr(client, operation)(**{parameter: resource.physical_id})
    except ClientError:
        return False
    return True


def leftovers(resources: list[Resource]) -> list[Resource]:
    """The resources of an earlier inventory that still exist, plus any workshop stack still deployed."""
    left = [r for r in resources if _exists(r)]
    left += [Resource(s, "AWS::CloudFormation::Stack", s) for s in STACKS if _describe(s)]
    return left
