"""Read a deployed stack's wiring through the target's APIs: subscriptions, destinations, event sources, redrives."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import unquote

from botocore.exceptions import ClientError

from workshop_utils.cloud import stacks, target
from workshop_utils.wiring.model import Builder, Wiring, as_list, seconds

SOURCES = ("subscriptions", "destinations", "event sources", "redrive policies", "state machine definitions",
           "IAM policies")
_GONE = {"ResourceNotFoundException", "ResourceNotFound", "NotFound", "NotFoundException", "StateMachineDoesNotExist",
         "AWS.SimpleQueueService.NonExistentQueue", "NonExistentQueue", "QueueDoesNotExist", "NoSuchEntity"}
_DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError"}


class WiringUnreadable(RuntimeError):
    """A resource of the stack could not be read (the stack is changing, or access is denied)."""


def read_deployed(stack: str) -> Wiring:
    """The wiring of `stack` as deployed on the current target, nodes keyed by logical id.

    Raises stacks.StackNotDeployed (with the cell to run) when the stack is not there, and WiringUnreadable (with
    what to do) when one of its resources cannot be read.
    """
    resources = stacks.stack_resources(stack)
    reader = _Reader(stack)
    current = "its resources"
    try:
        for resource in resources:
            kind, key = resource["ResourceType"], resource["LogicalResourceId"]
            current = f"{key} ({kind})"
            reader.add(kind, key, resource.get("PhysicalResourceId") or "")
        current = "its wiring"
        reader.connect()
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        if code in _GONE:
            fix = "wait until its deploy or destroy has finished, then run this cell again"
        elif code in _DENIED:
            fix = ("use credentials that may read Lambda, SNS, SQS, Step Functions and DynamoDB, "
                   "then run this cell again")
        else:
            raise
        raise WiringUnreadable(f"Could not read {current} of {stack} on the {target.current()} target ({code}): "
                               f"{fix}.") from None
    return reader.builder.finish(reader.read_from(), reader.notes)


class _Reader:
    """Collects each resource's identifiers (ARN, URL, name) so every ARN an API returns maps to a logical id."""

    def __init__(self, stack: str) -> None:
        self.builder = Builder(stack)
        self.keys: dict[str, str] = {}  # ARN, URL or name -> logical id
        self.functions: dict[str, dict] = {}  # logical id -> get_function_configuration()
        self.queues: dict[str, dict] = {}  # logical id -> queue attributes
        self.topics: dict[str, str] = {}  # logical id -> ARN
        self.machines: dict[str, str] = {}  # logical id -> ARN
        self.notes: list[str] = []

    def add(self, resource_type: str, key: str, physical: str) -> None:
        if not physical:
            return
        self.keys[physical] = key
        if resource_type == "AWS::Lambda::Function":
            config = target.client("lambda").get_function_configuration(FunctionName=physical)
            self.keys[config["FunctionArn"]] = key
            self.functions[key] = config
            vendor = ((config.get("Environment") or {}).get("Variables") or {}).get("VENDOR", "")
            self.builder.function(key, vendor=vendor, name=physical)
        elif resource_type == "AWS::SQS::Queue":
            attributes = target.client("sqs").get_queue_attributes(QueueUrl=physical, AttributeNames=["All"])
            self.queues[key] = attributes["Attributes"]
            self.keys[self.queues[key]["QueueArn"]] = key
            self.builder.queue(key, delay_seconds=seconds(self.queues[key].get("DelaySeconds")),
                               name=physical.rstrip("/").rsplit("/", 1)[-1])
        elif resource_type == "AWS::SNS::Topic":
            self.topics[key] = physical
            self.builder.topic(key, name=physical.rsplit(":", 1)[-1])
        elif resource_type == "AWS::DynamoDB::Table":
            table = target.client("dynamodb").describe_table(TableName=physical)["Table"]
            self.keys[table["TableArn"]] = key
            self.builder.table(key, name=physical)
        elif resource_type == "AWS::StepFunctions::StateMachine":
            self.machines[key] = physical
            self.builder.state_machine(key, name=physical.rsplit(":", 1)[-1])

    def read_from(self) -> str:
        """What was read, for the caption: "the deployed subscriptions, destinations, ... and IAM policies"."""
        present = {
            "subscriptions": bool(self.topics),
            "destinations": bool(self.functions),
            "event sources": bool(self.functions),
            "redrive policies": bool(self.queues),
            "state machine definitions": bool(self.machines),
            "IAM policies": bool(self.functions) and not self.notes,
        }
        sources = [source for source in SOURCES if present[source]]
        if not sources:
            return "the deployed stack's resources"
        listed = sources[0] if len(sources) == 1 else f"{', '.join(sources[:-1])} and {sources[-1]}"
        return f"the deployed {listed}"

    def lookup(self, value: Any) -> str:
        """The logical id of an ARN, URL or name of the stack (a function's ARN with or without its qualifier)."""
        if not isinstance(value, str) or not value:
            return ""
        if value in self.keys:
            return self.keys[value]
        return self.keys.get(re.sub(r"^(arn:[^:]+:lambda:[^:]+:[^:]+:function:[^:]+):[^:]+$", r"\1", value), "")

    def resolve(self, value: Any) -> str:
        """As `lookup`, but an ARN outside the stack (a destination elsewhere) becomes a node of its own."""
        found = self.lookup(value)
        if found or not isinstance(value, str) or not value.startswith("arn:"):
            return found
        return self.builder.outside(value)

    def connect(self) -> None:
        lambda_ = target.client("lambda")
        for key, config in self.functions.items():
            self._destinations(key, config["FunctionName"])
            for mapping in _pages(lambda_, "list_event_source_mappings", "EventSourceMappings",
                                  FunctionName=config["FunctionName"]):
                self.builder.event_source(
                    self.resolve(mapping.get("EventSourceArn")), key,
                    batch_size=mapping.get("BatchSize"),
                    window_seconds=seconds(mapping.get("MaximumBatchingWindowInSeconds")),
                )
            if config.get("Role") and not self.notes:
                self._policies(key, config["Role"])
        sns = target.client("sns")
        for key, arn in self.topics.items():
            for subscription in _pages(sns, "list_subscriptions_by_topic", "Subscriptions", TopicArn=arn):
                self.builder.subscription(key, self.resolve(subscription.get("Endpoint")), subscription["Protocol"])
        for key, attributes in self.queues.items():
            if attributes.get("RedrivePolicy"):
                self.builder.redrive(key, attributes["RedrivePolicy"], self.resolve)
        sfn = target.client("stepfunctions")
        for key, arn in self.machines.items():
            definition = json.loads(sfn.describe_state_machine(stateMachineArn=arn)["definition"])
            self.builder.state_machine_tasks(key, definition, self.resolve)

    def _policies(self, key: str, role_arn: str) -> None:
        """Which tables the function's role may read or write; without IAM read access, say what is missing."""
        try:
            self.builder.policy(key, _role_statements(role_arn), self.lookup)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code", "") not in _DENIED:
                raise
            self.notes.append(
                "Arrows to tables are missing: these credentials may not read the functions' IAM policies; "
                "allow iam:ListRolePolicies and iam:GetRolePolicy to see which function reads or writes which table."
            )

    def _destinations(self, key: str, function: str) -> None:
        """Every EventInvokeConfig of the function (listed, so a qualifier such as $LATEST is not missed)."""
        lambda_ = target.client("lambda")
        for config in _pages(lambda_, "list_function_event_invoke_configs", "FunctionEventInvokeConfigs",
                             FunctionName=function):
            destinations = config.get("DestinationConfig") or {}
            self.builder.destinations(
                key,
                on_success=self.resolve((destinations.get("OnSuccess") or {}).get("Destination")),
                on_failure=self.resolve((destinations.get("OnFailure") or {}).get("Destination")),
                retries=config.get("MaximumRetryAttempts"),
            )


