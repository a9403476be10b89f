"""The architecture diagram draws exactly the wiring it is given: each edge once, labelled, and nothing else."""

from __future__ import annotations

import itertools
import math
import re
import xml.etree.ElementTree as ET

import pytest

from workshop_utils.render import architecture_svg
from workshop_utils.ui import views
from workshop_utils.wiring import KINDS, Edge, Node, Wiring

VENDORS = ["Avis", "Alamo", "Hertz"]


def sns_wiring(vendors: list[str]) -> Wiring:
    """The SNS stack's wiring as its design has it (what wiring.read_deployed returns for it)."""
    nodes = [
        Node("Req", "lambda", "requester", "Requester", name="ScatterGatherWithSNSStack-Requester-AbC"),
        Node("Topic", "sns", "topic", "Scatter topic"),
        *[Node(f"R{v}", "lambda", "responder", f"Responder · {v}", vendor=v) for v in vendors],
        Node("AggQ", "sqs", "queue", "Aggregation queue"),
        Node("Late", "sqs", "queue", "Deadline queue", detail="delay 10 s"),
        Node("Agg", "lambda", "aggregator", "Aggregator"),
        Node("Failed", "sqs", "failed-invocations-queue", "Failed-invocations queue"),
        Node("DLQ", "sqs", "dead-letter-queue", "Dead-letter queue"),
        Node("Table", "dynamodb", "table", "Aggregates table"),
    ]
    edges = [
        Edge("Req", "Topic", "on-success", "on success"),
        Edge("Req", "Failed", "on-failure", "on failure, no retry"),
        Edge("Topic", "Late", "subscription", "subscription, delay 10 s"),
        Edge("AggQ", "Agg", "event-source", f"event source: batch {len(vendors)}, window 1 s"),
        Edge("Late", "Agg", "event-source", "event source: batch 10, no window"),
        Edge("AggQ", "DLQ", "redrive", "redrive after 3 receives"),
        Edge("Late", "DLQ", "redrive", "redrive after 3 receives"),
        Edge("Agg", "Table", "table-access", "reads and writes"),
    ]
    for v in vendors:
        edges += [Edge("Topic", f"R{v}", "subscription", "subscription"),
                  Edge(f"R{v}", "AggQ", "on-success", "on success"),
                  Edge(f"R{v}", "Failed", "on-failure", "on failure, after 2 retries")]
    return Wiring("ScatterGatherWithSNSStack", nodes, edges, "the deployed stack")


def parallel_wiring(vendors: list[str]) -> Wiring:
    nodes = [Node("SM", "sfn", "state-machine", "State machine"), Node("Req", "lambda", "requester", "Requester")]
    nodes += [Node(f"R{v}", "lambda", "responder", f"Responder · {v}", vendor=v) for v in vendors]
    edges = [Edge("SM", "Req", "task", "step 1: task")]
    edges += [Edge("SM", f"R{v}", "branch", "step 2: Parallel branch") for v in vendors]
    return Wiring("ScatterGatherWithParallelStack", nodes, edges, "the deployed stack")


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == "svg" and root.get("viewBox")
    return root


def links(svg: str) -> set[tuple[str, str, str, str]]:
    """The drawn arrows as (source, target, kind, label)."""
    found = []
    for g in parse(svg).iter("g"):
        if g.get("class") == "link":
            # A label wrapped onto two lines is one text of two tspans: its words, in order.
            (label,) = [" ".join(t.itertext()) for t in g.iter("text") if t.get("class") == "edge-label"]
            found.append((g.get("data-source"), g.get("data-target"), g.get("data-kind"), label))
    assert len(found) == len(set(found))  # each edge once
    return set(found)


def cards(svg: str) -> dict[str, ET.Element]:
    return {g.get("data-key"): g for g in parse(svg).iter("g") if g.get("class") == "resource"}


def rect_of(element: ET.Element) -> tuple[float, float, float, float]:
    rect = element.find("rect")
    return tuple(float(rect.get(k)) for k in ("x", "y", "width", "height"))


def label_rects(svg: str) -> list[tuple[float, float, float, float]]:
    """The boxes the labels are drawn in, one a link, in the links' order."""
    rects = []
    for g in parse(svg).iter("g"):
        if g.get("class") == "link":
            (box,) = [r for r in g.iter("rect") if r.get("class") == "edge-label-box"]
            rects.append(tuple(float(box.get(k)) for k in ("x", "y", "width", "height")))
    return rects


def grown(rect, by: float) -> tuple[float, float, float, float]:
    return rect[0] - by, rect[1] - by, rect[2] + 2 * by, rect[3] + 2 * by


