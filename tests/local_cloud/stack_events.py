"""Checks of a stack's CloudFormation events against its template (shared by the event tests; holds no tests)."""

from __future__ import annotations

from typing import Any

from workshop_utils.local_cloud.cloudformation.order import dependencies

STACK_TYPE = "AWS::CloudFormation::Stack"


def chronological(cfn: Any, stack: str) -> list[dict[str, Any]]:
    """The stack's events, oldest first (DescribeStackEvents answers newest first), every page."""
    events: list[dict[str, Any]] = []
    for page in cfn.get_paginator("describe_stack_events").paginate(StackName=stack):
        events.extend(page["StackEvents"])
    return events[::-1]


def since_last(events: list[dict[str, Any]], status: str) -> list[dict[str, Any]]:
    """The events from the stack's last `status` event on (one operation of a stack that had several)."""
    starts = [i for i, event in enumerate(events) if event["ResourceType"] == STACK_TYPE
              and event["ResourceStatus"] == status]
    return events[starts[-1]:]


def stack_statuses(events: list[dict[str, Any]]) -> list[str]:
    return [event["ResourceStatus"] for event in events if event["ResourceType"] == STACK_TYPE]


def statuses_of(events: list[dict[str, Any]], logical_id: str) -> list[str]:
    return [event["ResourceStatus"] for event in events
            if event["LogicalResourceId"] == logical_id and event["ResourceType"] != STACK_TYPE]


def position(events: list[dict[str, Any]], logical_id: str, status: str) -> int:
    (found,) = [i for i, event in enumerate(events) if event["LogicalResourceId"] == logical_id
                and event["ResourceStatus"] == status and event["ResourceType"] != STACK_TYPE]
    return found


def assert_reads_as_on_aws(events: list[dict[str, Any]]) -> None:
    """Every event has AWS's fields, and the timestamps never go backwards (events oldest first) nor repeat a
    millisecond (the CDK CLI sorts by time and would print two events of one millisecond newest first)."""
    for event in events:
        assert {"StackId", "StackName", "EventId", "LogicalResourceId", "PhysicalResourceId", "ResourceType",
                "ResourceStatus", "Timestamp"} <= set(event), event
        if event["ResourceStatus"].endswith("_FAILED"):
            assert event.get("ResourceStatusReason"), event
    stamps = [event["Timestamp"] for event in events]
    assert stamps == sorted(stamps)
    milliseconds = [stamp.replace(microsecond=stamp.microsecond // 1000 * 1000) for stamp in stamps]
    assert len(set(milliseconds)) == len(milliseconds)


def _assert_stepped(events: list[dict[str, Any]], resources: dict[str, Any], logical_ids: set[str], action: str,
                    *, dependents_first: bool) -> None:
    """Each of `logical_ids` goes `action`_IN_PROGRESS then `action`_COMPLETE, and starts only once every resource
    it must wait for (among `logical_ids`) is done: what it refers to when creating, what refers to it when deleting."""
    needs = dependencies(resources)
    for logical_id in logical_ids:
        assert statuses_of(events, logical_id) == [f"{action}_IN_PROGRESS", f"{action}_COMPLETE"], logical_id
        for other in needs[logical_id] & logical_ids:
            first, then = (logical_id, other) if dependents_first else (other, logical_id)
            assert position(events, first, f"{action}_COMPLETE") < position(events, then, f"{action}_IN_PROGRESS"), (
                f"{then} started before {first} was done ({logical_id} refers to {other})")


def assert_created_in_dependency_order(events: list[dict[str, Any]], resources: dict[str, Any],
                                       created: set[str] | None = None) -> None:
    """`created` (every resource by default) each created after everything it refers to (or DependsOn)."""
    _assert_stepped(events, resources, set(resources) if created is None else created, "CREATE",
                    dependents_first=False)


def assert_deleted_dependents_first(events: list[dict[str, Any]], resources: dict[str, Any],
                                    deleted: set[str] | None = None) -> None:
    """`deleted` (every resource by default) each deleted only after everything that refers to it."""
    _assert_stepped(events, resources, set(resources) if deleted is None else deleted, "DELETE",
                    dependents_first=True)