def _pages(client: Any, operation: str, key: str, **arguments: Any) -> list[dict]:
    found: list[dict] = []
    for page in client.get_paginator(operation).paginate(**arguments):
        found += page.get(key, [])
    return found


def _document(value: Any) -> dict:
    """A policy document as a dict (boto3 usually decodes it; some endpoints send it URL-encoded)."""
    if isinstance(value, str):
        try:
            value = json.loads(unquote(value))
        except ValueError:
            return {}
    return value if isinstance(value, dict) else {}


def _role_statements(role_arn: str) -> list[dict]:
    """Every statement of the role's inline and attached policies."""
    iam = target.client("iam")
    role = role_arn.rsplit("/", 1)[-1]
    statements: list[dict] = []
    for name in _pages(iam, "list_role_policies", "PolicyNames", RoleName=role):
        document = _document(iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"])
        statements += as_list(document.get("Statement", []))
    for attached in _pages(iam, "list_attached_role_policies", "AttachedPolicies", RoleName=role):
        policy = iam.get_policy(PolicyArn=attached["PolicyArn"])["Policy"]
        version = iam.get_policy_version(PolicyArn=attached["PolicyArn"], VersionId=policy["DefaultVersionId"])
        statements += as_list(_document(version["PolicyVersion"]["Document"]).get("Statement", []))
    return statements
