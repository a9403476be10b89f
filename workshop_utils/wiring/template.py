"""Read a stack's wiring from its synthesized CloudFormation template (Ref, Fn::GetAtt, Fn::Join resolved)."""

from __future__ import annotations

import json
import re
from typing import Any

from workshop_utils.wiring.model import Builder, Wiring, as_list, seconds

_MARKER = re.compile(r"\{\{ref:([A-Za-z0-9]+)\}\}")
_SUB = re.compile(r"\$\{([^}.!]+)(?:\.[^}]+)?\}")
_PSEUDO = {"AWS::Partition": "aws", "AWS::Region": "us-east-1", "AWS::AccountId": "123456789012",
           "AWS::URLSuffix": "amazonaws.com", "AWS::StackName": "stack"}


def from_template(template: dict[str, Any], stack: str) -> Wiring:
    """The wiring the template declares, nodes keyed by logical id (as cloud.wiring.read_deployed keys them)."""
    resources: dict[str, dict] = template.get("Resources", {})
    builder = Builder(stack)

    def resolve(value: Any) -> str:
        key = _reference(value, resources)
        return builder.outside(key) if key.startswith("arn:") else key  # a literal ARN: outside the stack

    by_type: dict[str, list[tuple[str, dict]]] = {}
    for key, resource in resources.items():
        by_type.setdefault(resource.get("Type", ""), []).append((key, resource.get("Properties") or {}))
    for key, props in by_type.get("AWS::Lambda::Function", []):
        variables = (props.get("Environment") or {}).get("Variables") or {}
        vendor = variables.get("VENDOR")
        builder.function(key, vendor=vendor if isinstance(vendor, str) else "")
    for key, _props in by_type.get("AWS::SNS::Topic", []):
        builder.topic(key)
    for key, props in by_type.get("AWS::SQS::Queue", []):
        builder.queue(key, delay_seconds=seconds(props.get("DelaySeconds")))
    for key, _props in by_type.get("AWS::DynamoDB::Table", []):
        builder.table(key)
    for key, _props in by_type.get("AWS::StepFunctions::StateMachine", []):
        builder.state_machine(key)

    for _key, props in by_type.get("AWS::Lambda::EventInvokeConfig", []):
        config = props.get("DestinationConfig") or {}
        retries = props.get("MaximumRetryAttempts")
        builder.destinations(
            resolve(props.get("FunctionName")),
            on_success=resolve((config.get("OnSuccess") or {}).get("Destination")),
            on_failure=resolve((config.get("OnFailure") or {}).get("Destination")),
            retries=None if retries is None else seconds(retries),
        )
    for _key, props in by_type.get("AWS::SNS::Subscription", []):
        builder.subscription(resolve(props.get("TopicArn")), resolve(props.get("Endpoint")), props.get("Protocol", ""))
    for key, props in by_type.get("AWS::SNS::Topic", []):  # subscriptions declared inside the topic
        for inline in props.get("Subscription") or []:
            builder.subscription(key, resolve(inline.get("Endpoint")), inline.get("Protocol", ""))
    for _key, props in by_type.get("AWS::Lambda::EventSourceMapping", []):
        builder.event_source(
            resolve(props.get("EventSourceArn")),
            resolve(props.get("FunctionName")),
            batch_size=seconds(props.get("BatchSize")) or None,
            window_seconds=seconds(props.get("MaximumBatchingWindowInSeconds")),
        )
    for key, props in by_type.get("AWS::SQS::Queue", []):
        if props.get("RedrivePolicy"):
            builder.redrive(key, props["RedrivePolicy"], resolve)
    for key, props in by_type.get("AWS::StepFunctions::StateMachine", []):
        builder.state_machine_tasks(key, _definition(props), resolve)
    _policies(builder, by_type, resources)
    return builder.finish("the synthesized template")


def _reference(value: Any, resources: dict[str, dict]) -> str:
    """The logical id a Ref / Fn::GetAtt (or a "{{ref:Id}}" marker) points at; a literal ARN stays itself."""
    if isinstance(value, dict):
        if "Ref" in value:
            return str(value["Ref"]) if value["Ref"] in resources else ""
        if "Fn::GetAtt" in value:
            target = value["Fn::GetAtt"]
            target = target.split(".", 1)[0] if isinstance(target, str) else target[0]
            return target if target in resources else ""
        return ""
    if isinstance(value, str):
        match = _MARKER.fullmatch(value)
        if match:
            return match.group(1) if match.group(1) in resources else ""
        return value if value.startswith("arn:") else ""
    return ""


def _flatten(value: Any) -> Any:
    """Intrinsics as text: references become "{{ref:Id}}" markers, Fn::Join and Fn::Sub are joined."""
    if isinstance(value, list):
        return [_flatten(item) for item in value]
    if not isinstance(value, dict):
        return value
    if "Ref" in value:
        ref = str(value["Ref"])
        return _PSEUDO.get(ref, _marker(ref))
    if "Fn::GetAtt" in value:
        target = value["Fn::GetAtt"]
        return _marker(target.split(".", 1)[0] if isinstance(target, str) else target[0])
    if "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return str(separator).join(str(_flatten(part)) for part in parts)
    if "Fn::Sub" in value:
        text, variables = (value["Fn::Sub"], {}) if isinstance(value["Fn::Sub"], str) else value["Fn::Sub"]

        def substitute(match: re.Match) -> str:
            name = match.group(1)
            if name in variables:
                return str(_flatten(variables[name]))
            return _PSEUDO.get(name, _marker(name))

        return _SUB.sub(substitute, text)
    return {key: _flatten(item) for key, item in value.items()}


def _marker(logical_id: str) -> str:
    return "{{ref:" + logical_id + "}}"


def _definition(props: dict) -> dict:
    """The state machine's definition as a dict, function references left as markers."""
    if isinstance(props.get("Definition"), dict):
        return _flatten(props["Definition"])
    text = _flatten(props.get("DefinitionString", "{}"))
    try:
        definition = json.loads(text) if isinstance(text, str) else {}
    except ValueError:
        return {}
    return definition if isinstance(definition, dict) else {}


def _policies(builder: Builder, by_type: dict[str, list[tuple[str, dict]]], resources: dict[str, dict]) -> None:
    """IAM policies attached to a function's role: the tables the function may read or write."""
    role_of = {}
    for key, props in by_type.get("AWS::Lambda::Function", []):
        role = _reference(props.get("Role"), resources)
        if role:
            role_of.setdefault(role, []).append(key)
    for _key, props in by_type.get("AWS::IAM::Policy", []):
        statements = as_list((props.get("PolicyDocument") or {}).get("Statement", []))
        for role in props.get("Roles") or []:
            for function in role_of.get(_reference(role, resources), []):
                builder.policy(function, statements, lambda value: _reference(value, resources))
    for role_key, props in by_type.get("AWS::IAM::Role", []):
        for inline in props.get("Policies") or []:
            statements = as_list((inline.get("PolicyDocument") or {}).get("Statement", []))
            for function in role_of.get(role_key, []):
                builder.policy(function, statements, lambda value: _reference(value, resources))
