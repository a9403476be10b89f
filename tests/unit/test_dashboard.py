"""The presenter dashboard's callbacks, driven with Button.click() against fake pattern sides, and its live
frames, drawn from fake executions and fan-outs."""

from datetime import UTC, datetime, timedelta

from workshop_utils import aggregates, dashboard, triggers
from workshop_utils.dashboard import PresenterDashboard
from workshop_utils.quote_input import QuoteRequest


def test_one_click_sends_the_same_request_to_both_sides_and_counts():
    seen = []

    def parallel(request, show):
        seen.append(("parallel", request))
        show("<p>parallel done</p>")
        return 2, True

    def sns(request, show):
        seen.append(("sns", request))
        show("<p>sns partial</p>")
        return 1, False

    dashboard = PresenterDashboard({"parallel": parallel, "sns": sns})
    dashboard.days.value = 3
    dashboard.button.click()
    assert sorted(name for name, _ in seen) == ["parallel", "sns"]
    assert {request.days_rental for _, request in seen} == {3}
    assert (dashboard.counters["parallel"].requests, dashboard.counters["parallel"].quotes) == (1, 2)
    assert (dashboard.counters["sns"].quotes, dashboard.counters["sns"].failures) == (1, 1)
    assert "parallel done" in dashboard.panels["parallel"].value
    assert ">2<" in dashboard.counter_views["parallel"].value


def test_a_side_that_raises_counts_a_failure_and_shows_why():
    def broken(request, show):
        raise RuntimeError("ScatterGatherWithSNSStack is not deployed: run notebook 02.")

    dashboard = PresenterDashboard({"parallel": lambda r, show: (2, True), "sns": broken})
    dashboard.send()
    assert dashboard.counters["sns"].failures == 1
    assert "run notebook 02" in dashboard.panels["sns"].value
    assert dashboard.counters["parallel"].failures == 0

T0 = datetime(2026, 11, 27, 10, 0, 0, tzinfo=UTC)
DEFINITION = {"StartAt": "Quote", "States": {"Quote": {
    "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "f"}, "End": True}}}


def history_event(event_id, event_type, ms, name=None):
    item = {"id": event_id, "type": event_type, "timestamp": T0 + timedelta(milliseconds=ms)}
    if name and event_type.endswith("StateEntered"):
        item["stateEnteredEventDetails"] = {"name": name, "input": "{}"}
    if name and event_type.endswith("StateExited"):
        item["stateExitedEventDetails"] = {"name": name, "output": "{}"}
    return item


RUNNING = [history_event(1, "ExecutionStarted", 0), history_event(2, "TaskStateEntered", 1, "Quote")]
DONE = RUNNING + [history_event(3, "TaskStateExited", 40, "Quote"), history_event(4, "ExecutionSucceeded", 41)]


def test_the_throttle_lets_the_first_call_through_then_one_per_period():
    now = [0.0]
    throttle = dashboard.Throttle(1.0, clock=lambda: now[0])
    seen = []
    for at in (0.0, 0.4, 0.9, 1.0, 1.5, 2.1):
        now[0] = at
        seen.append(throttle.due())
    assert seen == [True, False, False, True, False, True]


def test_the_parallel_side_colours_the_graph_while_the_execution_runs(monkeypatch):
    def fake_request(request, *, watch):
        watch(DEFINITION, RUNNING)
        watch(DEFINITION, DONE)
        return triggers.ParallelExecution(
            execution_arn="arn:aws:states:us-east-1:123456789012:execution:sm:1", status="SUCCEEDED",
            request=request.payload(), output={"quotes": [{"vendor": "Avis", "price_quote": 1}]}, error=None,
            cause=None, definition=DEFINITION, history=DONE, started_at=T0, stopped_at=T0 + timedelta(milliseconds=41))

    monkeypatch.setattr(triggers, "request_parallel_quote", fake_request)
    monkeypatch.setattr(dashboard, "_live_refresh_s", lambda: 0.0)
    frames = []

    quotes, ok = dashboard._parallel_side(QuoteRequest("XL", 3), frames.append)

    assert (quotes, ok) == (1, True)
    running = [frame for frame in frames if "status-running" in frame]
    assert running and "Running:" in running[0] and "<svg" in running[0]
    assert "status-succeeded" in frames[-1] and "SUCCEEDED in 41 ms" in frames[-1]
    assert frames.index(running[0]) < len(frames) - 1


def test_the_sns_side_draws_the_fan_out_while_it_gathers(monkeypatch):
    handle = triggers.SnsQuoteHandle(uuid="u-1", requester_function="requester", lambda_request_id="r",
                                     sent_at_ms=1_000, request={})
    lanes = [[("Requester", 0.0, 5.0)], [("Requester", 0.0, 5.0), ("ResponderAvis", 6.0, 9.0)]]

    def fake_wait(handle_, *, watch):
        watch()
        watch()
        return {"uuid": "u-1", "status": "complete", "quotes": [{"vendor": "Avis", "price_quote": 1}],
                "missing_vendors": []}

    monkeypatch.setattr(triggers, "request_sns_quote", lambda request: handle)
    monkeypatch.setattr(aggregates, "wait_for_aggregate", fake_wait)
    monkeypatch.setattr(aggregates, "invocation_lanes", lambda handle_: lanes.pop(0) if len(lanes) > 1 else lanes[0])
    monkeypatch.setattr(dashboard, "_live_refresh_s", lambda: 0.0)
    frames = []

    quotes, ok = dashboard._sns_side(QuoteRequest("XL", 3), frames.append)

    assert (quotes, ok) == (1, True)
    gathering = [frame for frame in frames if "gathering" in frame and "<svg" in frame]
    assert len(gathering) == 2 and "ResponderAvis" not in gathering[0] and "ResponderAvis" in gathering[1]
    assert "Aggregate complete" in frames[-1]
