"""Per-resource stack events of the local CloudFormation: creation, update, failure and deletion, as AWS writes them."""

from __future__ import annotations

import contextlib
import json
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from workshop_utils.local_cloud.cloudformation.resource_map import LocalResourceMap
from workshop_utils.local_cloud.cloudformation.sns import SnsTopic

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cfn_support import settled  # noqa: E402
from stack_events import (  # noqa: E402
    assert_created_in_dependency_order,
    assert_deleted_dependents_first,
    assert_reads_as_on_aws,
    chronological,
    position,
    since_last,
    stack_statuses,
    statuses_of,
)


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:8]}"


def fan_out(*, extra_queue: bool = False, display_name: str = "Quotes") -> dict[str, Any]:
    """A topic, its queue subscription (which refers to both) and a topic created after it (DependsOn)."""
    resources: dict[str, Any] = {
        "Subscription": {"Type": "AWS::SNS::Subscription", "Properties": {
            "Protocol": "sqs", "TopicArn": {"Ref": "Topic"}, "Endpoint": {"Fn::GetAtt": ["Queue", "Arn"]}}},
        "Later": {"Type": "AWS::SNS::Topic", "DependsOn": "Subscription"},
        "Topic": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": display_name}},
        "Queue": {"Type": "AWS::SQS::Queue"},  # no Properties, as the CDK writes a queue with defaults
    }
    outputs = {"TopicArn": {"Value": {"Ref": "Topic"}}}
    if extra_queue:
        outputs["ExtraQueueUrl"] = {"Value": {"Ref": "Extra"}}
        resources["Extra"] = {"Type": "AWS::SQS::Queue", "Properties": {"DelaySeconds": 1}}
        resources["ExtraSubscription"] = {"Type": "AWS::SNS::Subscription", "Properties": {
            "Protocol": "sqs", "TopicArn": {"Ref": "Topic"}, "Endpoint": {"Fn::GetAtt": ["Extra", "Arn"]}}}
    return {"Resources": resources, "Outputs": outputs}


def run_change_set(cfn: Any, stack: str, template: dict[str, Any], kind: str) -> dict[str, Any]:
    cfn.create_change_set(StackName=stack, ChangeSetName="cdk-deploy-change-set", ChangeSetType=kind,
                          TemplateBody=json.dumps(template))
    cfn.execute_change_set(ChangeSetName="cdk-deploy-change-set", StackName=stack)
    return settled(cfn, stack)


def test_a_created_stack_has_each_resources_events_in_dependency_order(moto_client: Callable[[str], Any]) -> None:
    cfn = moto_client("cloudformation")
    stack, template = unique("Events"), fan_out()

    described = run_change_set(cfn, stack, template, "CREATE")

    assert described["StackStatus"] == "CREATE_COMPLETE"
    assert described["Outputs"][0]["OutputValue"].startswith("arn:aws:sns:")
    newest_first = cfn.describe_stack_events(StackName=stack)["StackEvents"]
    assert newest_first[0]["ResourceStatus"] == "CREATE_COMPLETE" and newest_first[0]["LogicalResourceId"] == stack
    events = chronological(cfn, stack)
    assert_reads_as_on_aws(events)
    assert stack_statuses(events) == ["REVIEW_IN_PROGRESS", "CREATE_IN_PROGRESS", "CREATE_COMPLETE"]
    assert events[1]["ResourceStatus"] == "CREATE_IN_PROGRESS" and events[-1]["ResourceStatus"] == "CREATE_COMPLETE"
    assert_created_in_dependency_order(events, template["Resources"])
    resources = {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in
                 cfn.list_stack_resources(StackName=stack)["StackResourceSummaries"]}
    for logical_id, physical_id in resources.items():  # COMPLETE names the resource, as DescribeStackResources does
        assert events[position(events, logical_id, "CREATE_COMPLETE")]["PhysicalResourceId"] == physical_id


