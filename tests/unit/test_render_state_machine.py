"""Tests for the state machine SVG: layout from ASL, statuses from an execution history, legend, escaping."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest

from workshop_utils.render import state_machine_svg

T0 = datetime(2026, 11, 27, 10, 0, 0, tzinfo=UTC)


def lambda_task(**extra):
    return {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "f"}, **extra}


def parallel_definition(vendors=("Avis", "Alamo", "Hertz")):
    """Shaped like the CDK-generated definition of ScatterGatherWithParallelStack."""
    return {
        "StartAt": "Requester",
        "States": {
            "Requester": lambda_task(Next="Parallel", Retry=[{"ErrorEquals": ["Lambda.ServiceException"]}],
                                     ResultSelector={"body.$": "$.Payload.body"}),
            "Parallel": {
                "Type": "Parallel", "End": True, "ResultSelector": {"quotes.$": "$"},
                "Branches": [
                    {"StartAt": f"Responder-{v}", "States": {f"Responder-{v}": lambda_task(End=True)}}
                    for v in vendors
                ],
            },
        },
        "TimeoutSeconds": 300,
    }


def event(event_id, event_type, previous=None, name=None, ms=0, **details):
    item = {"id": event_id, "type": event_type, "timestamp": T0 + timedelta(milliseconds=ms)}
    if previous is not None:
        item["previousEventId"] = previous
    if name and event_type.endswith("StateEntered"):
        item["stateEnteredEventDetails"] = {"name": name, "input": "{}"}
    if name and event_type.endswith("StateExited"):
        item["stateExitedEventDetails"] = {"name": name, "output": "{}"}
    item.update(details)
    return item


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # well-formed XML or this raises
    assert root.tag == "svg"
    return root


def states(root: ET.Element) -> dict[str, ET.Element]:
    return {g.get("data-state"): g for g in root.iter("g") if "state" in (g.get("class") or "").split()}


def status_of(root: ET.Element) -> dict[str, str]:
    return {name: g.get("data-status") for name, g in states(root).items()}


def classes(element: ET.Element) -> list[str]:
    return (element.get("class") or "").split()


def failed_branch_history():
    """Requester succeeds; Avis fails, Alamo succeeds, Hertz is still running when the execution fails."""
    return [
        event(1, "ExecutionStarted"),
        event(2, "TaskStateEntered", 1, "Requester", 1),
        event(3, "TaskScheduled", 2, ms=2),
        event(4, "TaskStarted", 3, ms=3),
        event(5, "TaskSucceeded", 4, ms=100),
        event(6, "TaskStateExited", 5, "Requester", 101),
        event(7, "ParallelStateEntered", 6, "Parallel", 102),
        event(8, "ParallelStateStarted", 7, ms=103),
        event(9, "TaskStateEntered", 8, "Responder-Avis", 104),
        event(10, "TaskStateEntered", 8, "Responder-Alamo", 104),
        event(11, "TaskStateEntered", 8, "Responder-Hertz", 104),
        event(12, "TaskScheduled", 9, ms=105),
        event(13, "TaskFailed", 12, ms=150, taskFailedEventDetails={"error": "Lambda.Unknown", "cause": "boom"}),
        event(14, "TaskScheduled", 10, ms=105),
        event(15, "TaskSucceeded", 14, ms=160),
        event(16, "TaskStateExited", 15, "Responder-Alamo", 161),
        event(17, "ParallelStateFailed", 13, ms=162),
        event(18, "ExecutionFailed", 17, ms=163, executionFailedEventDetails={"error": "Lambda.Unknown"}),
    ]


def catch_definition():
    return {
        "StartAt": "Quote",
        "States": {
            "Quote": lambda_task(Next="Done", Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Handle error"}]),
            "Handle error": {"Type": "Pass", "Next": "Done"},
            "Done": {"Type": "Succeed"},
        },
    }


def test_parallel_with_three_branches_draws_three_labelled_lanes():
    root = parse(state_machine_svg(parallel_definition()))
    lanes = [g for g in root.iter("g") if "branch-lane" in classes(g)]
    assert len(lanes) == 3
    lane_states = [[s.get("data-state") for s in lane.iter("g") if "state" in classes(s)] for lane in lanes]
    assert lane_states == [["Responder-Avis"], ["Responder-Alamo"], ["Responder-Hertz"]]
    labels = [t.text for lane in lanes for t in lane.iter("text") if "lane-label" in classes(t)]
    assert labels == ["Branch 1", "Branch 2", "Branch 3"]
    parallel = states(root)["Parallel"]
    assert parallel.get("data-type") == "Parallel"
    assert all(lane in list(parallel.iter("g")) for lane in lanes)  # the lanes sit inside the Parallel frame


def test_svg_has_size_and_viewbox_computed_from_the_graph():
    narrow = parse(state_machine_svg(parallel_definition(("Avis",))))
    wide = parse(state_machine_svg(parallel_definition(("Avis", "Alamo", "Hertz", "Sixt"))))
    for root in (narrow, wide):
        width, height = float(root.get("width")), float(root.get("height"))
        assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
        assert width > 0 and height > 0
    assert float(wide.get("width")) > float(narrow.get("width")) + 300


def test_each_state_shows_its_name_and_type_and_start_end_markers_exist():
    root = parse(state_machine_svg(json.dumps(parallel_definition())))  # a JSON string works too
    requester = states(root)["Requester"]
    texts = [t.text for t in requester.iter("text")]
    assert texts == ["Requester", "Task · Lambda"]
    markers = {g.get("data-marker") for g in root.iter("g") if "marker" in classes(g)}
    assert markers == {"Start", "End"}
    edges = {(g.get("data-from"), g.get("data-to")) for g in root.iter("g") if "edge" in classes(g)}
    assert {("Start", "Requester"), ("Requester", "Parallel"), ("Parallel", "End")} <= edges


def test_without_history_states_are_neutral_and_there_is_no_legend():
    root = parse(state_machine_svg(parallel_definition()))
    assert set(status_of(root).values()) == {"none"}
    assert not [g for g in root.iter("g") if "legend" in classes(g)]


def test_a_failed_state_is_drawn_failed_and_the_others_by_what_happened():
    root = parse(state_machine_svg(parallel_definition(), failed_branch_history()))
    assert status_of(root) == {
        "Requester": "succeeded",
        "Parallel": "failed",
        "Responder-Avis": "failed",
        "Responder-Alamo": "succeeded",
        "Responder-Hertz": "failed",  # still in it when the execution failed
    }
    avis = states(root)["Responder-Avis"]
    assert "status-failed" in classes(avis)
    assert avis.find("rect").get("stroke") == "#cf222e"


def test_the_legend_lists_every_status_and_the_execution_outcome():
    root = parse(state_machine_svg(parallel_definition(), failed_branch_history()))
    legend = [g for g in root.iter("g") if "legend" in classes(g)]
    assert len(legend) == 1
    items = [g.get("data-status") for g in legend[0].iter("g") if "legend-item" in classes(g) and g.get("data-status")]
    assert items == ["succeeded", "failed", "caught", "running", "not-reached"]
    texts = [t.text for t in legend[0].iter("text")]
    assert "Execution failed" in texts and "Not reached" in texts


def test_a_caught_state_is_drawn_caught_and_the_catch_edge_is_dashed():
    history = [
        event(1, "ExecutionStarted"),
        event(2, "TaskStateEntered", 1, "Quote", 1),
        event(3, "TaskScheduled", 2, ms=2),
        event(4, "TaskFailed", 3, ms=3, taskFailedEventDetails={"error": "States.TaskFailed"}),
        event(5, "TaskStateExited", 4, "Quote", 4),
        event(6, "PassStateEntered", 5, "Handle error", 5),
        event(7, "PassStateExited", 6, "Handle error", 6),
        event(8, "SucceedStateEntered", 7, "Done", 7),
        event(9, "SucceedStateExited", 8, "Done", 8),
        event(10, "ExecutionSucceeded", 9, ms=9),
    ]
    root = parse(state_machine_svg(catch_definition(), history))
    assert status_of(root) == {"Quote": "caught", "Handle error": "succeeded", "Done": "succeeded"}
    catch = [g for g in root.iter("g") if "edge-catch" in classes(g)]
    assert len(catch) == 1 and catch[0].get("data-to") == "Handle error"
    assert catch[0].find("path").get("stroke-dasharray")
    labels = [g for g in root.iter("g") if "edge-label" in classes(g) and g.get("data-to") == "Handle error"]
    assert labels[0].find("text").text == "Catch: States.ALL"


def test_a_failure_followed_by_the_catch_target_counts_as_caught_without_an_exit_event():
    history = [
        event(1, "ExecutionStarted"),
        event(2, "TaskStateEntered", 1, "Quote", 1),
        event(3, "LambdaFunctionFailed", 2, ms=2),
        event(4, "PassStateEntered", 3, "Handle error", 3),
    ]
    root = parse(state_machine_svg(catch_definition(), history))
    assert status_of(root) == {"Quote": "caught", "Handle error": "running", "Done": "not-reached"}


def test_a_retried_task_that_then_succeeds_is_succeeded_not_caught():
    history = [
        event(1, "ExecutionStarted"),
        event(2, "TaskStateEntered", 1, "Quote", 1),
        event(3, "TaskScheduled", 2, ms=2),
        event(4, "TaskFailed", 3, ms=3),
        event(5, "TaskScheduled", 4, ms=4),
        event(6, "TaskSucceeded", 5, ms=5),
        event(7, "TaskStateExited", 6, "Quote", 6),
    ]
    root = parse(state_machine_svg(catch_definition(), history))
    assert status_of(root)["Quote"] == "succeeded"


def test_running_and_not_reached_states():
    history = [
        event(1, "ExecutionStarted"),
        event(2, "TaskStateEntered", 1, "Requester", 1),
        event(3, "TaskScheduled", 2, ms=2),
    ]
    root = parse(state_machine_svg(parallel_definition(), history))
    statuses = status_of(root)
    assert statuses["Requester"] == "running"
    assert {statuses[n] for n in ("Parallel", "Responder-Avis", "Responder-Alamo", "Responder-Hertz")} == {
        "not-reached"}
    not_reached = states(root)["Parallel"].find("rect")
    assert not_reached.get("stroke-dasharray")  # drawn dashed
    legend_caption = [t.text for g in root.iter("g") if "legend" in classes(g) for t in g.iter("text")][0]
    assert legend_caption == "Execution running"


def test_history_without_previous_event_ids_still_attributes_failures():
    history = [
        {"id": 1, "type": "ExecutionStarted", "timestamp": T0.isoformat()},
        {"id": 2, "type": "TaskStateEntered", "stateEnteredEventDetails": {"name": "Requester"}},
        {"id": 3, "type": "TaskFailed"},
        {"id": 4, "type": "ExecutionFailed"},
    ]
    root = parse(state_machine_svg(parallel_definition(), history))
    assert status_of(root)["Requester"] == "failed"


def choice_map_definition():
    return {
        "StartAt": "Route",
        "States": {
            "Route": {
                "Type": "Choice",
                "Choices": [
                    {"Variable": "$.data.car_type", "StringEquals": "XL", "Next": "Fan out"},
                    {"And": [{"Variable": "$.days", "NumericGreaterThan": 30},
                             {"Variable": "$.vip", "BooleanEquals": True}], "Next": "Wait a bit"},
                ],
                "Default": "Reject",
            },
            "Fan out": {
                "Type": "Map",
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "INLINE"},
                    "StartAt": "Quote one",
                    "States": {"Quote one": lambda_task(Next="Shape"), "Shape": {"Type": "Pass", "End": True}},
                },
                "Next": "Done",
            },
            "Wait a bit": {"Type": "Wait", "Seconds": 1, "Next": "Check"},
            "Check": {"Type": "Choice", "Choices": [{"Variable": "$.ok", "BooleanEquals": True, "Next": "Done"}],
                      "Default": "Wait a bit"},
            "Reject": {"Type": "Fail", "Error": "Rejected"},
            "Done": {"Type": "Succeed"},
        },
    }


def test_a_choice_has_labelled_edges_to_each_rule_and_the_default():
    root = parse(state_machine_svg(choice_map_definition()))
    edges = [g for g in root.iter("g") if "edge" in classes(g) and g.get("data-from") == "Route"]
    kinds = {(g.get("data-to"), next(c for c in classes(g) if c.startswith("edge-"))) for g in edges}
    assert kinds == {("Fan out", "edge-choice"), ("Wait a bit", "edge-choice"), ("Reject", "edge-default")}
    labels = {g.get("data-to"): g.find("title").text for g in root.iter("g")
              if "edge-label" in classes(g) and g.get("data-from") == "Route"}
    assert labels["Fan out"] == '$.data.car_type == "XL"'
    assert labels["Wait a bit"] == "$.days > 30 and $.vip == true"
    assert labels["Reject"] == "Default"


def test_a_map_draws_its_item_processor_inside_a_frame():
    root = parse(state_machine_svg(choice_map_definition()))
    fan_out = states(root)["Fan out"]
    assert fan_out.get("data-type") == "Map"
    iterators = [g for g in fan_out.iter("g") if "map-iterator" in classes(g)]
    assert len(iterators) == 1
    inner = [g.get("data-state") for g in iterators[0].iter("g") if "state" in classes(g)]
    assert inner == ["Quote one", "Shape"]


def test_a_loop_back_to_an_earlier_state_is_drawn():
    root = parse(state_machine_svg(choice_map_definition()))
    loop = [g for g in root.iter("g") if "edge" in classes(g) and g.get("data-from") == "Check"
            and g.get("data-to") == "Wait a bit"]
    assert len(loop) == 1 and loop[0].find("path").get("d").startswith("M")
    assert {"Wait", "Fail", "Succeed", "Choice", "Map"} <= {g.get("data-type") for g in states(root).values()}


def test_a_state_name_with_markup_is_escaped():
    definition = {"StartAt": "<b>", "States": {"<b>": {"Type": "Pass", "Next": "x&y"}, "x&y": {"Type": "Pass",
                                                                                                  "End": True}}}
    svg = state_machine_svg(definition, [event(1, "PassStateEntered", None, "<b>")])
    assert "<b>" not in svg and "&lt;b&gt;" in svg
    root = parse(svg)
    assert not list(root.iter("b"))
    assert set(states(root)) == {"<b>", "x&y"}
    assert states(root)["<b>"].get("data-status") == "running"


def test_an_invalid_definition_raises_a_clear_error():
    with pytest.raises(ValueError, match="describe_state_machine"):
        state_machine_svg("{not json")
    with pytest.raises(ValueError, match="States"):
        state_machine_svg({"StartAt": "x"})


@pytest.mark.parametrize("definition", [
    {"StartAt": "A", "States": {}},
    {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Missing"}}},
    {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "A"}}},
    {"StartAt": "A", "States": {"A": {"Type": "Parallel", "Branches": [], "End": True}}},
    {"StartAt": "A", "States": {"A": {"Type": "Map", "ItemProcessor": {"StartAt": "x", "States": {}}, "End": True}}},
    {"StartAt": "A", "States": {"A": {"Type": "Map", "End": True,
                                      "Iterator": {"StartAt": "x", "States": {"x": {"Type": "Pass", "End": True}}}}}},
    {"StartAt": "A", "States": {"A": "not a state", "B": {"Type": "Succeed"}}},
    {"StartAt": "A", "States": {"A": {"Type": "Choice", "Default": "B",
                                      "Choices": [{"Condition": "{% $states.input.x > 1 %}", "Next": "B"}, "bad"]},
                                "B": {"Type": "Succeed"}}},
], ids=["empty", "dangling-next", "self-loop", "no-branches", "empty-map", "legacy-iterator", "junk-state",
        "jsonata-choice"])
def test_odd_definitions_still_render(definition):
    parse(state_machine_svg(definition, []))


def test_a_fail_state_inside_a_caught_parallel_is_failed_and_the_parallel_caught():
    """The history moto's ASL interpreter records for this definition (ids and previousEventIds kept)."""
    definition = {"StartAt": "Requester", "States": {
        "Requester": {"Type": "Pass", "Next": "Parallel"},
        "Parallel": {"Type": "Parallel", "Next": "Check", "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Recover"}],
                     "Branches": [
                         {"StartAt": "Responder-Avis", "States": {"Responder-Avis": {"Type": "Pass", "End": True}}},
                         {"StartAt": "Responder-Alamo", "States": {"Responder-Alamo": {"Type": "Fail"}}}]},
        "Recover": {"Type": "Pass", "End": True},
        "Check": {"Type": "Succeed"}}}
    history = [
        event(1, "ExecutionStarted", 0), event(2, "PassStateEntered", 0, "Requester"),
        event(3, "PassStateExited", 2, "Requester"), event(4, "ParallelStateEntered", 3, "Parallel"),
        event(5, "ParallelStateStarted", 4), event(6, "PassStateEntered", 5, "Responder-Avis"),
        event(7, "PassStateExited", 6, "Responder-Avis"), event(8, "FailStateEntered", 5, "Responder-Alamo"),
        event(9, "ParallelStateFailed", 8), event(10, "ParallelStateExited", 9, "Parallel"),
        event(11, "PassStateEntered", 10, "Recover"), event(12, "PassStateExited", 11, "Recover"),
        event(13, "ExecutionSucceeded", 12),
    ]
    assert status_of(parse(state_machine_svg(definition, history))) == {
        "Requester": "succeeded", "Parallel": "caught", "Responder-Avis": "succeeded",
        "Responder-Alamo": "failed", "Recover": "succeeded", "Check": "not-reached",
    }


