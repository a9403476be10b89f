"""The presenter dashboard: its callbacks driven with Button.click() against fake sides and levers, its lanes
drawn on the click's clock from fake histories and logs, and its pure renderers."""

import json
import threading
from datetime import UTC, datetime, timedelta

from workshop_utils.stage import dashboard, lanes, render
from workshop_utils.stage.dashboard import PresenterDashboard
from workshop_utils.stage.sides import Outcome, Throttle


def fake_side(quotes, missing=(), seen=None, name=""):
    def side(request, click_ms, show):
        if seen is not None:
            seen.append((name, request, click_ms))
        show(state="running", status="Running", lanes=[lanes.Lane("Requester", 0, 5, lanes.DONE)])
        show(state="done" if not missing else "failed", status=f"{name} over", quotes=quotes, missing=list(missing))
        return Outcome(quotes, list(missing), 40.0)

    return side


QUOTE = {"vendor": "Avis", "price_quote": 693}


class FakeLevers:
    def __init__(self):
        self.applied = []

    def apply(self, *, latency_ms, failing_vendor, on_progress):
        self.applied.append((latency_ms, failing_vendor))
        on_progress("Setting...")
        return 4

    def responders(self):
        return {"Avis": ["p", "s"], "Alamo": ["p2", "s2"]}


def test_one_click_sends_the_same_request_to_both_sides_on_one_clock_and_counts():
    seen = []
    board = PresenterDashboard({"parallel": fake_side([QUOTE, QUOTE], seen=seen, name="parallel"),
                                "sns": fake_side([QUOTE], ["Alamo"], seen=seen, name="sns")})
    board.days.value, board.car_type.value = 3, "SUV"
    board.button.click()
    board.wait_idle()
    assert sorted(name for name, _, _ in seen) == ["parallel", "sns"]
    assert {(r.car_type, r.days_rental) for _, r, _ in seen} == {("SUV", 3)}
    assert len({click for _, _, click in seen}) == 1  # both sides measure from the same click
    parallel, sns = board.counters["parallel"], board.counters["sns"]
    assert (parallel.in_flight, parallel.done, parallel.failed, parallel.quotes) == (0, 1, 0, 2)
    assert (sns.in_flight, sns.done, sns.failed, sns.quotes) == (0, 0, 1, 1)
    assert 'data-state="done"' in board.panels["parallel"].value and "parallel over" in board.panels["parallel"].value
    assert "Alamo: no quote" in board.panels["sns"].value


def test_a_side_that_raises_counts_a_failure_and_shows_why():
    def broken(request, click_ms, show):
        raise RuntimeError("ScatterGatherWithSNSStack is not deployed: run notebook 02.")

    board = PresenterDashboard({"parallel": fake_side([QUOTE]), "sns": broken})
    board.send()
    board.wait_idle()
    assert board.counters["sns"].failed == 1 and board.counters["parallel"].failed == 0
    assert "run notebook 02" in board.panels["sns"].value


def test_clicks_behind_a_running_request_show_as_backlog_and_reset_clears_everything():
    release = threading.Event()

    def slow(request, click_ms, show):
        release.wait(30)
        return Outcome([QUOTE], [], 1.0)

    board = PresenterDashboard({"parallel": slow, "sns": fake_side([QUOTE])})
    now = [0.0]
    board._clock = lambda: now[0]
    for _ in range(3):
        board.button.click()
        now[0] += 1.0  # deliberate clicks, a second apart (not a double-click)
    # the worker holds one request; the two others wait in the backlog (or three, before it picks one up)
    assert 'data-backlog="2"' in board.backlog.value or 'data-backlog="3"' in board.backlog.value
    board.reset_button.click()
    release.set()
    board.wait_idle()
    assert all(vars(counters) == vars(render.Counters()) for counters in board.counters.values())
    assert 'data-backlog="0"' in board.backlog.value
    assert "Waiting for the first click" in board.panels["sns"].value


