"""After a destroy: every resource the templates deployed, each checked gone through its own service's API."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from workshop_utils.cloud import stacks, target
from workshop_utils.cloud.stacks import Resource
from workshop_utils.teardown.checks import CHECKS, GONE, PENDING, PRESENT, UNCHECKED, ClientFactory

__all__ = ["CHECKS", "GONE", "PENDING", "PRESENT", "UNCHECKED", "CleanupReport", "Finding", "Inventory", "Resource"]


@dataclass(frozen=True)
class Inventory:
    """What was deployed, taken before a destroy: per stack, the template's resources and what they became."""

    resources: tuple[Resource, ...]
    template_counts: Mapping[str, int] = field(default_factory=dict)  # resources in each deployed template

    @property
    def stacks(self) -> list[str]:
        return list(self.template_counts)

    @property
    def types(self) -> Counter:
        return Counter(r.resource_type for r in self.resources)

    @property
    def unknown_types(self) -> list[str]:
        """Types in the templates that no check covers (empty, or the inventory test fails)."""
        return sorted(t for t in self.types if t not in CHECKS)

    def of_type(self, resource_type: str) -> list[Resource]:
        return [r for r in self.resources if r.resource_type == resource_type]


@dataclass(frozen=True)
class Finding:
    """What a resource's own service said about it after the destroy."""

    resource: Resource
    state: str
    checked_with: str
    detail: str = ""


@dataclass(frozen=True)
class CleanupReport:
    """Every finding, and the workshop stacks CloudFormation still knows."""

    findings: tuple[Finding, ...]
    stacks_left: tuple[str, ...] = ()

    def with_state(self, state: str) -> list[Finding]:
        return [f for f in self.findings if f.state == state]

    @property
    def all_gone(self) -> bool:
        """True when nothing is left that a learner must act on (pending deletions are AWS's to finish)."""
        return not self.stacks_left and not self.with_state(PRESENT) and not self.with_state(UNCHECKED)

    def rows(self) -> list[dict[str, object]]:
        """One row per resource type: how many were deployed, where each ended, and the API that said so."""
        by_type: dict[str, list[Finding]] = {}
        for finding in self.findings:
            by_type.setdefault(finding.resource.resource_type, []).append(finding)
        return [
            {
                "type": resource_type,
                "deployed": len(found),
                GONE: sum(f.state == GONE for f in found),
                PENDING: sum(f.state == PENDING for f in found),
                PRESENT: sum(f.state in (PRESENT, UNCHECKED) for f in found),
                "checked with": CHECKS[resource_type].api if resource_type in CHECKS else "nothing (no check known)",
            }
            for resource_type, found in sorted(by_type.items())
        ]


# ---------------------------------------------------------------- inventory and check


def _references(value: Any, physical: Mapping[str, str]) -> tuple[str, ...]:
    """The physical ids a template value names: {"Ref": X}, {"Fn::GetAtt": [X, ...]}, or a list of them."""
    if isinstance(value, list):
        return tuple(found for item in value for found in _references(item, physical))
    if isinstance(value, dict):
        if "Ref" in value:
            name = value["Ref"]
        elif "Fn::GetAtt" in value:
            attribute = value["Fn::GetAtt"]
            name = attribute[0] if isinstance(attribute, list) else str(attribute).split(".")[0]
        else:
            return ()
        return (physical[name],) if name in physical else ()
    if isinstance(value, str) and value:
        return (value,)
    return ()


_REFERENCE_PROPERTIES = ("FunctionName", "Roles", "Topics", "Queues", "TargetKeyId")
_PLAIN_PROPERTIES = ("PolicyName", "Qualifier", "PendingWindowInDays")


def resources_from(stack: str, template: Mapping[str, Any], deployed: Iterable[Mapping[str, Any]]) -> list[Resource]:
    """The template's resources, with their deployed physical ids and the references their checks need."""
    physical = {r["LogicalResourceId"]: r.get("PhysicalResourceId") or "" for r in deployed}
    found = []
    for logical_id, body in template.get("Resources", {}).items():
        properties = body.get("Properties") or {}
        refs = tuple(
            (name, _references(properties[name], physical)) for name in _REFERENCE_PROPERTIES if name in properties
        )
        props = tuple((name, str(properties[name])) for name in _PLAIN_PROPERTIES if name in properties)
        if body.get("DeletionPolicy"):
            props += (("DeletionPolicy", str(body["DeletionPolicy"])),)
        found.append(Resource(stack, body["Type"], physical.get(logical_id, ""), logical_id, refs, props))
    return found


