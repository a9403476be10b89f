"""Timeline bars from an execution history and from Lambda log events."""

from datetime import UTC, datetime, timedelta

from workshop_utils.timelines import execution_bars, invocation_bars

T0 = datetime(2026, 11, 27, 12, 0, 0, tzinfo=UTC)


def _event(ms, kind, name=None):
    event = {"timestamp": T0 + timedelta(milliseconds=ms), "type": kind}
    if name and kind.endswith("Entered"):
        event["stateEnteredEventDetails"] = {"name": name}
    if name and kind.endswith("Exited"):
        event["stateExitedEventDetails"] = {"name": name}
    return event


def test_execution_bars_pair_entered_and_exited_events():
    history = [
        _event(0, "ExecutionStarted"),
        _event(2, "TaskStateEntered", "Requester"),
        _event(10, "TaskStateExited", "Requester"),
        _event(11, "ParallelStateEntered", "Parallel"),
        _event(30, "ParallelStateExited", "Parallel"),
        _event(31, "ExecutionSucceeded"),
    ]
    assert execution_bars(history) == [("Requester", 2, 10), ("Parallel", 11, 30)]


def test_a_state_never_exited_runs_to_the_last_event():
    history = [_event(0, "ExecutionStarted"), _event(5, "TaskStateEntered", "Responder"), _event(40, "ExecutionFailed")]
    assert execution_bars(history) == [("Responder", 5, 40)]


def test_invocation_bars_keep_only_invocations_mentioning_the_needle_per_stream():
    events = [
        {"timestamp": 1000, "logStreamName": "a", "message": "START RequestId: r1 Version: $LATEST"},
        {"timestamp": 1001, "logStreamName": "b", "message": "START RequestId: r2 Version: $LATEST"},
        {"timestamp": 1002, "logStreamName": "b", "message": "quote for uuid-x"},
        {"timestamp": 1003, "logStreamName": "a", "message": "quote for uuid-y"},
        {"timestamp": 1005, "logStreamName": "a", "message": "END RequestId: r1"},
        {"timestamp": 1009, "logStreamName": "b", "message": "END RequestId: r2"},
    ]
    assert invocation_bars(events, label="Avis", needle="uuid-x", origin_ms=1000) == [("Avis", 1, 9)]
