"""The stack's own events, followed while a CDK command runs (a fake CloudFormation), and the display they feed."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from workshop_utils.deploy.progress import NullProgress, Progress, WidgetProgress, parse_progress
from workshop_utils.deploy.stack_follower import (
    CHANGE_SET,
    FollowedProgress,
    ResourceCount,
    StackFollower,
    progress_of,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "cdk_output"
STACK = "ScatterGatherWithParallelStack"
STACK_TYPE = "AWS::CloudFormation::Stack"
T0 = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def error(code: str, message: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, "DescribeStackEvents")


class FakeCloudFormation:
    """Stacks' events, newest first in pages of three as DescribeStackEvents gives them; a deleted stack is found by
    its id only, as on AWS."""

    page_size = 3

    def __init__(self) -> None:
        self.events: dict[str, list[dict[str, Any]]] = {}  # stack id -> its events, oldest first
        self.live: dict[str, str] = {}  # stack name -> id
        self.changes: dict[str, list[dict]] = {}  # stack id -> the change set's Changes
        self.calls: list[tuple[str, str, str | None]] = []
        self.refuse: ClientError | None = None

    def create(self, name: str) -> str:
        stack_id = f"arn:aws:cloudformation:us-east-1:123456789012:stack/{name}/{uuid.uuid4()}"
        self.live[name], self.events[stack_id] = stack_id, []
        return stack_id

    def record(self, name: str, logical_id: str, status: str, resource_type: str = "AWS::SQS::Queue") -> None:
        stack_id = self.live[name]
        count = sum(len(events) for events in self.events.values())
        self.events[stack_id].append({
            "StackId": stack_id, "StackName": name, "EventId": str(uuid.uuid4()), "LogicalResourceId": logical_id,
            "ResourceType": STACK_TYPE if logical_id == name else resource_type, "ResourceStatus": status,
            "Timestamp": T0 + timedelta(milliseconds=count)})

    def delete(self, name: str) -> None:
        del self.live[name]

    def _stack_id(self, ref: str) -> str:
        stack_id = self.live.get(ref) or (ref if ref in self.events else None)
        if stack_id is None:
            raise error("ValidationError", f"Stack with id {ref} does not exist")
        return stack_id

    def describe_stack_events(self, StackName: str, NextToken: str | None = None) -> dict[str, Any]:  # noqa: N803
        self.calls.append(("events", StackName, NextToken))
        if self.refuse:
            raise self.refuse
        newest_first = self.events[self._stack_id(StackName)][::-1]
        start = int(NextToken or 0)
        page: dict[str, Any] = {"StackEvents": newest_first[start:start + self.page_size]}
        if start + self.page_size < len(newest_first):
            page["NextToken"] = str(start + self.page_size)
        return page

    def describe_change_set(self, StackName: str, ChangeSetName: str) -> dict[str, Any]:  # noqa: N803
        self.calls.append(("change set", StackName, ChangeSetName))
        stack_id = self._stack_id(StackName)
        if ChangeSetName != CHANGE_SET or stack_id not in self.changes:
            raise error("ChangeSetNotFoundException", f"ChangeSet [{ChangeSetName}] does not exist")
        return {"Changes": self.changes[stack_id]}


@pytest.fixture
def cfn() -> FakeCloudFormation:
    return FakeCloudFormation()


@pytest.fixture
def follower(cfn: FakeCloudFormation):
    """A follower polled by hand (its thread waits a minute between looks), stopped after the test."""
    made: list[StackFollower] = []

    def make(seen: list[Progress]) -> StackFollower:
        made.append(StackFollower(cfn, STACK, seen.append, interval=60))
        return made[-1]

    yield make
    for follow in made:
        follow.stop()


def statuses(seen: list[Progress]) -> list[tuple[str, str]]:
    return [(event.resource, event.status) for event in seen]


def create_queue(cfn: FakeCloudFormation) -> None:
    cfn.record(STACK, STACK, "CREATE_IN_PROGRESS")
    cfn.record(STACK, "Queue", "CREATE_IN_PROGRESS")
    cfn.record(STACK, "Queue", "CREATE_COMPLETE")
    cfn.record(STACK, STACK, "CREATE_COMPLETE")


# ---------------------------------------------------------------- which events, in which order


def test_only_the_events_recorded_after_start_are_handed_on_oldest_first_and_once(cfn, follower):
    cfn.create(STACK)
    create_queue(cfn)  # an earlier deploy's
    seen: list[Progress] = []
    follow = follower(seen)

    assert follow.start() and follow.following
    follow.poll()
    assert seen == []
    cfn.record(STACK, STACK, "UPDATE_IN_PROGRESS")
    cfn.record(STACK, "Queue", "UPDATE_IN_PROGRESS")
    follow.poll()
    cfn.record(STACK, "Queue", "UPDATE_COMPLETE")
    follow.poll()
    follow.stop()

    assert statuses(seen) == [(STACK, "UPDATE_IN_PROGRESS"), ("Queue", "UPDATE_IN_PROGRESS"),
                              ("Queue", "UPDATE_COMPLETE")]
    assert all(event.timestamp is not None and event.stack == STACK for event in seen)


def test_pages_are_read_only_back_to_the_first_event_already_seen(cfn, follower):
    cfn.create(STACK)
    for _ in range(4):  # 16 events: six pages
        create_queue(cfn)
    seen: list[Progress] = []
    follow = follower(seen)
    follow.start()
    cfn.record(STACK, STACK, "UPDATE_IN_PROGRESS")
    cfn.calls.clear()

    follow.poll()

    assert statuses(seen) == [(STACK, "UPDATE_IN_PROGRESS")]
    assert [call for call in cfn.calls if call[0] == "events"] == [("events", STACK, None)]


def test_a_stack_deployed_for_the_first_time_is_followed_from_its_first_event(cfn, follower):
    seen: list[Progress] = []
    follow = follower(seen)

    assert follow.start()  # no stack yet: nothing to skip
    follow.poll()
    cfn.create(STACK)
    cfn.record(STACK, STACK, "REVIEW_IN_PROGRESS")
    create_queue(cfn)
    follow.poll()

    assert [status for _, status in statuses(seen)] == [
        "REVIEW_IN_PROGRESS", "CREATE_IN_PROGRESS", "CREATE_IN_PROGRESS", "CREATE_COMPLETE", "CREATE_COMPLETE"]


def test_a_deleted_stack_is_read_by_its_id_to_its_last_event(cfn, follower):
    cfn.create(STACK)
    create_queue(cfn)
    seen: list[Progress] = []
    follow = follower(seen)
    follow.start()
    for logical_id, status in ((STACK, "DELETE_IN_PROGRESS"), ("Queue", "DELETE_IN_PROGRESS"),
                               ("Queue", "DELETE_COMPLETE"), (STACK, "DELETE_COMPLETE")):
        cfn.record(STACK, logical_id, status)
    cfn.delete(STACK)

    follow.poll()

    assert statuses(seen)[-1] == (STACK, "DELETE_COMPLETE") and len(seen) == 4


def test_an_event_reads_as_the_clis_line_would():
    stamp = T0 + timedelta(seconds=3)
    progress = progress_of({"StackName": STACK, "LogicalResourceId": "Fn", "ResourceType": "AWS::Lambda::Function",
                            "ResourceStatus": "CREATE_FAILED", "ResourceStatusReason": "boom", "Timestamp": stamp},
                           done=2, total=5)

    assert progress == Progress(stack=STACK, status="CREATE_FAILED", resource_type="AWS::Lambda::Function",
                                resource="Fn", logical_id="Fn", reason="boom", done=2, total=5, time="12:00:03",
                                timestamp=stamp)
    assert progress.is_cause


# ---------------------------------------------------------------- the count and the total


@pytest.mark.parametrize("fixture", ["deploy_workshop_per_resource.txt", "deploy_failed_local.txt"])
def test_resources_are_counted_as_the_cdk_cli_counts_them(fixture):
    """The CLI's own lines (a deploy, and a creation rolled back): the same events give the same counter."""
    events = [e for e in map(parse_progress, (FIXTURES / fixture).read_text().splitlines()) if e and e.done is not None]
    counts: dict[str, ResourceCount] = {}
    for event in events:
        count = counts.setdefault(event.stack, ResourceCount())
        count.add({"LogicalResourceId": event.logical_id or event.resource, "ResourceStatus": event.status})
        assert count.done == event.done, event


