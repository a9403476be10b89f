"""Sentences about what just happened, written from the results: branches, attempts, aggregates, diffs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from workshop_utils.ui import outcomes

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "cdk_output"
T0 = datetime(2026, 11, 29, 12, 0, 0, tzinfo=UTC)


class History:
    """A Step Functions history built event by event, each pointing at the one it follows."""

    def __init__(self) -> None:
        self.events: list[dict] = []

    def add(self, kind: str, previous: int | None = None, **details) -> int:
        event_id = len(self.events) + 1
        event = {"id": event_id, "type": kind, "timestamp": T0 + timedelta(milliseconds=event_id),
                 "previousEventId": previous if previous is not None else event_id - 1}
        if kind.endswith("StateEntered"):
            event["stateEnteredEventDetails"] = {"name": details["name"]}
        elif kind.endswith("StateExited"):
            event["stateExitedEventDetails"] = {"name": details["name"]}
        elif kind == "TaskFailed":
            event["taskFailedEventDetails"] = {"error": details["error"], "cause": "{}"}
        self.events.append(event)
        return event_id

    def task(self, name: str, *, failures: int, succeed: bool, after: int) -> int:
        """A task tried once plus once per retry; returns the id of its last event."""
        last = self.add("TaskStateEntered", after, name=name)
        for _ in range(failures):
            last = self.add("TaskScheduled", last)
            last = self.add("TaskFailed", last, error="VendorUnavailableError")
        if succeed:
            last = self.add("TaskScheduled", last)
            last = self.add("TaskSucceeded", last)
            last = self.add("TaskStateExited", last, name=name)
        return last


def parallel_history(*, caught: bool) -> list[dict]:
    history = History()
    history.add("ExecutionStarted", 0)
    requester = history.task("Requester", failures=0, succeed=True, after=1)
    parallel = history.add("ParallelStateEntered", requester, name="Parallel")
    history.task("ResponderAvis", failures=0, succeed=True, after=parallel)
    hertz = history.task("ResponderHertz", failures=3 if caught else 1, succeed=False, after=parallel)
    if caught:
        exited = history.add("TaskStateExited", hertz, name="ResponderHertz")
        entered = history.add("PassStateEntered", exited, name="ResponderHertzFailed")
        history.add("PassStateExited", entered, name="ResponderHertzFailed")
        history.add("ParallelStateExited", name="Parallel")
        history.add("ExecutionSucceeded")
    else:
        history.add("ParallelStateFailed", hertz)
        history.add("ExecutionFailed")
    return history.events


def test_an_uncaught_vendor_failure_is_told_with_its_attempts_and_the_lost_quotes():
    story = outcomes.parallel_story(parallel_history(caught=False), {})
    assert story == [
        "Responder · Hertz failed at its first attempt, with no retry (VendorUnavailableError); nothing caught "
        "the error, so it failed the whole execution.",
        "A failed execution has no output: the quotes of Responder · Avis are lost with it.",
    ]


def test_a_caught_vendor_failure_counts_every_attempt():
    story = outcomes.parallel_story(parallel_history(caught=True), {"ResponderHertz": {"ResponderHertzFailed"}})
    assert story == [
        "Responder · Hertz was tried 3 times and failed every time (VendorUnavailableError); its Catch turned the "
        "error into an entry of the output's errors list, so the execution went on without it."
    ]


def test_a_clean_execution_has_nothing_to_tell():
    history = History()
    history.add("ExecutionStarted", 0)
    history.task("Requester", failures=0, succeed=True, after=1)
    history.add("ExecutionSucceeded")
    assert outcomes.parallel_story(history.events, {}) == []


def test_the_sns_story_names_the_missing_vendor_its_attempts_and_its_failure_record():
    aggregate = {"status": "timed_out", "missing_vendors": ["Hertz"],
                 "quotes": [{"vendor": "Avis"}, {"vendor": "Alamo"}]}
    record = {"function": "Responder · Hertz", "condition": "RetriesExhausted", "attempts": 3,
              "error": "VendorUnavailableError"}
    story = outcomes.sns_story(aggregate, {"Avis": 1, "Alamo": 1, "Hertz": 3}, [record])
    assert story == [
        "Aggregate timed_out: Alamo and Avis answered; Hertz is missing, so the aggregator wrote it when the "
        "deadline passed.",
        "Lambda ran Responder · Hertz 3 times for this request (3 START lines in its log).",
        "The failed-invocations queue holds an OnFailure record for Responder · Hertz: RetriesExhausted after "
        "3 attempt(s), VendorUnavailableError.",
    ]


def test_a_complete_aggregate_with_single_attempts_is_one_sentence():
    aggregate = {"status": "complete", "missing_vendors": [], "quotes": [{"vendor": "Avis"}, {"vendor": "Alamo"}]}
    assert outcomes.sns_story(aggregate, {"Avis": 1, "Alamo": 1}, []) == [
        "Aggregate complete: Alamo and Avis answered, one quote each."]


def test_the_parallel_diff_adds_the_vendors_resources_and_changes_the_definition():
    text = (FIXTURES / "diff_third_vendor_parallel.txt").read_text()
    changes = outcomes.diff_resources(text)
    assert [(c.op, c.resource_type.split("::")[-1]) for c in changes if c.op == "+"] == [
        ("+", "LogGroup"), ("+", "Role"), ("+", "Policy"), ("+", "Function")]
    changed = {c.name: c.properties for c in changes if c.op == "~"}
    assert changed == {"StateMachine/Role/DefaultPolicy": ["PolicyDocument"], "StateMachine": ["DefinitionString"]}


def test_the_sns_diff_shows_the_aggregator_is_coupled_to_the_vendor_list():
    story = outcomes.diff_story("ScatterGatherWithSNSStack", (FIXTURES / "diff_third_vendor_sns.txt").read_text())
    assert story.startswith("ScatterGatherWithSNSStack adds 7 resources: ")
    assert "ResponderHertz/Function/ScatterTopic (Subscription)" in story
    assert "changes Aggregator/Function: EXPECTED_VENDORS Alamo,Avis → Alamo,Avis,Hertz" in story
    assert "changes Aggregator/Function/SqsEventSource: BatchSize 2 → 3" in story


def test_no_resources_in_a_diff_says_nothing_would_change():
    assert outcomes.diff_story("S", "Stack S\nThere were no differences\n") == "S: nothing would change."


def test_the_benchmark_story_compares_medians_and_reports_losses():
    summaries = {"parallel": {"p50_ms": 40.0, "p95_ms": 90.0, "lost": 0, "failed": 0},
                 "sns": {"p50_ms": 140.0, "p95_ms": 900.0, "lost": 2, "failed": 0}}
    story = outcomes.benchmark_story(summaries)
    assert story[0] == ("Median (p50, half the requests took less): Parallel 40.0 ms, SNS 140.0 ms (100.0 ms "
                        "apart); the 95th percentile (p95, all but the slowest 5 %): Parallel 90.0 ms, SNS 900.0 ms.")
    assert story[1].startswith("SNS: 2 request(s) got no result in time")


def test_every_latency_in_the_benchmark_story_is_written_as_its_table_writes_it():
    summaries = {"parallel": {"p50_ms": 30.5, "p95_ms": 41.5, "p99_ms": 50.0, "throughput_rps": 4.9,
                              "completed": 30, "lost": 0, "failed": 0},
                 "sns": {"p50_ms": 33.0, "p95_ms": 128.3, "p99_ms": 130.0, "throughput_rps": 4.9,
                         "completed": 30, "lost": 0, "failed": 0}}
    story = outcomes.benchmark_story(summaries)[0]
    rows = outcomes.benchmark_rows(summaries, "5/s for 6 s")
    for row in rows:
        assert f"{row['pattern']} {row['median (p50)']}" in story and f"{row['pattern']} {row['p95']}" in story
    assert "Parallel 30.5 ms, SNS 33.0 ms (2.5 ms apart)" in story


def test_a_failed_aggregate_is_told_by_its_reason_not_as_a_deadline_that_passed():
    aggregate = {"status": "failed", "uuid": "u-1", "quotes": [], "missing_vendors": ["Avis", "Alamo"],
                 "reason": "its deadline passed but the aggregates table could not be read or written"}
    story = outcomes.sns_story(aggregate, {"Avis": 1, "Alamo": 1}, [])
    assert story[0] == ("Aggregate failed: its deadline passed but the aggregates table could not be read or "
                        "written.")