def test_a_reset_just_as_a_click_starts_leaves_the_counters_at_zero(monkeypatch):
    from workshop_utils.stage import request_loop

    board = PresenterDashboard({"parallel": fake_side([QUOTE]), "sns": fake_side([QUOTE])})
    monkeypatch.setattr(request_loop, "now_ms", lambda: board.reset() or 0.0)  # the reset lands as the click starts
    board.button.click()
    board.wait_idle()
    assert all(vars(counters) == vars(render.Counters()) for counters in board.counters.values())


def test_levers_changed_during_a_request_apply_once_after_it_as_they_stand_then():
    release = threading.Event()

    def slow(request, click_ms, show):
        release.wait(30)
        return Outcome([QUOTE], [], 1.0)

    levers = FakeLevers()
    board = PresenterDashboard({"parallel": slow, "sns": fake_side([QUOTE])}, levers=levers,
                               vendors=["Avis", "Alamo"])
    board.button.click()
    board.speed.value = "1.5 s per vendor"
    assert "after the current request" in board.note.value
    board.failing.value = "Avis"
    board.failing.value = "Alamo"  # changed its mind while the request ran
    release.set()
    board.wait_idle()
    assert levers.applied == [(1500, "Alamo")]  # one change, the levers as the page shows them
    assert "Live from the next click" in board.note.value and "next deploy restores" in board.note.value
    board.show_levers("Normal", "none", third_vendor=True)  # reflecting what is deployed applies nothing
    board.wait_idle()
    assert len(levers.applied) == 1 and board.third_vendor.value is True


def test_a_double_click_sends_once_and_a_second_click_later_queues_another():
    seen = []
    board = PresenterDashboard({"parallel": fake_side([QUOTE], seen=seen, name="parallel")})
    now = [100.0]
    board._clock = lambda: now[0]
    board.button.click()
    now[0] += 0.2
    board.button.click()  # the same nervous click
    board.wait_idle()
    assert len(seen) == 1
    now[0] += 2.0
    board.button.click()
    board.wait_idle()
    assert len(seen) == 2


def test_a_double_click_on_the_third_vendor_box_deploys_what_it_shows_at_most_once():
    class DeployingLevers(FakeLevers):
        def __init__(self):
            super().__init__()
            self.deployed = []

        def deploy_vendors(self, third_vendor, on_line, progress):
            self.deployed.append(third_vendor)

    release = threading.Event()

    def slow(request, click_ms, show):
        release.wait(30)
        return Outcome([QUOTE], [], 1.0)

    levers = DeployingLevers()
    board = PresenterDashboard({"parallel": slow}, levers=levers, vendors=["Avis", "Alamo"])
    board.button.click()
    board.third_vendor.value = True
    board.third_vendor.value = False  # ticked and unticked: nothing to deploy
    release.set()
    board.wait_idle()
    assert levers.deployed == [] and "Already deployed without the third vendor" in board.note.value


def test_a_page_that_lost_the_stage_to_a_newer_one_drops_its_queued_work(tmp_path):
    from workshop_utils.stage.claim import StageClaim

    seen, started, release = [], threading.Event(), threading.Event()

    def slow(request, click_ms, show):
        seen.append(request)
        started.set()
        release.wait(30)
        return Outcome([QUOTE], [], 1.0)

    levers = FakeLevers()
    old = PresenterDashboard({"parallel": slow}, levers=levers, vendors=["Avis", "Alamo"],
                             claim=StageClaim(tmp_path / "claim.json"))
    old.button.click()
    assert started.wait(30)  # the click is running (not merely queued) when the page reloads
    old.failing.value = "Avis"  # queued behind the running request, as before a reload
    new = PresenterDashboard({"parallel": fake_side([QUOTE])}, levers=levers, vendors=["Avis", "Alamo"],
                             claim=StageClaim(tmp_path / "claim.json"))  # the reloaded page
    release.set()
    old.wait_idle()
    assert levers.applied == [] and len(seen) == 1
    assert "Another page has the stage now" in old.note.value
    new.failing.value = "Alamo"
    new.wait_idle()
    assert levers.applied == [(None, "Alamo")]


