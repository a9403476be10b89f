"""How to ask each resource type's own service whether a resource still exists (one probe per type)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from workshop_utils.cloud.stacks import Resource

GONE = "gone"
PRESENT = "still there"
PENDING = "pending deletion"  # AWS has scheduled it (a KMS key's waiting period) or is still deleting it
UNCHECKED = "could not check"

ClientFactory = Callable[[str], Any]
# An error code with one of these in it means "no such resource": the check's answer, not a failure.
_NOT_FOUND = ("NotFound", "NoSuchEntity", "NonExistent", "DoesNotExist")


def _missing(error: ClientError) -> bool:
    return any(marker in error.response.get("Error", {}).get("Code", "") for marker in _NOT_FOUND)


def _answer(call: Callable[[], Any]) -> Any:
    """The call's response, or None when the service says there is no such resource."""
    try:
        return call()
    except ClientError as error:
        if _missing(error):
            return None
        raise


def _log_group(r: Resource, client: ClientFactory) -> tuple[str, str]:
    groups = client("logs").describe_log_groups(logGroupNamePrefix=r.physical_id)["logGroups"]
    return (PRESENT, "") if any(g["logGroupName"] == r.physical_id for g in groups) else (GONE, "")


def _event_invoke_config(r: Resource, client: ClientFactory) -> tuple[str, str]:
    lam = client("lambda")
    qualifier = r.prop("Qualifier", "$LATEST")
    found = [
        name
        for name in r.ref("FunctionName")
        if _answer(lambda name=name: lam.get_function_event_invoke_config(FunctionName=name, Qualifier=qualifier))
    ]
    return (PRESENT, "") if found else (GONE, "")


def _permission(r: Resource, client: ClientFactory) -> tuple[str, str]:
    # A permission is a statement in its function's resource policy, named by the physical id (which
    # CloudFormation may prefix with the function, "function|statement id"); it goes with its function.
    lam = client("lambda")
    sids = {r.physical_id, r.physical_id.rsplit("|", 1)[-1]}
    for name in r.ref("FunctionName"):
        policy = _answer(lambda name=name: lam.get_policy(FunctionName=name))
        statements = json.loads(policy["Policy"]).get("Statement", []) if policy else []
        if any(s.get("Sid") in sids for s in statements):
            return PRESENT, ""
    return GONE, ""


def _inline_policy(r: Resource, client: ClientFactory) -> tuple[str, str]:
    iam = client("iam")
    name = r.prop("PolicyName") or r.physical_id
    attached = [
        role for role in r.ref("Roles")
        if _answer(lambda role=role: iam.get_role_policy(RoleName=role, PolicyName=name))
    ]
    return (PRESENT, f"still on {', '.join(attached)}") if attached else (GONE, "")


def _topic_policy(r: Resource, client: ClientFactory) -> tuple[str, str]:
    # A topic policy is an attribute of its topics: it lives and dies with them.
    sns = client("sns")
    left = [arn for arn in r.ref("Topics") if _answer(lambda arn=arn: sns.get_topic_attributes(TopicArn=arn))]
    return (PRESENT, "its topic is still there") if left else (GONE, "")


