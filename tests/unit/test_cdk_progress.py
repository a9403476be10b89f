"""Parsing the CDK CLI's event lines (recorded output in tests/fixtures/cdk_output) and the text progress bar."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from workshop_utils.deploy.cdk import failure_summary, parse_progress
from workshop_utils.deploy.progress import Progress, TextProgress, first_cause, make_display

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "cdk_output"


def lines_of(name: str) -> list[str]:
    return (FIXTURES / name).read_text(encoding="utf-8").splitlines()


def events_of(name: str) -> list[Progress]:
    return [event for event in map(parse_progress, lines_of(name)) if event is not None]


def test_a_deploy_line_with_counters():
    event = parse_progress(
        "TinyStack | 0/4 | 1:40:03 AM | CREATE_IN_PROGRESS      | AWS::CloudFormation::Stack | TinyStack User Initiated"
    )
    assert event == Progress(
        stack="TinyStack",
        status="CREATE_IN_PROGRESS",
        resource_type="AWS::CloudFormation::Stack",
        resource="TinyStack",
        reason="User Initiated",
        done=0,
        total=4,
        time="1:40:03 AM",
    )
    assert event.is_stack and not event.failed


def test_a_resource_line_with_construct_path_and_logical_id():
    event = parse_progress(
        "ScatterGatherWithSNSStack |  3/18 | 1:02:03 PM | CREATE_COMPLETE      | AWS::SQS::Queue | AggregationQueue"
    )
    assert (event.done, event.total, event.resource_type, event.resource) == (
        3,
        18,
        "AWS::SQS::Queue",
        "AggregationQueue",
    )
    event = parse_progress(
        "S |  3/18 | 13:02:03 | UPDATE_FAILED           | AWS::Lambda::Function | Responder-Avis (ResponderAvis1234) "
        'Resource handler returned message: "boom | bang" (HandlerErrorCode: InvalidRequest)'
    )
    assert event.failed and event.is_cause
    assert (event.resource, event.logical_id, event.time) == ("Responder-Avis", "ResponderAvis1234", "13:02:03")
    assert event.reason == 'Resource handler returned message: "boom | bang" (HandlerErrorCode: InvalidRequest)'


@pytest.mark.parametrize(
    "line",
    [
        "",
        "TinyStack: deploying... [1/1]",
        "✅  TinyStack",
        "TinyStack: creating CloudFormation changeset...",
        "[+] AWS::SQS::Queue ExtraQueue ExtraQueue03AFA6A8",
        "Outputs:",
        "TinyDirect.QueueUrl = https://sqs.us-east-1.amazonaws.com/123456789012/q",
        '  File "/tmp/app.py", line 1, in <module>',
    ],
)
def test_other_lines_are_not_progress(line):
    assert parse_progress(line) is None


def test_colour_codes_are_ignored():
    event = parse_progress(
        "TinyStack | 1/4 | 1:40:03 AM | \x1b[32mCREATE_COMPLETE        \x1b[39m | AWS::CloudFormation::Stack | "
        "\x1b[32m\x1b[1mTinyStack\x1b[22m\x1b[39m "
    )
    assert (event.status, event.resource, event.reason) == ("CREATE_COMPLETE", "TinyStack", "")


def test_recorded_change_set_deploy_counts_up_to_the_total():
    events = events_of("deploy_ok.txt")
    assert [(e.status, e.done, e.total) for e in events] == [
        ("CREATE_IN_PROGRESS", 0, 4),
        ("CREATE_COMPLETE", 1, 4),
    ]
    assert all(e.stack == "TinyStack" and not e.failed for e in events)


def test_recorded_bootstrap_has_two_digit_totals():
    assert [(e.stack, e.done, e.total) for e in events_of("bootstrap.txt")] == [
        ("CDKToolkit", 0, 15),
        ("CDKToolkit", 1, 15),
    ]


def test_recorded_direct_deploy_and_destroy_count_without_a_total():
    assert [(e.done, e.total) for e in events_of("deploy_direct_ok.txt")] == [(0, None), (1, None)]
    destroy = events_of("destroy.txt")
    assert {e.status for e in destroy} == {"DELETE_IN_PROGRESS", "DELETE_COMPLETE"}
    assert all(e.done == 1 and e.total is None for e in destroy)


def test_recorded_outputs_without_events_have_no_progress():
    assert events_of("deploy_nochange.txt") == []
    assert events_of("diff.txt") == []


def test_aws_style_failure_finds_the_failing_resource_and_reason():
    events = events_of("deploy_failed_aws_style.txt")
    failed = [e for e in events if e.failed]
    assert [e.resource for e in failed] == ["Aggregator", "Responder-Avis/ServiceRole", "Aggregator"]
    summary_line = failed[-1]
    assert summary_line.done is None and summary_line.total is None  # "Failed resources:" has no counter
    cause = first_cause(events)
    assert (cause.resource, cause.logical_id, cause.resource_type, cause.status) == (
        "Aggregator",
        "AggregatorF1A9B2C3",
        "AWS::Lambda::Function",
        "CREATE_FAILED",
    )
    assert cause.reason.startswith("Resource handler returned message: \"Value python3.99 at 'runtime'")
    assert max(e.done for e in events if e.done is not None) == 3
    assert {e.total for e in events if e.total} == {18}


def test_failure_summary_prefers_the_resource_over_the_final_error():
    summary = failure_summary(lines_of("deploy_failed_aws_style.txt"))
    assert summary.startswith("Aggregator (AWS::Lambda::Function) CREATE_FAILED: Resource handler returned message")


def test_failure_summary_of_a_failure_before_any_event_is_the_cause_line():
    assert failure_summary(lines_of("deploy_failed.txt")) == (
        "InvalidParameterValue: Queue name must end in .fifo for FIFO queues"
    )


def test_failure_summary_of_a_synth_failure_is_the_apps_error():
    assert failure_summary(lines_of("synth_failed.txt")) == (
        "The 'recipients' context is invalid: vendor 'Avis' has no base_rate."
    )
    assert failure_summary(lines_of("synth_failed_recipients.txt")).startswith(
        "The 'recipients' context is invalid: vendor 'Avis' has base_rate 'abc'"
    )


def test_a_skipped_delete_failure_is_not_a_failure():
    event = parse_progress(
        "S | 4/9 | 1:02:03 PM | DELETE_FAILED (skipped) | AWS::SQS::Queue | Old (Old1234) "
        "(this will take a few minutes to recover)"
    )
    assert event.skipped and not event.failed


def test_text_progress_draws_a_bar_when_the_counter_moves():
    stream = io.StringIO()
    display = TextProgress(stream)
    display.start("cdk deploy S", expected_total=None)
    for line in lines_of("deploy_failed_aws_style.txt"):
        event = parse_progress(line)
        if event:
            display.update(event)
    display.finish(False, "Aggregator failed")
    text = stream.getvalue().splitlines()
    assert text[0] == "▶ cdk deploy S"
    assert text[1].startswith("[") and "0/17 resources" in text[1]
    assert any("3/17 resources" in line for line in text)
    assert text[-1].startswith("✖ cdk deploy S: Aggregator failed (")


def test_outside_a_kernel_the_display_is_text():
    assert isinstance(make_display("auto"), TextProgress)
    assert not isinstance(make_display("none"), TextProgress)


def test_recorded_local_cloud_deploy_counts_resource_by_resource():
    """The local cloud's per-resource events: the counter moves one resource at a time, each started before done."""
    events = events_of("deploy_workshop_per_resource.txt")
    for stack, total in (("ScatterGatherWithParallelStack", 17), ("ScatterGatherWithSNSStack", 39)):
        mine = [e for e in events if e.stack == stack]
        assert {e.total for e in mine} == {total}
        assert [e.done for e in mine] == sorted(e.done for e in mine)  # never back
        assert sorted({e.done for e in mine}) == list(range(total + 1))  # every step, one by one
        resources = [e for e in mine if not e.is_stack]
        assert len(resources) == 2 * (total - 1) and not any(e.failed for e in mine)
        for event in resources:
            if event.status == "CREATE_COMPLETE":
                started = [e for e in resources if e.resource == event.resource and e.status == "CREATE_IN_PROGRESS"]
                assert started and resources.index(started[0]) < resources.index(event), event.resource

    stream = io.StringIO()
    display = TextProgress(stream)
    display.start("deploy", expected_total=17)
    for event in events:
        if event.stack == "ScatterGatherWithParallelStack":
            display.update(event)
    bars = [line for line in stream.getvalue().splitlines() if line.startswith("[")]
    assert [bar.split("] ")[1].split(" ·")[0] for bar in bars] == [f"{min(n, 16)}/16 resources" for n in range(1, 18)]


def test_recorded_local_cloud_failure_names_the_failing_resource_and_its_reason():
    lines = lines_of("deploy_failed_local.txt")
    events = [event for event in map(parse_progress, lines) if event is not None]
    cause = first_cause(events)
    assert cause is not None and (cause.resource, cause.resource_type, cause.status) == (
        "BrokenSubscription", "AWS::SNS::Subscription", "CREATE_FAILED")
    assert cause.reason == "Resource handler returned message: TopicNotFound: Topic does not exist"
    stack_statuses = [e.status for e in events if e.is_stack]
    assert stack_statuses == ["CREATE_IN_PROGRESS", "ROLLBACK_IN_PROGRESS", "ROLLBACK_COMPLETE"]
    assert failure_summary(lines) == (
        "BrokenSubscription (AWS::SNS::Subscription) CREATE_FAILED: "
        "Resource handler returned message: TopicNotFound: Topic does not exist")