def test_an_idle_page_shows_both_architectures_lanes():
    board = PresenterDashboard(vendors=["Avis", "Alamo"])
    parallel, sns = board.panels["parallel"].value, board.panels["sns"].value
    assert "Parallel (waits for all)" in parallel and "Responder · Alamo" in parallel
    assert "Aggregator (quotes)" in sns and "Aggregator (deadline)" in sns and "Responder · Avis" in sns


def test_a_run_saved_to_a_file_replays_after_a_reload_and_from_an_uploaded_file(tmp_path):
    def measured(request, click_ms, show):
        show(state="done", status="COMPLETE at 0.3 s: 1 quotes.", quotes=[QUOTE],
             messages=[lanes.Message("scatter", "SNS topic", "Requester", "Responder · Avis", 5.0, 10.0)],
             lanes=[lanes.Lane("Requester", 10, 100, "done"), lanes.Lane("Responder · Avis", 120, 300, "done")])
        return Outcome([QUOTE], [], 300.0)

    first = PresenterDashboard({"sns": measured}, runs_folder=tmp_path)
    first.button.click()
    first.wait_idle()
    assert (tmp_path / "last.json").exists()  # every finished request, for a replay after a reload
    saved = first.save_run()
    assert saved.parent == tmp_path and saved.name.startswith("run-")

    def fast(board):
        now = [0.0]
        board._clock = lambda: now[0]
        board._sleep = lambda seconds: now.__setitem__(0, now[0] + seconds)
        frames = []
        board.panels["sns"].observe(lambda change: frames.append(change["new"]), names="value")
        return frames

    reloaded = PresenterDashboard({"sns": measured}, runs_folder=tmp_path)  # a new page: nothing in memory
    frames = fast(reloaded)
    reloaded.replay()
    reloaded.wait_idle()
    assert any("REPLAY ×10 of measured times" in frame for frame in frames)
    assert 'data-lane="Responder · Avis"' in frames[-1] and "Replay over" in reloaded.note.value

    elsewhere = PresenterDashboard({"sns": measured}, runs_folder=tmp_path / "other")  # another machine
    frames = fast(elsewhere)
    elsewhere.replay_saved(saved.read_bytes())
    elsewhere.wait_idle()
    assert any("REPLAY" in frame for frame in frames) and 'data-kind="scatter"' in frames[-1]
    elsewhere.replay_saved(b'{"not": "a run"}')
    assert "not a run saved by the dashboard" in elsewhere.note.value


def test_a_failing_vendor_is_named_in_words_that_agree_with_its_colours():
    drawn = lanes.sns_lanes(sns_logs(deadline_fired=True), click_ms=1_000, now_ms=20_000)
    by_label = {lane.label: lane.status for lane in drawn}
    assert by_label["Responder · Budget"] == "failed" and by_label["Aggregator (deadline)"] == "timed-out"
    svg = render.lanes_svg(drawn + [lanes.Lane("Responder · Avis", 0, 5_000, "caught")], [], axis_ms=20_000,
                           key="stage-sns")
    for word, pattern in (("✗ failed", "hatch"), ("✗ timed out", "hatch"), ("caught", "dots")):
        assert f">{word}</text>" in svg and f'url(#stage-sns-{pattern})' in svg


def test_the_theme_toggle_switches_the_root_class():
    board = PresenterDashboard({"parallel": fake_side([QUOTE])}, theme="dark")
    assert "stage-dark" in board._dom_classes
    board.theme.value = "light"
    assert "stage-light" in board._dom_classes and "stage-dark" not in board._dom_classes