def _queue_policy(r: Resource, client: ClientFactory) -> tuple[str, str]:
    sqs = client("sqs")
    left = []
    for url in r.ref("Queues"):
        attributes = _answer(lambda url=url: sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"]))
        if attributes and attributes.get("Attributes", {}).get("Policy"):
            left.append(url)
    return (PRESENT, "") if left else (GONE, "")


def _kms_key(r: Resource, client: ClientFactory) -> tuple[str, str]:
    described = _answer(lambda: client("kms").describe_key(KeyId=r.physical_id))
    if described is None:
        return GONE, ""
    metadata = described["KeyMetadata"]
    if metadata.get("KeyState") in ("PendingDeletion", "PendingReplicaDeletion"):
        when = metadata.get("DeletionDate")
        return PENDING, f"deleted by AWS on {_utc(when)}" if when else "scheduled for deletion"
    return PRESENT, f"key state {metadata.get('KeyState')}"


def _kms_alias(r: Resource, client: ClientFactory) -> tuple[str, str]:
    pages = client("kms").get_paginator("list_aliases").paginate()
    names = {alias["AliasName"] for page in pages for alias in page.get("Aliases", [])}
    return (PRESENT, "") if r.physical_id in names else (GONE, "")


def _utc(moment: datetime | str) -> str:
    if isinstance(moment, datetime):
        aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return aware.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return str(moment)


@dataclass(frozen=True)
class Check:
    """How to ask a resource's own service whether it still exists."""

    api: str
    probe: Callable[[Resource, ClientFactory], tuple[str, str]]


def _lookup(
    service: str,
    operation: str,
    parameter: str,
    *,
    status: Callable[[dict], object] | None = None,
    deleting: str = "",
    **extra: Any,
) -> Callable[[Resource, ClientFactory], tuple[str, str]]:
    """A probe that describes the resource by its physical id; some services answer "deleting" for a while."""

    def probe(r: Resource, client: ClientFactory) -> tuple[str, str]:
        described = _answer(lambda: getattr(client(service), operation)(**{parameter: r.physical_id}, **extra))
        if described is None:
            return GONE, ""
        if status is not None and status(described) == deleting:
            return PENDING, "being deleted"
        return PRESENT, ""

    return probe


CHECKS: dict[str, Check] = {
    "AWS::Lambda::Function": Check("Lambda GetFunction", _lookup("lambda", "get_function", "FunctionName")),
    "AWS::Lambda::EventSourceMapping": Check(
        "Lambda GetEventSourceMapping",
        _lookup("lambda", "get_event_source_mapping", "UUID", status=lambda d: d.get("State"), deleting="Deleting"),
    ),
    "AWS::Lambda::EventInvokeConfig": Check("Lambda GetFunctionEventInvokeConfig", _event_invoke_config),
    "AWS::Lambda::Permission": Check("Lambda GetPolicy (its function's)", _permission),
    "AWS::SNS::Topic": Check("SNS GetTopicAttributes", _lookup("sns", "get_topic_attributes", "TopicArn")),
    "AWS::SNS::Subscription": Check(
        "SNS GetSubscriptionAttributes", _lookup("sns", "get_subscription_attributes", "SubscriptionArn")
    ),
    "AWS::SNS::TopicPolicy": Check("SNS GetTopicAttributes (its topic's)", _topic_policy),
    "AWS::SQS::Queue": Check(
        "SQS GetQueueAttributes", _lookup("sqs", "get_queue_attributes", "QueueUrl", AttributeNames=["QueueArn"])
    ),
    "AWS::SQS::QueuePolicy": Check("SQS GetQueueAttributes Policy (its queue's)", _queue_policy),
    "AWS::StepFunctions::StateMachine": Check(
        "Step Functions DescribeStateMachine",
        _lookup("stepfunctions", "describe_state_machine", "stateMachineArn", status=lambda d: d.get("status"),
                deleting="DELETING"),
    ),
    "AWS::DynamoDB::Table": Check(
        "DynamoDB DescribeTable",
        _lookup("dynamodb", "describe_table", "TableName", status=lambda d: d["Table"].get("TableStatus"),
                deleting="DELETING"),
    ),
    "AWS::IAM::Role": Check("IAM GetRole", _lookup("iam", "get_role", "RoleName")),
    "AWS::IAM::Policy": Check("IAM GetRolePolicy (on each of its roles)", _inline_policy),
    "AWS::IAM::ManagedPolicy": Check("IAM GetPolicy", _lookup("iam", "get_policy", "PolicyArn")),
    "AWS::KMS::Key": Check("KMS DescribeKey", _kms_key),
    "AWS::KMS::Alias": Check("KMS ListAliases", _kms_alias),
    "AWS::Logs::LogGroup": Check("CloudWatch Logs DescribeLogGroups", _log_group),
}