def _template(stack: str, client: ClientFactory) -> dict[str, Any]:
    body = client("cloudformation").get_template(StackName=stack)["TemplateBody"]
    return json.loads(body) if isinstance(body, str) else dict(body)


def take_inventory(stack_names: Iterable[str] = stacks.STACKS, *, client: ClientFactory | None = None) -> Inventory:
    """Every resource of every deployed workshop stack, counted from its template (take it before destroying)."""
    client = client or target.client
    cloudformation = client("cloudformation")
    resources: list[Resource] = []
    counts: dict[str, int] = {}
    for stack in stack_names:
        if not stacks.deployed_description(stack, client=client):
            continue
        template = _template(stack, client)
        deployed = cloudformation.describe_stack_resources(StackName=stack)["StackResources"]
        counts[stack] = len(template.get("Resources", {}))
        resources += resources_from(stack, template, deployed)
    return Inventory(tuple(resources), counts)


def check_resource(resource: Resource, client: ClientFactory | None = None) -> Finding:
    """Ask the resource's own service whether it still exists."""
    client = client or target.client
    check = CHECKS.get(resource.resource_type)
    if check is None:
        return Finding(resource, UNCHECKED, "nothing", "no check is known for this type")
    if not resource.physical_id:  # never created (a failed deploy): nothing to find
        return Finding(resource, GONE, check.api, "never created")
    try:
        state, detail = check.probe(resource, client)
    except ClientError as error:  # access denied, throttled ...: say so rather than guess
        return Finding(resource, UNCHECKED, check.api, error.response.get("Error", {}).get("Message", str(error)))
    return Finding(resource, state, check.api, detail)


def check_gone(inventory: Inventory, *, client: ClientFactory | None = None) -> CleanupReport:
    """Check every inventoried resource through its own service, and that no workshop stack is left."""
    client = client or target.client
    findings = tuple(check_resource(resource, client) for resource in inventory.resources)
    names = dict.fromkeys([*stacks.STACKS, *inventory.stacks])
    left = tuple(s for s in names if stacks.deployed_description(s, client=client))
    return CleanupReport(findings, left)


def deployed_resources(stack_names: tuple[str, ...] = stacks.STACKS) -> list[Resource]:
    """Every resource of every deployed workshop stack, from its template (take it before destroying)."""
    return list(take_inventory(stack_names).resources)


def leftovers(resources: list[Resource]) -> list[Resource]:
    """The resources of an earlier inventory that still exist, plus any workshop stack still deployed."""
    report = check_gone(Inventory(tuple(resources)))
    left = [f.resource for f in report.findings if f.state in (PRESENT, UNCHECKED)]
    return left + [Resource(s, "AWS::CloudFormation::Stack", s) for s in report.stacks_left]


# ---------------------------------------------------------------- what the notebook says, from the data


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def service_of(resource_type: str) -> str:
    """"AWS::Lambda::Function" -> "Lambda"."""
    return resource_type.split("::")[1] if resource_type.count("::") == 2 else resource_type


def inventory_rows(inventory: Inventory) -> list[dict[str, object]]:
    """One row per resource type: how many each stack deployed, and the API that will check them."""
    rows = []
    for resource_type, _count in sorted(inventory.types.items()):
        row: dict[str, object] = {"type": resource_type}
        for stack in inventory.stacks:
            row[stack] = sum(r.stack == stack for r in inventory.of_type(resource_type))
        row["checked with"] = CHECKS[resource_type].api if resource_type in CHECKS else "nothing (no check known)"
        rows.append(row)
    return rows


def inventory_summary(inventory: Inventory) -> str:
    """One sentence: what is deployed, counted from the templates, and how it will be checked."""
    if not inventory.stacks:
        return "No workshop stack is deployed on this target: there is nothing to destroy or check."
    services = sorted({service_of(t) for t in inventory.types})
    total = _n(sum(inventory.template_counts.values()), "resource")
    if len(inventory.stacks) == 1:
        held = f"{inventory.stacks[0]} is deployed; its template holds {total}"
    else:
        counts = " and ".join(f"{stack} {count}" for stack, count in inventory.template_counts.items())
        held = f"{len(inventory.stacks)} stacks are deployed; their templates hold {total} ({counts})"
    text = (
        f"{held} of {_n(len(inventory.types), 'type')}. After the destroy, each one is looked up again "
        f"through its own service's API ({_n(len(services), 'service')})."
    )
    if inventory.unknown_types:
        text += f" No check is known for {', '.join(inventory.unknown_types)}: those will show as not checked."
    return text