def test_the_theme_comes_from_the_page_address(monkeypatch):
    monkeypatch.setenv("QUERY_STRING", "theme=light")
    assert dashboard.query_theme() == "light"
    monkeypatch.setenv("QUERY_STRING", "theme=purple")
    assert dashboard.query_theme() == "dark"


def test_the_throttle_lets_the_first_call_through_then_one_per_period():
    now = [0.0]
    throttle = Throttle(1.0, clock=lambda: now[0])
    seen = []
    for at in (0.0, 0.4, 0.9, 1.0, 1.5, 2.1):
        now[0] = at
        seen.append(throttle.due())
    assert seen == [True, False, False, True, False, True]


T0 = datetime(2026, 11, 27, 10, 0, 0, tzinfo=UTC)
CLICK = T0.timestamp() * 1000 - 100  # the click came 100 ms before the execution's first event


def event(event_type, ms, name=None):
    item = {"type": event_type, "timestamp": T0 + timedelta(milliseconds=ms)}
    if name:
        key = "stateEnteredEventDetails" if event_type.endswith("Entered") else "stateExitedEventDetails"
        item[key] = {"name": name}
    return item


def test_parallel_lanes_are_named_by_role_and_vendor_on_the_click_clock():
    history = [event("ExecutionStarted", 0), event("TaskStateEntered", 1, "Requester"),
               event("TaskStateExited", 20, "Requester"), event("ParallelStateEntered", 21, "Parallel"),
               event("TaskStateEntered", 22, "ResponderAvis"), event("TaskStateEntered", 22, "ResponderAlamo")]
    running = lanes.parallel_lanes(history, click_ms=CLICK, now_ms=CLICK + 500)
    assert [(lane.label, lane.status) for lane in running] == [
        ("Requester", "done"), ("Parallel (waits for all)", "running"), ("Responder · Avis", "running"),
        ("Responder · Alamo", "running")]
    assert running[0].start_ms == 101 and running[-1].end_ms == 500  # open states run until now
    history += [event("TaskStateExited", 60, "ResponderAlamo"), event("PassStateEntered", 300, "ResponderAvisFailed"),
                event("PassStateExited", 301, "ResponderAvisFailed"), event("TaskStateExited", 300, "ResponderAvis"),
                event("ParallelStateExited", 302, "Parallel"), event("ExecutionSucceeded", 303)]
    done = lanes.parallel_lanes(history, click_ms=CLICK, now_ms=CLICK + 900)
    assert ("Responder · Avis", "caught") in [(lane.label, lane.status) for lane in done]
    assert lanes.execution_end_ms(history, click_ms=CLICK) == 403


def log(ms, message, stream="s1"):
    return {"timestamp": 1_000 + ms, "message": message, "logStreamName": stream}


def test_sns_lanes_tell_the_aggregator_woken_by_quotes_from_the_one_woken_by_the_deadline():
    aggregator = [log(50, "START RequestId: a1"), log(51, "quotes: [{\"uuid\": \"u-1\"}]"),
                  log(52, 'aggregate: {"uuid": "u-1", "status": "complete"}'), log(53, "END RequestId: a1"),
                  log(9000, "START RequestId: a2"), log(9001, "deadline of request u-1 passed: it was already "
                                                       "aggregated"), log(9002, "END RequestId: a2")]
    responder = [log(10, "START RequestId: r1"), log(11, "received event: u-1")]  # still running
    seen = {"Responder · Avis": lanes.invocations(responder, "u-1"),
            "Aggregator": lanes.invocations(aggregator, "u-1")}
    drawn = lanes.sns_lanes(seen, click_ms=1_000, now_ms=1_040)
    assert [(lane.label, lane.start_ms, lane.end_ms, lane.status) for lane in drawn] == [
        ("Responder · Avis", 10, 40, "running"), ("Aggregator (quotes)", 50, 53, "done"),
        ("Aggregator (deadline)", 9000, 9002, "done")]
    assert lanes.aggregate_time_ms(aggregator, "u-1", click_ms=1_000) == 52


