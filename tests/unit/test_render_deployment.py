"""How CloudFormation built a stack: its resources' steps from the stack's own events, folded under the bar."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

from workshop_utils.deploy.progress import Progress
from workshop_utils.render.deployment import format_seconds, resource_steps, stack_build_html

STACK = "ScatterGatherWithParallelStack"
T0 = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def event(ms: float, logical_id: str, status: str, resource_type: str = "AWS::SQS::Queue") -> Progress:
    if logical_id == STACK:
        resource_type = "AWS::CloudFormation::Stack"
    return Progress(stack=STACK, status=status, resource_type=resource_type, resource=logical_id,
                    logical_id=logical_id, timestamp=T0 + timedelta(milliseconds=ms))


def created(*steps: tuple[str, float, float]) -> list[Progress]:
    """A creation's events, oldest first: the stack's, then each (resource, start ms, end ms) as ordered."""
    stamped = [(start, event(start, name, "CREATE_IN_PROGRESS")) for name, start, _ in steps]
    stamped += [(end, event(end, name, "CREATE_COMPLETE")) for name, _, end in steps]
    return [event(-1, STACK, "CREATE_IN_PROGRESS"), *(e for _, e in sorted(stamped, key=lambda pair: pair[0])),
            event(10_000, STACK, "CREATE_COMPLETE")]


def bars(html: str) -> list[tuple[str, float, float]]:
    root = ET.fromstring(html)
    return [(g.get("data-label"), float(g.get("data-start")), float(g.get("data-end")))
            for g in root.iter("g") if "bar" in (g.get("class") or "").split()]


def summary(html: str) -> str:
    return "".join(next(ET.fromstring(html).iter("summary")).itertext())


def test_each_resource_is_a_bar_from_its_in_progress_to_its_complete_event_in_the_order_they_started():
    html = stack_build_html(created(("Role", 0, 3), ("Queue", 1, 2), ("Function", 4, 40)))

    assert bars(html) == [("+ Role", 0, 3), ("+ Queue", 1, 2), ("+ Function", 4, 40)]
    assert summary(html) == (f"How CloudFormation built {STACK}: 3 resources created in 40 ms on the local cloud; "
                             "on AWS the same resources take minutes")
    root = ET.fromstring(html)
    assert root.get("class") == "stack-build" and "background:#ffffff" in root.get("style")
    (folded,) = root.iter("details")
    assert folded.get("open") is None  # folded: it adds one line under the bar
    assert next(d for d in root.iter("div") if d.get("data-stack")).attrib["data-resources"] == "3"


def test_on_aws_the_measured_time_stands_alone():
    html = stack_build_html(created(("Role", 0, 95_000), ("Function", 95_001, 131_000)), target="aws")

    assert summary(html) == f"How CloudFormation built {STACK}: 2 resources created in 2 min 11 s on AWS"
    assert "local cloud" not in "".join(ET.fromstring(html).itertext())


def test_an_update_marks_what_it_created_updated_and_deleted_in_its_cleanup():
    events = [
        event(0, STACK, "UPDATE_IN_PROGRESS"),
        event(1, "Hertz", "CREATE_IN_PROGRESS"), event(2, "Hertz", "CREATE_COMPLETE"),
        event(3, "StateMachine", "UPDATE_IN_PROGRESS"), event(30, "StateMachine", "UPDATE_COMPLETE"),
        event(31, STACK, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"),
        event(32, "Old", "DELETE_IN_PROGRESS"), event(33, "Old", "DELETE_COMPLETE"),
        event(34, STACK, "UPDATE_COMPLETE"),
    ]
    html = stack_build_html(events)

    assert [label for label, _, _ in bars(html)] == ["+ Hertz", "~ StateMachine", "- Old"]
    assert "3 resources (1 created, 1 updated, 1 deleted) in 32 ms" in summary(html)


def test_only_what_the_events_record_is_drawn():
    events = created(("Queue", 0, 2))
    events.insert(2, event(1, "Broken", "CREATE_IN_PROGRESS"))  # never completed: no bar
    events.append(event(11_000, "Broken", "CREATE_FAILED"))
    cli_line = Progress(stack=STACK, status="CREATE_COMPLETE", resource_type="AWS::SQS::Queue", resource="Cli")

    assert [label for label, _, _ in bars(stack_build_html([*events, cli_line]))] == ["+ Queue"]


def test_a_destroy_or_a_deploy_without_changes_builds_nothing_to_show():
    deleted = [event(0, STACK, "DELETE_IN_PROGRESS"), event(1, "Queue", "DELETE_IN_PROGRESS"),
               event(2, "Queue", "DELETE_COMPLETE"), event(3, STACK, "DELETE_COMPLETE")]

    assert stack_build_html(deleted) == ""
    assert stack_build_html([]) == ""
    assert [step.action for step in resource_steps(deleted)] == ["DELETE"]


def test_times_read_as_a_learner_reads_them():
    assert [format_seconds(s) for s in (0.064, 2.5, 45, 131)] == ["64 ms", "2.50 s", "45 s", "2 min 11 s"]


def test_the_line_and_the_timeline_under_it_give_the_same_duration():
    from workshop_utils.render.deployment import build_summary

    events = created(("Role", 0, 3), ("Queue", 1, 2), ("Function", 4, 164))
    assert "in 164 ms" in build_summary(events) and "164 ms end to end" in stack_build_html(events)
