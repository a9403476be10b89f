"""Timeline bars from an execution history and from Lambda log events."""

from datetime import UTC, datetime, timedelta

from workshop_utils.quotes.timelines import execution_bars, invocation_bars, invocations, role_label

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
    assert execution_bars(history) == [("Requester", 2, 10), ("Parallel state", 11, 30)]


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


def test_bars_are_named_by_role_and_vendor_and_say_how_often_a_task_was_tried():
    history = [
        _event(0, "ExecutionStarted"),
        _event(1, "TaskStateEntered", "ResponderHertz"),
        _event(3000, "TaskStateExited", "ResponderHertz"),
        _event(3001, "PassStateEntered", "ResponderHertzFailed"),
        _event(3002, "PassStateExited", "ResponderHertzFailed"),
    ]
    assert execution_bars(history, attempts={"ResponderHertz": 3}) == [
        ("Responder · Hertz · 3 attempts", 1, 3000), ("Responder · Hertz (caught)", 3001, 3002)]


def test_role_labels_come_from_the_functions_logical_ids():
    assert role_label("RequesterFunction1907AB88") == "Requester"
    assert role_label("ResponderAvisFunctionD8DF1234") == "Responder · Avis"
    assert role_label("AggregatorFunction65A1DE1C") == "Aggregator"
    assert role_label("ResponderAvis") == "Responder · Avis"
    assert role_label("Something else") == "Something else"


def test_each_start_line_is_an_invocation_even_when_a_retry_keeps_the_request_id():
    events = []
    for attempt, at in enumerate((0, 1000, 3000)):
        events += [
            {"timestamp": at, "logStreamName": f"s{attempt}", "message": "START RequestId: r1 Version: $LATEST"},
            {"timestamp": at + 5, "logStreamName": f"s{attempt}", "message": "received event: uuid-x"},
            {"timestamp": at + 9, "logStreamName": f"s{attempt}", "message": "END RequestId: r1"},
        ]
    found = invocations(events, needle="uuid-x")
    spans = [(i.request_id, i.start_ms, i.end_ms) for i in found]
    assert spans == [("r1", 0, 9), ("r1", 1000, 1009), ("r1", 3000, 3009)]
    assert found[0].lines == ["received event: uuid-x"]


def test_the_executions_banner_and_its_timeline_lane_give_the_same_duration():
    from datetime import UTC, datetime, timedelta

    from workshop_utils.quotes import timelines
    from workshop_utils.render.timeline import timeline_svg

    t0 = datetime(2026, 12, 1, tzinfo=UTC)
    history = [{"type": kind, "timestamp": t0 + timedelta(milliseconds=ms), **details}
               for kind, ms, details in [
                   ("ExecutionStarted", 0, {}),
                   ("TaskStateEntered", 2, {"stateEnteredEventDetails": {"name": "Requester"}}),
                   ("TaskStateExited", 1240, {"stateExitedEventDetails": {"name": "Requester"}}),
                   ("ExecutionSucceeded", 1330, {})]]
    span = timelines.execution_span_ms(history)
    assert span == 1238
    assert f"{span:,.0f} ms end to end" in timeline_svg({"Parallel": timelines.execution_bars(history)})