def test_a_failed_invocation_is_drawn_failed():
    events = [log(0, "START RequestId: r1"), log(1, "received event: u-1"),
              log(2, "[ERROR] VendorUnavailableError: Vendor Avis is unavailable"), log(3, "END RequestId: r1")]
    (lane,) = lanes.sns_lanes({"Responder · Avis": lanes.invocations(events, "u-1")}, click_ms=1_000, now_ms=1_005)
    assert lane.status == "failed"


def test_the_renderers_scale_with_the_page_and_are_self_contained():
    svg = render.lanes_svg([lanes.Lane("Requester", 0, 120, "done")], ["Requester", "Aggregator (deadline)"],
                           axis_ms=1000, now_ms=500, deadline_ms=800)
    assert 'viewBox="0 0 ' in svg and 'width="100%"' in svg and "Aggregator (deadline)" in svg
    view = render.SideView(key="sns", title="SNS", watch="Watch this", quotes=[QUOTE], missing=["Alamo"])
    page = render.side_html(view, axis_ms=1000) + render.page_css()
    assert "<script" not in page and "http://" not in page.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in page
    assert ".stage-root.stage-dark" in page and ".stage-root.stage-light" in page
    assert "max(20px, 1.5625vw)" in page  # 20 px at 1280 wide, growing with the page


def test_the_shared_axis_ends_on_a_round_number_past_both_sides():
    assert render.axis_end_ms(40, 130) == 200
    assert render.axis_end_ms(1600, 900) == 2000
    assert render.axis_end_ms(10_300) == 20_000


def test_the_third_vendor_switch_redeploys_then_offers_the_new_vendor_and_reapplies_the_levers():
    class DeployingLevers(FakeLevers):
        deployed = []

        def deploy_vendors(self, third_vendor, on_line, progress):
            progress.phase = "deploying"
            for line in SNS_DEPLOY_LINES:
                progress.line("ScatterGatherWithSNSStack", line)
            progress.finish("ScatterGatherWithSNSStack")
            self.deployed.append(third_vendor)

        def responders(self):
            return super().responders() | ({"Hertz": ["p3", "s3"]} if self.deployed[-1:] == [True] else {})

    levers = DeployingLevers()
    board = PresenterDashboard({"parallel": fake_side([QUOTE])}, levers=levers, vendors=["Avis", "Alamo"])
    board.third_vendor.value = True
    board.wait_idle()
    assert levers.deployed == [True]
    assert "Hertz" in board.failing.options
    assert levers.applied == [(None, None)]  # a deploy restores cdk.json; the page's levers are set again
    assert "Hertz added in" in board.note.value and "SNS stack: one more subscription" in board.note.value


SNS_DEPLOY_LINES = [
    "ScatterGatherWithSNSStack |  0/11 | 1:35:56 AM | UPDATE_IN_PROGRESS      | AWS::CloudFormation::Stack      | Sns",
    "ScatterGatherWithSNSStack |  3/11 | 1:35:57 AM | CREATE_COMPLETE         | AWS::SNS::Subscription          | Sub",
    "ScatterGatherWithSNSStack |  4/11 | 1:35:57 AM | CREATE_COMPLETE         | AWS::Lambda::Function           | Fn",
    "ScatterGatherWithSNSStack |  5/11 | 1:35:57 AM | CREATE_COMPLETE         | AWS::IAM::Role                  | Role",
    "ScatterGatherWithSNSStack |  6/11 | 1:35:58 AM | UPDATE_COMPLETE         | AWS::Lambda::Function           | Agg",
    "ScatterGatherWithSNSStack |  7/11 | 1:35:58 AM | UPDATE_COMPLETE         | AWS::Lambda::EventSourceMapping | Esm",
]