def report_summary(report: CleanupReport) -> tuple[bool, str]:
    """Whether the cleanup is complete, and one sentence saying what was checked and what is left."""
    findings = report.findings
    if not findings and not report.stacks_left:
        return True, "Nothing was deployed when the inventory was taken, and no workshop stack exists now."
    services = sorted({service_of(f.resource.resource_type) for f in findings})
    pending = report.with_state(PENDING)
    left = report.with_state(PRESENT) + report.with_state(UNCHECKED)
    apis = _n(len(services), "service")
    checked = f"{_n(len(findings), 'resource')} checked, each through its own service's API ({apis})"
    if report.all_gone:
        gone = len(report.with_state(GONE))
        parts = [f"{'all ' if gone == len(findings) and gone > 1 else ''}{gone} {'is' if gone == 1 else 'are'} gone"]
        if pending:
            names = ", ".join(f"{f.resource.resource_type} ({f.detail})" for f in pending)
            parts.append(f"{len(pending)} {'is' if len(pending) == 1 else 'are'} pending deletion: {names}")
        return True, f"{checked}: {' and '.join(parts)}. CloudFormation no longer knows either workshop stack."
    problems = [f"{f.resource.resource_type} {f.resource.physical_id} ({f.state})" for f in left]
    problems += [f"the stack {stack}" for stack in report.stacks_left]
    return False, (
        f"{checked}; still there: {'; '.join(problems)}. Run the destroy cell again, then this one "
        "(on AWS, a resource that stays can be deleted in its service's console)."
    )


def what_remains(inventory: Inventory, report: CleanupReport, *, on_aws: bool,
                 client: ClientFactory | None = None) -> list[dict[str, str]]:
    """What a destroy leaves on purpose (the KMS key's waiting period, the bootstrap stack), with what ends it."""
    client = client or target.client
    rows = []
    states = {f.resource: f for f in report.findings}
    for key in inventory.of_type("AWS::KMS::Key"):
        finding = states.get(key)
        window = key.prop("PendingWindowInDays", "30")
        if finding and finding.state == PENDING:
            now = f"pending deletion, {finding.detail}; not billed while pending"
            ends = f"nothing to run: AWS deletes it when its {window}-day window ends (`aws kms describe-key "
            ends += f"--key-id {key.physical_id}` shows the date)"
        elif finding and finding.state == GONE and not on_aws:
            now = (f"deleted at once by the local cloud; on AWS, `cdk destroy` schedules its deletion instead: it "
                   f"waits {window} days (PendingWindowInDays in the template) in PendingDeletion, not billed, "
                   "then AWS deletes it")
            ends = "nothing to run: the waiting period ends by itself"
        elif finding and finding.state == GONE:
            now, ends = "deleted", "nothing to run"
        else:
            now = "still there, and billed monthly while it exists"
            ends = f"`aws kms schedule-key-deletion --key-id {key.physical_id} --pending-window-in-days 7`"
        rows.append({"what": f"KMS key {key.physical_id} (the scatter topic's key)", "where it stands": now,
                     "what ends it": ends})
    toolkit = stacks.deployed_description(target.TOOLKIT_STACK, client=client)
    if toolkit:
        bucket = _toolkit_bucket(toolkit)
        objects = _object_count(bucket, client) if bucket else None
        held = ""
        if bucket and objects:
            plural = "s" if objects != 1 else ""
            held = f"; its bucket {bucket} holds {objects} uploaded file{plural} (function code, templates)"
        elif bucket:
            held = f"; its bucket {bucket} is empty" if objects == 0 else f"; its bucket is {bucket}"
        rows.append({
            "what": f"the {target.TOOLKIT_STACK} bootstrap stack",
            "where it stands": f"deployed, shared by every CDK app in this account and region{held}",
            "what ends it": (
                "nothing to run: stopping the local cloud (below) forgets it" if not on_aws else
                f"`aws cloudformation delete-stack --stack-name {target.TOOLKIT_STACK}`, then empty the bucket "
                "it keeps (Empty in the S3 console removes every version) and `aws s3 rb s3://"
                f"{bucket or '<bucket>'}`; only if no other CDK app here needs it"
            ),
        })
    return rows


def _toolkit_bucket(toolkit: Mapping[str, Any]) -> str | None:
    # The bootstrap template outputs its bucket's name (describe_stack_resource would do, but not on moto).
    outputs = {o.get("OutputKey"): o.get("OutputValue") for o in toolkit.get("Outputs") or []}
    return outputs.get("BucketName") or None


def _object_count(bucket: str, client: ClientFactory) -> int | None:
    try:
        pages = client("s3").get_paginator("list_objects_v2").paginate(Bucket=bucket)
        return sum(page.get("KeyCount", 0) for page in pages)
    except ClientError:
        return None
