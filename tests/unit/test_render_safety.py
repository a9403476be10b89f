"""Every renderer: well-formed output, no script, no external URL, hostile data escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest

from workshop_utils.deploy.progress import Progress
from workshop_utils.render import (
    architecture_svg,
    diff_html,
    execution_events_html,
    log_events_html,
    quotes_html,
    stack_build_html,
    state_machine_svg,
    timeline_svg,
)
from workshop_utils.wiring import Edge, Node, Wiring

EVIL = "<script>alert('x')</script>\"&"


def _outputs() -> dict[str, str]:
    definition = {
        "StartAt": EVIL,
        "States": {
            EVIL: {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Next": "Parallel",
                   "Catch": [{"ErrorEquals": [EVIL], "Next": "Fail"}]},
            "Parallel": {"Type": "Parallel", "End": True, "Branches": [
                {"StartAt": "Responder-Avis", "States": {"Responder-Avis": {"Type": "Pass", "End": True}}}]},
            "Fail": {"Type": "Fail"},
        },
    }
    now = datetime(2026, 11, 27, tzinfo=UTC)
    history = [{"id": 1, "type": "TaskStateEntered", "timestamp": now,
                "stateEnteredEventDetails": {"name": EVIL, "input": EVIL}}]
    nodes = [Node(EVIL, "lambda", "responder", EVIL, detail=EVIL, vendor=EVIL, name=EVIL),
             Node("Q", "sqs", "queue", "Aggregation queue", name="q"), Node("M", "sfn", "state-machine", "M")]
    edges = [Edge(EVIL, "Q", "on-success", EVIL), Edge("M", EVIL, "branch", EVIL)]
    return {
        "state_machine": state_machine_svg(definition),
        "state_machine_history": state_machine_svg(definition, history),
        "events": execution_events_html(history),
        "events_empty": execution_events_html([]),
        "logs": log_events_html([{"timestamp": 0, "message": f"quotes: [{{\"vendor\": \"{EVIL[:8]}\"}}]"},
                                 {"timestamp": 1, "message": EVIL}], title=EVIL),
        "logs_empty": log_events_html([]),
        "quotes": quotes_html([{"vendor": EVIL, "price_quote": 1, "car_type": EVIL, "uuid": EVIL}]),
        "quotes_empty": quotes_html([]),
        "architecture": architecture_svg(Wiring(EVIL, nodes, edges)),
        "architecture_empty": architecture_svg(Wiring("S")),
        "timeline": timeline_svg({EVIL: [(EVIL, 0, 10)]}),
        "timeline_empty": timeline_svg({}),
        "diff": diff_html(f"[+] {EVIL}\n[-] x\n"),
        "diff_empty": diff_html(""),
        "stack_build": stack_build_html([Progress(stack=EVIL, status=f"CREATE_{phase}", resource_type=EVIL,
                                                  resource=EVIL, logical_id=EVIL, timestamp=now)
                                         for phase in ("IN_PROGRESS", "COMPLETE")]),
    }


OUTPUTS = _outputs()


@pytest.mark.parametrize("name", sorted(OUTPUTS))
def test_output_has_no_script_and_no_external_url(name):
    output = OUTPUTS[name]
    assert "<script" not in output.lower()
    assert "http://" not in output and "https://" not in output
    assert "url(" not in output and "@import" not in output and "<link" not in output and "<img" not in output


@pytest.mark.parametrize("name", sorted(OUTPUTS))
def test_output_is_well_formed_and_hostile_text_stays_text(name):
    root = ET.fromstring(OUTPUTS[name])
    assert root.tag in ("svg", "div")
    assert not list(root.iter("script"))
    if root.tag == "div":  # our own card paints its background, so both Jupyter themes read the same
        assert "background:#ffffff" in root.get("style")
    else:
        assert root.get("width") and root.get("height") and root.get("viewBox")
        assert root.find("rect").get("fill") == "#ffffff"


def test_hostile_text_round_trips_as_text():
    root = ET.fromstring(OUTPUTS["quotes"])
    assert EVIL in "".join(root.itertext())
    state = [g for g in ET.fromstring(OUTPUTS["state_machine"]).iter("g") if g.get("data-state") == EVIL]
    assert len(state) == 1