def test_the_redeploy_shows_each_stacks_progress_and_says_what_changed():
    from workshop_utils.stage.deploys import DeployProgress

    now = [0.0]
    progress = DeployProgress(["ScatterGatherWithParallelStack", "ScatterGatherWithSNSStack"], clock=lambda: now[0])
    assert progress.status().startswith("Adding or removing the vendor: synthesizing")
    progress.phase = "deploying"
    progress.line("ScatterGatherWithSNSStack", "ScatterGatherWithSNSStack: creating CloudFormation changeset...")
    assert "Parallel stack starting the CDK CLI · SNS stack change set" in progress.status()
    progress.line("ScatterGatherWithParallelStack", "ScatterGatherWithParallelStack | 2/8 | 1:36:22 AM | "
                                                    "UPDATE_COMPLETE | AWS::StepFunctions::StateMachine | Sm")
    for line in SNS_DEPLOY_LINES:
        progress.line("ScatterGatherWithSNSStack", line)
    now[0] = 6.25
    assert progress.status() == "Deploying side by side: Parallel stack 2/8 · SNS stack 7/11 · 6.2 s"
    progress.finish("ScatterGatherWithSNSStack")
    assert "SNS stack done" in progress.status()
    assert progress.headline() == ("Parallel stack: a new state machine definition; SNS stack: one more "
                                   "subscription, and the aggregator's settings and the batch size updated")
    assert progress.summary() == ("Parallel stack: updated the state machine's definition. SNS stack: updated a "
                                  "function and 1 supporting resource type(s); created a function, a subscription "
                                  "to the topic and 1 supporting resource type(s)")


def test_a_replay_redraws_the_measured_lanes_slowly_then_ends_on_the_measured_picture():
    def measured(request, click_ms, show):
        show(state="done", status="SUCCEEDED at 0.3 s: 1 quotes.", quotes=[QUOTE],
             lanes=[lanes.Lane("Requester", 10, 100, "done"), lanes.Lane("Responder · Avis", 120, 300, "done")])
        return Outcome([QUOTE], [], 300.0)

    board = PresenterDashboard({"parallel": measured})
    board.replay()
    board.wait_idle()
    assert "Nothing to replay yet" in board.note.value
    board.button.click()
    board.wait_idle()
    final = board.panels["parallel"].value
    now = [0.0]
    board._clock = lambda: now[0]
    board._sleep = lambda seconds: now.__setitem__(0, now[0] + seconds)  # a fake clock: no real waiting
    frames = []
    board.panels["parallel"].observe(lambda change: frames.append(change["new"]), names="value")
    board.replay_factor.value = "×10 slower"
    board.replay()
    board.wait_idle()
    replaying = [frame for frame in frames if "REPLAY ×10 of measured times" in frame]
    assert len(replaying) >= 25  # 0.3 s measured, 3 s replayed, a frame every 0.1 s
    assert 'data-lane="Responder · Avis"' not in replaying[0] and 'data-lane="Requester"' in replaying[1]
    assert 'data-quotes="0"' in replaying[-1]  # the quotes arrive when the replay reaches the side's end
    assert frames[-1] == final and "Replay over" in board.note.value


def test_a_caught_vendor_is_coloured_caught_along_its_whole_lane():
    history = [event("ExecutionStarted", 0), event("TaskStateEntered", 1, "ResponderAvis"),
               event("TaskStateExited", 300, "ResponderAvis"), event("PassStateEntered", 300, "ResponderAvisFailed"),
               event("PassStateExited", 301, "ResponderAvisFailed"), event("ExecutionSucceeded", 303)]
    drawn = lanes.parallel_lanes(history, click_ms=CLICK, now_ms=CLICK + 900)
    assert {lane.status for lane in drawn if lane.label == "Responder · Avis"} == {"caught"}


def test_a_replay_frame_shows_what_had_started_by_then():
    measured = [lanes.Lane("Requester", 0, 50, "done"), lanes.Lane("Responder · Avis", 60, 200, "failed")]
    assert lanes.replay_frame(measured, 100) == [lanes.Lane("Requester", 0, 50, "done"),
                                                 lanes.Lane("Responder · Avis", 60, 100, "running")]