def test_an_update_writes_events_for_what_changed_and_deletes_removed_resources_in_the_cleanup(
        moto_client: Callable[[str], Any]) -> None:
    cfn = moto_client("cloudformation")
    stack = unique("Updated")
    run_change_set(cfn, stack, fan_out(extra_queue=True), "CREATE")

    described = run_change_set(cfn, stack, fan_out(display_name="Quotes, renamed"), "UPDATE")

    assert described["StackStatus"] == "UPDATE_COMPLETE"
    events = since_last(chronological(cfn, stack), "UPDATE_IN_PROGRESS")
    assert_reads_as_on_aws(events)
    assert stack_statuses(events) == ["UPDATE_IN_PROGRESS", "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", "UPDATE_COMPLETE"]
    assert statuses_of(events, "Topic") == ["UPDATE_IN_PROGRESS", "UPDATE_COMPLETE"]
    for unchanged in ("Queue", "Subscription", "Later"):
        assert statuses_of(events, unchanged) == [], unchanged
    cleanup = [e["ResourceStatus"] for e in events].index("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS")
    old = fan_out(extra_queue=True)["Resources"]
    assert_deleted_dependents_first(events[cleanup:], old, {"Extra", "ExtraSubscription"})
    assert position(events, "Topic", "UPDATE_COMPLETE") < cleanup


def test_a_failed_resource_has_the_reason_and_the_stack_rolls_back_what_it_created(
        moto_client: Callable[[str], Any]) -> None:
    cfn = moto_client("cloudformation")
    stack, template = unique("Failing"), fan_out()
    template["Resources"]["Subscription"]["Properties"]["TopicArn"] = "arn:aws:sns:us-east-1:123456789012:nowhere"
    template["Resources"]["Subscription"]["DependsOn"] = "Topic"  # still created after the topic and the queue

    described = run_change_set(cfn, stack, template, "CREATE")

    assert described["StackStatus"] == "ROLLBACK_COMPLETE"
    events = chronological(cfn, stack)
    assert_reads_as_on_aws(events)
    assert stack_statuses(events) == ["REVIEW_IN_PROGRESS", "CREATE_IN_PROGRESS", "ROLLBACK_IN_PROGRESS",
                                      "ROLLBACK_COMPLETE"]
    assert statuses_of(events, "Subscription") == ["CREATE_IN_PROGRESS", "CREATE_FAILED"]
    failed = events[position(events, "Subscription", "CREATE_FAILED")]
    assert "Topic does not exist" in failed["ResourceStatusReason"]
    assert statuses_of(events, "Later") == []  # it waits for the subscription, so it never started
    rolled_back = since_last(events, "ROLLBACK_IN_PROGRESS")
    assert rolled_back[0]["ResourceStatusReason"] == (
        "The following resource(s) failed to create: [Subscription]. Rollback requested by user.")
    assert described["StackStatusReason"] == rolled_back[0]["ResourceStatusReason"]
    assert_deleted_dependents_first(rolled_back, template["Resources"], {"Topic", "Queue"})
    assert cfn.list_stack_resources(StackName=stack)["StackResourceSummaries"] == []


def test_a_deleted_stack_deletes_dependents_first_between_its_own_events(moto_client: Callable[[str], Any]) -> None:
    cfn = moto_client("cloudformation")
    stack, template = unique("Deleted"), fan_out(extra_queue=True)
    stack_id = run_change_set(cfn, stack, template, "CREATE")["StackId"]

    cfn.delete_stack(StackName=stack)

    events = since_last(chronological(cfn, stack_id), "DELETE_IN_PROGRESS")
    assert_reads_as_on_aws(events)
    assert stack_statuses(events) == ["DELETE_IN_PROGRESS", "DELETE_COMPLETE"]
    assert events[0]["ResourceType"] == events[-1]["ResourceType"] == "AWS::CloudFormation::Stack"
    assert_deleted_dependents_first(events, template["Resources"])
    assert cfn.describe_stacks(StackName=stack_id)["Stacks"][0]["StackStatus"] == "DELETE_COMPLETE"


