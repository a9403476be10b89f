"""The benchmark's own logic: percentiles, pacing, reading the aggregator's log incrementally, the CLI."""

from __future__ import annotations

import json
import threading

import pytest

from workshop_utils.measure import aggregate_reader, batching, bench, load, startup
from workshop_utils.measure.percentiles import PatternRun, percentile


def test_percentiles_are_nearest_rank():
    values = [float(v) for v in range(1, 101)]
    assert (percentile(values, 50), percentile(values, 95), percentile(values, 99)) == (
        50.0, 95.0, 99.0)
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0
    assert percentile([7.0], 99) == 7.0
    assert percentile([], 50) is None


def test_a_run_summary_counts_completions_losses_and_throughput():
    run = PatternRun(latencies_ms=[10.0, 20.0, 30.0, 40.0], failed=1, lost=2, wall_s=2.0)
    summary = run.summary()
    assert summary["completed"] == 4 and summary["throughput_rps"] == 2.0
    assert (summary["lost"], summary["failed"], summary["p50_ms"]) == (2, 1, 20.0)


def test_closed_loop_keeps_at_most_concurrency_requests_in_flight():
    in_flight, most, lock, sent = 0, 0, threading.Lock(), []
    release = threading.Event()

    def one(index: int) -> None:
        nonlocal in_flight, most
        with lock:
            in_flight += 1
            most = max(most, in_flight)
            sent.append(index)
        release.wait(0.05)
        with lock:
            in_flight -= 1

    load.send_all(one, 12, concurrency=3, rate=None)

    assert sorted(sent) == list(range(12)) and most <= 3


def test_open_loop_sends_one_request_every_one_over_rate_seconds():
    assert load.send_offsets(5, 4.0) == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert load.send_offsets(0, 20.0) == []


def test_open_loop_sends_every_request_without_waiting_for_the_others():
    sent, release = [], threading.Event()

    def one(index: int) -> None:
        sent.append(index)
        if index == 0:
            release.wait(5)  # the first request hangs until the last one has been sent
        if index == 3:
            release.set()

    load.send_all(one, 4, concurrency=4, rate=200.0)

    assert sorted(sent) == [0, 1, 2, 3]


def aggregate_event(event_id: str, timestamp: int, uuid: str, status: str = "complete") -> dict:
    return {"eventId": event_id, "timestamp": timestamp,
            "message": "aggregate: " + json.dumps({"uuid": uuid, "status": status, "quotes": []})}


def test_the_aggregate_reader_reads_each_event_once_and_from_near_the_newest(monkeypatch):
    pages = [
        [aggregate_event("e1", 20_000, "a"), {"eventId": "e2", "timestamp": 20_100, "message": "START RequestId: x"}],
        [aggregate_event("e1", 20_000, "a"), aggregate_event("e3", 25_000, "b", "timed_out"),
         {"eventId": "e4", "timestamp": 25_001, "message": 'quotes: [{"uuid": "c"}]'}],
    ]
    asked_from: list[int] = []

    def fetch(group: str, *, start_ms: int) -> list[dict]:
        asked_from.append(start_ms)
        return pages.pop(0)

    monkeypatch.setattr(aggregate_reader, "fetch_log_events", fetch)
    reader = aggregate_reader.AggregateLineReader("/aws/lambda/aggregator", since_ms=9_000, overlap_ms=2_000)

    reader.read()
    reader.read()

    assert reader.aggregated == {"a": ("complete", 20_000), "b": ("timed_out", 25_000)}
    assert asked_from == [9_000, 20_100 - 2_000]
    assert reader.cursor_ms == 25_001 - 2_000


def test_the_batching_sentence_says_what_the_window_costs_one_request():
    said = batching.Batching(size=2, window_s=1.0).cost_sentence()
    assert "holds 2 quotes" in said and "up to 1 s more" in said
    assert "costs a request nothing" in batching.Batching(size=3, window_s=0.0).cost_sentence()


def test_the_workshop_load_is_an_open_loop_run_of_whole_requests():
    assert load.requests_for(load.WORKSHOP_RATE, load.WORKSHOP_DURATION_S) == 30
    assert load.requests_for(0.1, 1) == 1


def test_duration_sets_the_request_count_and_needs_a_rate(monkeypatch, capsys):
    calls = []
    monkeypatch.setattr(bench, "run", lambda *args, **kwargs: calls.append((args, kwargs)) or {"ok": True})

    assert bench.main(["--rate", "20", "--duration", "30"]) == 0
    assert bench.main([]) == 0  # notebook 03's load
    assert bench.main(["--requests", "40", "--concurrency", "4"]) == 0  # a closed loop
    assert calls == [(("local", 600, 5), {"rate": 20.0, "deploy": True}),
                     (("local", 30, 5), {"rate": 5.0, "deploy": True}),
                     (("local", 40, 4), {"rate": None, "deploy": True})]
    with pytest.raises(SystemExit):
        bench.main(["--duration", "30"])
    assert "--duration needs --rate" in capsys.readouterr().err


def test_notebook_03_offers_the_workshop_load_that_the_stack_test_holds_under_a_second():
    import nbformat

    from workshop_utils.tools.run_notebooks import NOTEBOOK_DIR

    notebook = nbformat.read(NOTEBOOK_DIR / "03_side_by_side.ipynb", as_version=4)
    (cell,) = [c.source for c in notebook.cells if c.cell_type == "code" and "ws.benchmark(" in c.source]
    assert f"ws.benchmark(rate={load.WORKSHOP_RATE:g}, duration_s={load.WORKSHOP_DURATION_S:g})" in cell


def test_the_redeploy_adds_a_vendor_to_one_stack_then_puts_the_defaults_back():
    deploys = []
    result = startup.measure_redeploy(lambda stack, context=None, **kwargs: deploys.append((stack, context)))
    assert list(result) == [startup.REDEPLOY_STACK] and result[startup.REDEPLOY_STACK] >= 0
    (stack, context), (again, default) = deploys
    assert stack == again == startup.REDEPLOY_STACK and default is None
    assert set(context["recipients"]) == {"Avis", "Alamo", *startup.EXTRA_VENDOR}