def sns_event_line(published_iso):
    record = {"Records": [{"EventSource": "aws:sns", "Sns": {"Timestamp": published_iso,
                                                             "Message": '{"data": {"uuid": "u-1"}}'}}]}
    return "[INFO]\t2026-11-29T20:00:00.000Z\tr1\treceived event: " + json.dumps(record)


PUBLISHED = datetime.fromtimestamp(1.005, UTC).isoformat().replace("+00:00", "Z")  # 5 ms after the click


def sns_logs(*, deadline_fired: bool):
    avis = [log(10, "START RequestId: r1"), log(11, sns_event_line(PUBLISHED)),
            log(30, 'quote from Avis: {"uuid": "u-1", "vendor": "Avis"}'), log(31, "END RequestId: r1")]
    budget = [log(12, "START RequestId: b1"), log(13, sns_event_line(PUBLISHED)),
              log(14, "[ERROR] VendorUnavailableError: Vendor Budget is unavailable"), log(15, "END RequestId: b1")]
    aggregator = [log(50, "START RequestId: a1"),
                  log(51, '[INFO]\t...\tquotes: [{"uuid": "u-1", "vendor": "Avis", "price_quote": 10}]'),
                  log(53, "END RequestId: a1")]
    if deadline_fired:
        aggregator += [log(10_005, "START RequestId: a2"), log(10_006, 'aggregate: {"uuid": "u-1", "timed_out": '
                                                                       'true}'), log(10_007, "END RequestId: a2")]
    return {"Responder · Avis": lanes.invocations(avis, "u-1"), "Responder · Budget": lanes.invocations(budget, "u-1"),
            "Aggregator": lanes.invocations(aggregator, "u-1")}


def test_sns_messages_are_read_from_the_logs_with_who_sent_and_who_received_them():
    drawn = lanes.sns_messages(sns_logs(deadline_fired=False), click_ms=1_000)
    assert [(m.kind, m.sender, m.receiver, round(m.sent_ms), m.received_ms) for m in drawn] == [
        ("scatter", "Requester", "Responder · Avis", 5, 10),
        ("scatter", "Requester", "Responder · Budget", 5, 12),
        ("deadline", "Requester", "Aggregator (deadline)", 5, None),  # still held back by its queue
        ("quote", "Responder · Avis", "Aggregator (quotes)", 31, 50),  # from Avis's end (OnSuccess)
    ]  # Budget failed: it sent no quote
    fired = lanes.sns_messages(sns_logs(deadline_fired=True), click_ms=1_000)
    assert [(m.kind, m.received_ms) for m in fired if m.kind == "deadline"] == [("deadline", 10_005)]


def test_a_replay_shows_only_the_messages_sent_by_then_and_those_not_yet_received_on_their_way():
    measured = lanes.sns_messages(sns_logs(deadline_fired=True), click_ms=1_000)
    at_40 = lanes.replay_messages(measured, 40)
    assert [(m.kind, m.received_ms) for m in at_40] == [("scatter", 10), ("scatter", 12), ("deadline", None),
                                                       ("quote", None)]
    assert lanes.replay_messages(measured, 4) == []


def test_messages_are_drawn_as_arrows_between_rows_and_on_their_way_as_dashed_lines():
    messages = lanes.sns_messages(sns_logs(deadline_fired=False), click_ms=1_000)
    rows = dashboard_rows = ["Requester", "Responder · Avis", "Responder · Budget", "Aggregator (quotes)",
                             "Aggregator (deadline)"]
    svg = render.lanes_svg([], dashboard_rows, axis_ms=100, now_ms=60, messages=messages)
    assert svg.count('data-state="received"') == 3 and svg.count('data-state="on-its-way"') == 1
    assert 'data-kind="deadline" data-from="Requester" data-to="Aggregator (deadline)"' in svg
    assert "not received yet" in svg and "through the quotes queue" in svg
    assert len(rows) == 5