def test_an_updates_stack_counts_once_at_its_cleanup():
    count = ResourceCount()
    for logical_id, status in ((STACK, "UPDATE_IN_PROGRESS"), ("Fn", "UPDATE_IN_PROGRESS"), ("Fn", "UPDATE_COMPLETE"),
                               (STACK, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"), ("Old", "DELETE_IN_PROGRESS"),
                               ("Old", "DELETE_COMPLETE"), (STACK, "UPDATE_COMPLETE")):
        count.add({"LogicalResourceId": logical_id, "ResourceStatus": status})
    assert count.done == 3


def test_the_total_is_what_the_running_change_set_touches_plus_the_stack(cfn, follower):
    stack_id = cfn.create(STACK)
    create_queue(cfn)
    cfn.changes[stack_id] = [{"Type": "Resource"}] * 2
    seen: list[Progress] = []
    follow = follower(seen)
    follow.start()
    cfn.record(STACK, STACK, "UPDATE_IN_PROGRESS")
    cfn.record(STACK, "Queue", "UPDATE_IN_PROGRESS")
    cfn.record(STACK, "Queue", "UPDATE_COMPLETE")

    follow.poll()
    follow.poll()

    assert [(event.done, event.total) for event in seen] == [(0, 3), (0, 3), (1, 3)]
    assert [call for call in cfn.calls if call[0] == "change set"] == [("change set", stack_id, CHANGE_SET)]


def test_without_a_change_set_the_total_is_left_to_the_template(cfn, follower):
    seen: list[Progress] = []
    follow = follower(seen)
    follow.start()
    cfn.create(STACK)
    create_queue(cfn)  # a direct deploy: no change set

    follow.poll()

    assert {event.total for event in seen} == {None} and seen[-1].done == 2


# ---------------------------------------------------------------- the display they feed


class Recorder(NullProgress):
    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def start(self, title: str, expected_total: int | None = None) -> None:
        self.calls.append(("start", title, expected_total))

    def update(self, event: Progress) -> None:
        self.calls.append(("update", event.resource, event.status))

    def finish(self, ok: bool, summary: str) -> None:
        self.calls.append(("finish", ok, summary))


def cli_line(status: str) -> Progress:
    return Progress(stack=STACK, status=status, resource_type="AWS::SQS::Queue", resource="Cli", done=1, total=2)


def test_while_followed_the_bar_moves_with_the_stacks_events_only_and_all_of_them_before_it_finishes(cfn):
    display = Recorder()
    followed = FollowedProgress(display, StackFollower(cfn, STACK, display.update, interval=60))

    followed.start("cdk deploy S", 2)
    cfn.create(STACK)
    create_queue(cfn)  # recorded after the thread's last look: the last look at finish hands them on
    followed.update(cli_line("CREATE_COMPLETE"))
    followed.finish(True, "done")

    assert display.calls[0] == ("start", "cdk deploy S", 2) and display.calls[-1] == ("finish", True, "done")
    assert [call[1:] for call in display.calls[1:-1]] == [
        (STACK, "CREATE_IN_PROGRESS"), ("Queue", "CREATE_IN_PROGRESS"), ("Queue", "CREATE_COMPLETE"),
        (STACK, "CREATE_COMPLETE")]


def test_a_stack_that_cannot_be_read_leaves_the_bar_to_the_clis_lines(cfn):
    cfn.refuse = error("AccessDenied", "not allowed to DescribeStackEvents")
    display = Recorder()
    followed = FollowedProgress(display, StackFollower(cfn, STACK, display.update, interval=60))

    followed.start("cdk deploy S")
    followed.update(cli_line("CREATE_COMPLETE"))
    followed.finish(True, "done")

    assert not followed.follower.following
    assert display.calls[1] == ("update", "Cli", "CREATE_COMPLETE")


def test_the_follower_looks_on_its_own_thread_until_stopped(cfn):
    cfn.create(STACK)
    arrived = threading.Event()
    follow = StackFollower(cfn, STACK, lambda event: arrived.set(), interval=0.01)
    follow.start()

    create_queue(cfn)

    assert arrived.wait(30), "the follower never handed an event on"
    thread = follow._thread
    follow.stop()
    assert thread is not None and not thread.is_alive()


def test_a_deploy_ends_with_how_cloudformation_built_the_stack_folded_under_the_bar(cfn, monkeypatch):
    monkeypatch.delenv("WORKSHOP_TARGET", raising=False)
    monkeypatch.delenv("WORKSHOP_ENDPOINT_URL", raising=False)
    display = WidgetProgress()
    followed = FollowedProgress(display, StackFollower(cfn, STACK, display.update, interval=60))

    followed.start(f"cdk deploy {STACK}", 2)
    cfn.create(STACK)
    create_queue(cfn)
    followed.finish(True, "done")

    # One line in the bar's place, saying what CloudFormation built; the resource-by-resource view folded under it.
    assert f"cdk deploy {STACK} took " in display.line_html and ": 1 resource created in " in display.line_html
    assert display.line_html.count("<details>") == 1 and 'data-resources="1"' in display.line_html
    assert "1/1 resources" in display.label.value and display.bar.bar_style == "success"
    assert "cdk-progress" in display.box._dom_classes


@pytest.mark.parametrize("ok", [True, False])
def test_no_view_without_the_stacks_events_or_after_a_failure(cfn, ok):
    display = WidgetProgress()
    display.start(f"cdk deploy {STACK}", 2)
    if ok:  # the CLI's lines only: no times to draw
        display.update(cli_line("CREATE_COMPLETE"))
    else:
        for event in (STACK, "CREATE_IN_PROGRESS"), ("Queue", "CREATE_IN_PROGRESS"), ("Queue", "CREATE_COMPLETE"):
            display.update(Progress(stack=STACK, status=event[1], resource_type="AWS::SQS::Queue", resource=event[0],
                                    logical_id=event[0], timestamp=T0))
    display.finish(ok, "done" if ok else "boom")

    assert "data-resources" not in display.line_html and "<details>" not in display.line_html
    assert display.line_html.count("✔" if ok else "✖") == 1