def markers_reached(root: ET.Element) -> dict[str, str]:
    return {g.get("data-marker"): g.get("data-reached") for g in root.iter("g") if "marker" in classes(g)}


def test_a_failed_execution_never_reaches_the_end_marker():
    root = parse(state_machine_svg(parallel_definition(), failed_branch_history()))
    assert markers_reached(root) == {"Start": "true", "End": "false"}
    end = next(g for g in root.iter("g") if g.get("data-marker") == "End")
    assert end.find("rect").get("stroke-dasharray") == "5 3"
    (into_end,) = [g for g in root.iter("g") if "edge" in classes(g) and g.get("data-to") == "End"]
    assert into_end.find("path").get("stroke-dasharray") == "6 4"


def test_a_succeeded_execution_reaches_the_end_and_no_history_draws_both_plainly():
    history = [event(1, "ExecutionStarted"), event(2, "PassStateEntered", 1, "Only", 1),
               event(3, "PassStateExited", 2, "Only", 2), event(4, "ExecutionSucceeded", 3, ms=3)]
    definition = {"StartAt": "Only", "States": {"Only": {"Type": "Pass", "End": True}}}
    assert markers_reached(parse(state_machine_svg(definition, history))) == {"Start": "true", "End": "true"}
    assert markers_reached(parse(state_machine_svg(definition))) == {"Start": "true", "End": "true"}