def overlap(a, b) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def test_each_kind_of_edge_is_drawn_with_its_label():
    nodes = [Node(f"N{i}", "lambda", "function", f"Node {i}") for i in range(len(KINDS) + 1)]
    edges = [Edge(f"N{i}", f"N{i + 1}", kind, f"label of {kind}") for i, kind in enumerate(KINDS)]
    svg = architecture_svg(Wiring("S", nodes, edges))
    assert links(svg) == {(e.source, e.target, e.kind, e.label) for e in edges}


@pytest.mark.parametrize("vendors", [["Avis", "Alamo"], ["Avis", "Alamo", "Hertz"]])
def test_the_sns_wiring_is_drawn_edge_for_edge(vendors):
    wiring = sns_wiring(vendors)
    svg = architecture_svg(wiring)
    assert links(svg) == wiring.edge_set()
    assert set(cards(svg)) == {node.key for node in wiring.nodes}
    assert [g.get("data-vendor") for g in cards(svg).values() if g.get("data-vendor")] == vendors


def test_no_edge_is_drawn_that_is_not_in_the_wiring():
    wiring = sns_wiring(["Avis", "Alamo"])
    some = Wiring(wiring.stack, wiring.nodes, wiring.edges[:3])
    assert links(architecture_svg(some)) == some.edge_set()
    alone = Wiring(wiring.stack, wiring.nodes, [])
    svg = architecture_svg(alone)
    assert links(svg) == set() and len(cards(svg)) == len(wiring.nodes)


@pytest.mark.parametrize("vendors", [["Avis", "Alamo"], ["Avis", "Alamo", "Hertz"]])
def test_arrows_point_down_the_flow_and_no_card_covers_another(vendors):
    wiring = sns_wiring(vendors)
    svg = architecture_svg(wiring)
    found = {key: rect_of(g) for key, g in cards(svg).items()}
    for edge in wiring.edges:
        assert found[edge.source][1] < found[edge.target][1], edge
    for a, b in itertools.combinations(found.values(), 2):
        assert not overlap(a, b), (a, b)


def test_three_vendors_fit_a_notebooks_width():
    root = parse(architecture_svg(sns_wiring(["Avis", "Alamo", "Hertz"])))
    assert float(root.get("width")) <= 1100
    assert "max-width:100%" in root.get("style")


def test_cards_show_the_title_the_detail_and_a_dashed_border_for_the_dead_letter_queue():
    svg = architecture_svg(sns_wiring(["Avis"]))
    found = cards(svg)
    texts = {key: [t.text for t in g.iter("text")] for key, g in found.items()}
    assert "Deadline queue" in texts["Late"] and "delay 10 s" in texts["Late"]
    assert "Responder · Avis" in texts["RAvis"]
    assert "Requester-AbC" in texts["Req"]  # the physical name, when known, without the stack's name
    assert found["DLQ"].find("rect").get("stroke-dasharray")
    assert not found["AggQ"].find("rect").get("stroke-dasharray")


def test_parallel_branches_sit_in_a_parallel_lane_and_the_first_task_outside_it():
    svg = architecture_svg(parallel_wiring(["Avis", "Alamo", "Hertz"]))
    assert links(svg) == parallel_wiring(["Avis", "Alamo", "Hertz"]).edge_set()
    (lane,) = [g for g in parse(svg).iter("g") if g.get("class") == "parallel-lane"]
    lx, ly, lw, lh = rect_of(lane)
    for key, card in cards(svg).items():
        x, y, w, h = rect_of(card)
        inside = lx < x and x + w < lx + lw and ly < y and y + h < ly + lh
        assert inside == (key.startswith("R") and key != "Req"), key


def test_an_edge_against_the_flow_is_still_drawn():
    nodes = [Node("A", "lambda", "function", "A"), Node("B", "sqs", "queue", "B")]
    edges = [Edge("A", "B", "on-success", "on success"), Edge("B", "A", "event-source", "event source")]
    assert links(architecture_svg(Wiring("S", nodes, edges))) == {(e.source, e.target, e.kind, e.label)
                                                                  for e in edges}


def test_an_empty_wiring_gives_a_valid_svg_with_a_message():
    root = parse(architecture_svg(Wiring("Missing<Stack>")))
    text = "".join(root.itertext())
    assert "Missing<Stack>" in text and "nothing to show" in text
    assert root.get("width") and root.get("height")


def test_the_notebook_view_says_where_every_arrow_was_read():
    wiring = sns_wiring(["Avis"])
    wiring.read_from = "the deployed subscriptions, destinations, event sources and redrive policies"
    page = views.architecture_html(wiring)
    assert page.startswith(architecture_svg(wiring))
    assert "read from the deployed subscriptions, destinations, event sources and redrive policies" in page
    assert "architecture-note" not in page
    wiring.notes = ["Arrows to tables are missing: allow iam:GetRolePolicy."]
    assert "Arrows to tables are missing: allow iam:GetRolePolicy." in views.architecture_html(wiring)