def test_requests_see_a_running_change_set_between_its_steps(
        moto_client: Callable[[str], Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """ExecuteChangeSet answers before the resources exist; reading the stack meanwhile creates nothing.

    The change set is paused before the step after the topic's (outside the lock each step holds: a request
    waits for the step under way, never for the whole change set).
    """
    cfn = moto_client("cloudformation")
    stack, template = unique("Running"), fan_out()
    topic_created, paused, release = threading.Event(), threading.Event(), threading.Event()
    create_topic, step = SnsTopic.create_resource.__func__, LocalResourceMap._step  # type: ignore[attr-defined]

    def noted_create(cls: type, name: str, properties: dict[str, Any], account_id: str, region: str) -> Any:
        created = create_topic(cls, name, properties, account_id, region)
        if properties.get("DisplayName") == "Quotes":
            topic_created.set()
        return created

    @contextlib.contextmanager
    def pausing_step(resource_map: LocalResourceMap) -> Iterator[None]:
        if topic_created.is_set() and not release.is_set():
            paused.set()
            assert release.wait(60), "the test never let the change set go on"
        with step(resource_map):
            yield

    monkeypatch.setattr(SnsTopic, "create_resource", classmethod(noted_create))
    monkeypatch.setattr(LocalResourceMap, "_step", pausing_step)
    cfn.create_change_set(StackName=stack, ChangeSetName="cdk-deploy-change-set", ChangeSetType="CREATE",
                          TemplateBody=json.dumps(template))
    cfn.execute_change_set(ChangeSetName="cdk-deploy-change-set", StackName=stack)
    try:
        assert paused.wait(60), "the change set never got past the topic"
        assert cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"] == "CREATE_IN_PROGRESS"
        events = chronological(cfn, stack)
        assert statuses_of(events, "Topic") == ["CREATE_IN_PROGRESS", "CREATE_COMPLETE"]
        assert statuses_of(events, "Subscription") == statuses_of(events, "Later") == []
        listed = {r["LogicalResourceId"] for r in cfn.list_stack_resources(StackName=stack)["StackResourceSummaries"]}
        assert "Topic" in listed and not {"Subscription", "Later"} & listed
        assert statuses_of(chronological(cfn, stack), "Subscription") == []  # listing created nothing
    finally:
        release.set()
    assert settled(cfn, stack)["StackStatus"] == "CREATE_COMPLETE"
    assert_created_in_dependency_order(chronological(cfn, stack), template["Resources"])


def test_during_an_updates_cleanup_the_stack_has_the_new_outputs(
        moto_client: Callable[[str], Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """The removed queue is deleted in the cleanup phase; its Output is gone by then, so the stack reads meanwhile."""
    cfn = moto_client("cloudformation")
    stack = unique("Cleanup")
    assert {o["OutputKey"] for o in run_change_set(cfn, stack, fan_out(extra_queue=True), "CREATE")["Outputs"]} == {
        "TopicArn", "ExtraQueueUrl"}
    paused, release = threading.Event(), threading.Event()
    step = LocalResourceMap._step

    @contextlib.contextmanager
    def pausing_step(resource_map: LocalResourceMap) -> Iterator[None]:
        if resource_map.stack.status == "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS" and not release.is_set():
            paused.set()
            assert release.wait(60), "the test never let the change set go on"
        with step(resource_map):
            yield

    monkeypatch.setattr(LocalResourceMap, "_step", pausing_step)
    cfn.create_change_set(StackName=stack, ChangeSetName="cdk-deploy-change-set", ChangeSetType="UPDATE",
                          TemplateBody=json.dumps(fan_out()))
    cfn.execute_change_set(ChangeSetName="cdk-deploy-change-set", StackName=stack)
    try:
        assert paused.wait(60), "the change set never reached its cleanup"
        described = cfn.describe_stacks(StackName=stack)["Stacks"][0]
        assert described["StackStatus"] == "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"
        assert {o["OutputKey"] for o in described["Outputs"]} == {"TopicArn"}
        assert statuses_of(since_last(chronological(cfn, stack), "UPDATE_IN_PROGRESS"), "Extra") == []  # still there
    finally:
        release.set()
    assert settled(cfn, stack)["StackStatus"] == "UPDATE_COMPLETE"
    assert statuses_of(since_last(chronological(cfn, stack), "UPDATE_IN_PROGRESS"), "Extra") == [
        "DELETE_IN_PROGRESS", "DELETE_COMPLETE"]
