"""Tests for the timeline SVG (shared axis, lanes, bars)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from workshop_utils.render import timeline_svg

LANES = {
    "Parallel": [("Requester", 0, 120), ("Responder Avis", 130, 400), ("Responder Alamo", 130, 380)],
    "SNS": [("Requester", 0, 100), ("Responder Avis", 150, 300), ("Aggregator", 900, 1010)],
}


def groups(root: ET.Element, css: str) -> list[ET.Element]:
    return [g for g in root.iter("g") if css in (g.get("class") or "").split()]


def test_each_lane_has_its_bars_on_a_shared_axis():
    root = ET.fromstring(timeline_svg(LANES))
    lanes = groups(root, "timeline-lane")
    assert [g.get("data-lane") for g in lanes] == ["Parallel", "SNS"]
    assert [len(groups(lane, "bar")) for lane in lanes] == [3, 3]
    bars = {(g.get("data-lane"), g.get("data-label")): g.find("rect") for g in groups(root, "bar")}
    start = {key: float(rect.get("x")) for key, rect in bars.items()}
    width = {key: float(rect.get("width")) for key, rect in bars.items()}
    # same start time, same x, in both lanes; later starts further right; longer bars wider
    assert start[("Parallel", "Requester")] == start[("SNS", "Requester")]
    assert start[("SNS", "Aggregator")] > start[("SNS", "Responder Avis")] > start[("SNS", "Requester")]
    assert width[("Parallel", "Responder Avis")] > width[("Parallel", "Requester")]


def test_the_axis_has_ticks_from_zero_past_the_last_bar():
    root = ET.fromstring(timeline_svg(LANES))
    ticks = [t.text for t in root.iter("text") if t.get("class") == "tick"]
    assert ticks[0] == "0 ms"
    assert len(ticks) >= 4
    assert float(ticks[-1].split()[0]) >= 1010
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"


def test_lane_summary_and_durations_are_shown():
    root = ET.fromstring(timeline_svg(LANES))
    text = "".join(root.itertext())
    assert "400 ms end to end" in text and "1,010 ms end to end" in text
    assert "270 ms" in text  # Responder Avis in the Parallel lane


def test_epoch_millisecond_bars_start_the_axis_at_the_first_bar():
    base = 1_795_000_000_000
    root = ET.fromstring(timeline_svg({"SNS": [("Requester", base, base + 50), ("Aggregator", base + 60, base + 90)]}))
    assert [t.text for t in root.iter("text") if t.get("class") == "tick"][0] == "0 ms"


def test_empty_lanes_give_a_message():
    for lanes in ({}, {"SNS": []}):
        root = ET.fromstring(timeline_svg(lanes))
        assert "No timings yet" in "".join(root.itertext())