def path_points(d: str, step: float = 0.25) -> list[tuple[float, float]]:
    """Points no more than about `step` apart along an SVG path of M, L and C commands."""
    tokens = re.findall(r"[MLC]|-?[\d.]+,-?[\d.]+", d)
    points: list[tuple[float, float]] = []
    index = 0
    while index < len(tokens):
        command, index = tokens[index], index + 1
        count = {"M": 1, "L": 1, "C": 3}[command]
        given = [tuple(map(float, token.split(","))) for token in tokens[index:index + count]]
        index += count
        if command == "M":
            points.append(given[0])
            continue
        p0, controls = points[-1], [points[-1], *given] if command == "C" else [points[-1], given[0]]
        reach = sum(math.dist(a, b) for a, b in itertools.pairwise(controls))  # the curve is no longer than this
        steps = max(1, math.ceil(reach / step))
        for k in range(1, steps + 1):
            t = k / steps
            if command == "L":
                points.append((p0[0] + (given[0][0] - p0[0]) * t, p0[1] + (given[0][1] - p0[1]) * t))
            else:  # a cubic Bezier, by its Bernstein form
                weights = ((1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t**2, t**3)
                points.append(tuple(sum(w * c[axis] for w, c in zip(weights, controls, strict=True))
                                    for axis in (0, 1)))
    return points


def drawn_lines(svg: str) -> list[tuple[list[tuple[float, float]], float, tuple[float, float, float, float]]]:
    """Per link, in order: the points along its line, the line's half-width, and its arrowhead's bounds."""
    found = []
    for g in parse(svg).iter("g"):
        if g.get("class") == "link":
            path = g.find("path")
            corners = [tuple(map(float, xy.split(","))) for xy in g.find("polygon").get("points").split()]
            xs, ys = [x for x, _y in corners], [y for _x, y in corners]
            found.append((path_points(path.get("d")), float(path.get("stroke-width")) / 2,
                          (min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))))
    return found


def inside(point, rect, margin: float) -> bool:
    x, y = point
    return rect[0] - margin < x < rect[0] + rect[2] + margin and rect[1] - margin < y < rect[1] + rect[3] + margin


DIAGRAMS = {
    **{f"SNS stack, {n} vendors": sns_wiring(VENDORS[:n]) for n in (1, 2, 3)},
    **{f"Parallel stack, {n} vendors": parallel_wiring(VENDORS[:n]) for n in (1, 2, 3)},
}


@pytest.mark.parametrize("name", DIAGRAMS)
def test_labels_keep_off_the_other_arrows(name):
    svg = architecture_svg(DIAGRAMS[name])
    labels, lines = label_rects(svg), drawn_lines(svg)
    assert len(labels) == len(lines) == len(DIAGRAMS[name].edges)
    crossed = [(i, j) for i, label in enumerate(labels) for j, (points, half, _arrow) in enumerate(lines)
               if i != j and any(inside(point, label, half) for point in points)]
    assert crossed == []
    on_arrowheads = [(i, j) for i, label in enumerate(labels) for j, (_p, _h, arrow) in enumerate(lines)
                     if overlap(label, arrow)]
    assert on_arrowheads == []


@pytest.mark.parametrize("name", DIAGRAMS)
def test_labels_are_readable_inside_the_picture_off_the_cards_and_each_other(name):
    svg = architecture_svg(DIAGRAMS[name])
    root = parse(svg)
    (group,) = [g for g in root.iter("g") if g.get("transform")]
    dx, dy = map(float, re.fullmatch(r"translate\((-?[\d.]+),(-?[\d.]+)\)", group.get("transform")).groups())
    _x, _y, width, height = map(float, root.get("viewBox").split())
    labels = label_rects(svg)
    for x, y, w, h in labels:
        assert 0 <= x + dx and x + dx + w <= width and 0 <= y + dy and y + dy + h <= height, (x, y)
    for key, card in cards(svg).items():
        edge = float(card.find("rect").get("stroke-width")) / 2
        assert not [label for label in labels if overlap(label, grown(rect_of(card), edge))], key
    for a, b in itertools.combinations(labels, 2):
        assert not overlap(a, b), (a, b)
    for lane in [g for g in root.iter("g") if g.get("class") == "parallel-lane"]:
        x, y, w, h = rect_of(lane)
        for label in labels:  # wholly in the lane or wholly out of it, never across its border
            assert not overlap(label, (x, y, w, h)) or (x < label[0] and label[0] + label[2] < x + w
                                                         and y < label[1] and label[1] + label[3] < y + h), label