def test_a_lane_beyond_the_axis_is_named_at_its_rows_end_and_does_not_stretch_the_axis():
    late = lanes.Lane("Aggregator (deadline)", 10_005, 10_007, "done")
    svg = render.lanes_svg([lanes.Lane("Requester", 0, 20, "done"), late], ["Requester", "Aggregator (deadline)"],
                           axis_ms=100)
    assert 'class="lane beyond done"' in svg and "at 10.0 s ▸" in svg
    view = render.SideView(key="sns", title="", watch="", lanes=[lanes.Lane("Requester", 0, 20, "done"), late],
                           end_ms=60)
    assert PresenterDashboard._on_axis(view) == [20]


def test_the_deadline_that_fires_after_the_answer_is_drawn_later_on_the_same_panel():
    released = threading.Event()

    def answered_then_deadline(request, click_ms, show):
        early = [lanes.Lane("Aggregator (quotes)", 50, 53, "done")]
        show(state="done", status="COMPLETE at 0.1 s: 1 quotes.", lanes=early, quotes=[QUOTE])

        def follow(show_later, current):
            released.wait(5)
            if current():
                show_later(lanes=early + [lanes.Lane("Aggregator (deadline)", 10_005, 10_007, "done")])

        return Outcome([QUOTE], [], 53.0, follow=follow)

    board = PresenterDashboard({"sns": answered_then_deadline})
    board.button.click()
    board.wait_idle()
    assert "at 10.0 s ▸" not in board.panels["sns"].value and board.counters["sns"].done == 1
    drawn = threading.Event()
    board.panels["sns"].observe(lambda change: drawn.set(), names="value")
    released.set()
    assert drawn.wait(5)
    assert "at 10.0 s ▸" in board.panels["sns"].value  # named at the row's end; the axis stays on the answer
    assert "Aggregator (deadline)" in [lane.label for lane in board._measured["sns"].lanes]  # kept for a replay


def test_what_arrives_while_a_replay_holds_the_panel_is_in_the_replayed_run():
    released = threading.Event()

    def answered_then_deadline(request, click_ms, show):
        show(state="done", status="COMPLETE", lanes=[lanes.Lane("Aggregator (quotes)", 50, 53, "done")])

        def follow(show_later, current):
            released.wait(5)
            if current():
                show_later(lanes=[lanes.Lane("Aggregator (deadline)", 10_005, 10_007, "done")])

        return Outcome([QUOTE], [], 53.0, follow=follow)

    board = PresenterDashboard({"sns": answered_then_deadline})
    board.button.click()
    board.wait_idle()
    board.views["sns"] = render.SideView(key="sns", title="", watch="", state="replay")  # a replay's frame
    released.set()
    for _ in range(50):
        if board._measured["sns"].lanes[0].label == "Aggregator (deadline)":
            break
        threading.Event().wait(0.1)
    assert board._measured["sns"].lanes[0].label == "Aggregator (deadline)"


def test_a_cold_start_is_part_of_the_lane_on_the_sns_side_as_in_a_task_state_and_its_arrow_meets_it():
    events = [log(0, "START RequestId: r1"), log(1, sns_event_line(PUBLISHED)), log(20, "END RequestId: r1"),
              log(20, "REPORT RequestId: r1\tDuration: 19.00 ms\tBilled Duration: 19 ms\tMemory Size: 128 MB\t"
                      "Max Memory Used: 60 MB\tInit Duration: 300.50 ms")]
    seen = {"Responder · Avis": lanes.invocations(events, "u-1")}
    (lane,) = lanes.sns_lanes(seen, click_ms=699, now_ms=800)
    assert (lane.start_ms, lane.end_ms) == (0.5, 321)  # from the cold start's beginning, not from START
    (scatter,) = lanes.sns_messages(seen, click_ms=699)[:1]
    assert scatter.received_ms == lane.start_ms
