"""Lay out an Amazon States Language definition as a layered, top-to-bottom graph (nested for Parallel/Map)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from workshop_utils.render._common import text_width

NODE_H = 50.0
NODE_MIN_W = 150.0
NODE_MAX_CHARS = 40
MARKER_W = 64.0
MARKER_H = 26.0
DUMMY_W = 14.0
RANK_GAP = 54.0
COL_GAP = 26.0
FRAME_PAD = 12.0
FRAME_HEADER = 44.0
LANE_HEADER = 22.0
LANE_GAP = 14.0
LOOP_GAP = 16.0

START = "\x00start"
END = "\x00end"

_OPERATORS = {
    "Equals": "==", "GreaterThan": ">", "GreaterThanEquals": ">=", "LessThan": "<", "LessThanEquals": "<=",
}


@dataclass
class Node:
    """A positioned box: a state, a Start/End marker, or a dummy point carrying a long edge."""

    name: str
    kind: str  # "state", "marker" or "dummy"
    width: float
    height: float
    spec: dict[str, Any] = field(default_factory=dict)
    lanes: list[Graph] = field(default_factory=list)
    lane_titles: list[str] = field(default_factory=list)
    lane_class: str = "branch-lane"
    x: float = 0.0  # left
    y: float = 0.0  # top
    rank: int = 0
    order: int = 0

    @property
    def cx(self) -> float:
        return self.x + self.width / 2


@dataclass
class Edge:
    """A transition: kind is "next", "choice", "default" or "catch"; back edges loop on the right."""

    source: str
    target: str
    kind: str
    label: str = ""
    path: list[str] = field(default_factory=list)  # node names source, dummies..., target
    back: bool = False


@dataclass
class Graph:
    """A laid-out (sub)graph: positions are relative to the graph's own top-left corner."""

    nodes: dict[str, Node]
    edges: list[Edge]
    width: float = 0.0
    height: float = 0.0
    rows: list[tuple[float, float]] = field(default_factory=list)  # (top, height) per rank
    loop_x: list[float] = field(default_factory=list)


def choice_label(rule: dict[str, Any], index: int) -> str:
    """A short human label for a Choice rule."""
    if "Condition" in rule:  # JSONata
        return str(rule["Condition"]).strip("{% }")
    for combinator in ("And", "Or"):
        if isinstance(rule.get(combinator), list):
            parts = [choice_label(r, index) for r in rule[combinator]]
            return f" {combinator.lower()} ".join(parts)
    if isinstance(rule.get("Not"), dict):
        return "not " + choice_label(rule["Not"], index)
    variable = rule.get("Variable")
    for key, value in rule.items():
        if key in ("Variable", "Next", "Comment", "Assign", "Output"):
            continue
        op = key.removesuffix("Path")
        for prefix in ("String", "Numeric", "Boolean", "Timestamp"):
            if op.startswith(prefix) and op[len(prefix):] in _OPERATORS:
                shown = value if key.endswith("Path") else json.dumps(value)
                return f"{variable} {_OPERATORS[op[len(prefix):]]} {shown}"
        if op.startswith("Is"):
            return f"{variable} {op[2:].lower()}" if value is True else f"{variable} not {op[2:].lower()}"
        if op == "StringMatches":
            return f"{variable} matches {json.dumps(value)}"
    return f"Rule {index + 1}"


def transitions(spec: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(target, kind, label) for every transition out of a state."""
    out: list[tuple[str, str, str]] = []
    if spec.get("Type") == "Choice":
        for index, rule in enumerate(spec.get("Choices") or []):
            if isinstance(rule, dict) and rule.get("Next"):
                out.append((str(rule["Next"]), "choice", choice_label(rule, index)))
        if spec.get("Default"):
            out.append((str(spec["Default"]), "default", "Default"))
    elif spec.get("Next"):
        out.append((str(spec["Next"]), "next", ""))
    for catcher in spec.get("Catch") or []:
        if isinstance(catcher, dict) and catcher.get("Next"):
            errors = catcher.get("ErrorEquals") or []
            label = "Catch" + (": " + ", ".join(map(str, errors)) if errors else "")
            out.append((str(catcher["Next"]), "catch", label))
    return out


def is_terminal(spec: dict[str, Any]) -> bool:
    """True when a state ends its (sub)graph."""
    return bool(spec.get("End")) or spec.get("Type") in ("Succeed", "Fail")


def inner_graphs(spec: dict[str, Any]) -> tuple[list[dict[str, Any]], list[str], str]:
    """The nested definitions of a Parallel (branches) or Map (its ItemProcessor/Iterator)."""
    if spec.get("Type") == "Parallel":
        branches = [b for b in spec.get("Branches") or [] if isinstance(b, dict)]
        return branches, [f"Branch {i + 1}" for i in range(len(branches))], "branch-lane"
    if spec.get("Type") == "Map":
        processor = spec.get("ItemProcessor") or spec.get("Iterator")
        if isinstance(processor, dict):
            return [processor], ["Each item"], "map-iterator"
    return [], [], "branch-lane"


def node_label_width(name: str, type_label: str) -> float:
    """Width of a simple state box from its texts."""
    label = name if len(name) <= NODE_MAX_CHARS else name[: NODE_MAX_CHARS - 1] + "…"
    return max(NODE_MIN_W, text_width(label, 13, bold=True) + 52, text_width(type_label, 11) + 40)


def layout(definition: dict[str, Any], *, markers: bool, type_label: Any) -> Graph:
    """Lay out a definition ({"StartAt", "States"}); markers adds the Start and End pills."""
    states: dict[str, Any] = {k: v for k, v in (definition.get("States") or {}).items() if isinstance(v, dict)}
    start_at = str(definition.get("StartAt", ""))
    nodes: dict[str, Node] = {}
    for name, spec in states.items():
        nodes[name] = _state_node(name, spec, type_label)
    edges: list[Edge] = []
    for name, spec in states.items():
        for target, kind, label in transitions(spec):
            if target in states:
                edges.append(Edge(name, target, kind, label))
        if markers and is_terminal(spec):
            edges.append(Edge(name, END, "next"))
    if markers:
        nodes[START] = Node(START, "marker", MARKER_W, MARKER_H)
        nodes[END] = Node(END, "marker", MARKER_W, MARKER_H)
        if start_at in states:
            edges.insert(0, Edge(START, start_at, "next"))
    roots = [START] if markers else []
    roots += [start_at] if start_at in states else []
    roots += [n for n in states if n != start_at]
    _rank(nodes, edges, roots, end=END if markers else None)
    _add_dummies(nodes, edges)
    graph = Graph(nodes, edges)
    _place(graph)
    return graph


def _state_node(name: str, spec: dict[str, Any], type_label: Any) -> Node:
    children, titles, lane_class = inner_graphs(spec)
    if not children:
        return Node(name, "state", node_label_width(name, type_label(spec)), NODE_H, spec=spec)
    lanes = [layout(child, markers=False, type_label=type_label) for child in children]
    lanes_w = sum(g.width + 2 * FRAME_PAD for g in lanes) + LANE_GAP * (len(lanes) - 1)
    lanes_h = max(g.height for g in lanes) + LANE_HEADER + FRAME_PAD
    width = max(lanes_w + 2 * FRAME_PAD, node_label_width(name, type_label(spec)) + 40)
    height = FRAME_HEADER + lanes_h + FRAME_PAD
    return Node(name, "state", width, height, spec=spec, lanes=lanes, lane_titles=titles, lane_class=lane_class)


def _rank(nodes: dict[str, Node], edges: list[Edge], roots: list[str], end: str | None) -> None:
    """Longest-path ranks over forward edges; edges closing a cycle (found by DFS) become back edges."""
    out: dict[str, list[Edge]] = {name: [] for name in nodes}
    for edge in edges:
        out[edge.source].append(edge)
    state_of: dict[str, int] = {}  # 1 on the DFS stack, 2 done
    postorder: list[str] = []
    counter = 0
    for root in roots:
        if root in state_of:
            continue
        stack: list[tuple[str, int]] = [(root, 0)]
        state_of[root] = 1
        nodes[root].order = counter
        counter += 1
        while stack:
            name, i = stack[-1]
            if i < len(out[name]):
                stack[-1] = (name, i + 1)
                edge = out[name][i]
                seen = state_of.get(edge.target)
                if seen == 1:
                    edge.back = True
                elif seen is None:
                    state_of[edge.target] = 1
                    nodes[edge.target].order = counter
                    counter += 1
                    stack.append((edge.target, 0))
            else:
                state_of[name] = 2
                postorder.append(name)
                stack.pop()
    if end is not None and end not in state_of:
        postorder.insert(0, end)
    for root in roots:
        if root != START and START in nodes:
            nodes[root].rank = 1  # states no edge reaches sit beside the first state, not the Start pill
    for name in reversed(postorder):
        for edge in out[name]:
            if not edge.back:
                nodes[edge.target].rank = max(nodes[edge.target].rank, nodes[name].rank + 1)
    if end is not None:  # End sits below everything
        nodes[end].rank = max(n.rank for n in nodes.values() if n.name != end) + 1


def _add_dummies(nodes: dict[str, Node], edges: list[Edge]) -> None:
    """Split edges spanning several ranks with dummy points so they route between boxes."""
    for index, edge in enumerate(edges):
        edge.path = [edge.source, edge.target]
        if edge.back:
            continue
        low, high = nodes[edge.source].rank, nodes[edge.target].rank
        path = [edge.source]
        for rank in range(low + 1, high):
            dummy = f"\x00d{index}.{rank}"
            nodes[dummy] = Node(dummy, "dummy", DUMMY_W, 0.0, rank=rank, order=nodes[edge.source].order)
            path.append(dummy)
        path.append(edge.target)
        edge.path = path


def _place(graph: Graph) -> None:
    """Order ranks by predecessor barycentres, pack them, then straighten with an upward and a downward pass."""
    nodes = graph.nodes
    if not nodes:  # an empty branch or item processor
        return
    preds: dict[str, list[str]] = {name: [] for name in nodes}
    succs: dict[str, list[str]] = {name: [] for name in nodes}
    for edge in graph.edges:
        if not edge.back:
            for a, b in zip(edge.path, edge.path[1:], strict=False):
                preds[b].append(a)
                succs[a].append(b)
    ranks: dict[int, list[Node]] = {}
    for node in nodes.values():
        ranks.setdefault(node.rank, []).append(node)
    for rank in sorted(ranks):  # first pass: choose the order inside each rank
        row = ranks[rank]
        desired = {n.name: _mean([nodes[p].cx for p in preds[n.name]], 0.0) for n in row}
        row.sort(key=lambda n: (desired[n.name], n.order))
        _pack(row, desired)
    for order, neighbours in ((sorted(ranks, reverse=True), succs), (sorted(ranks), preds)):
        for rank in order:
            row = ranks[rank]
            _pack(row, {n.name: _mean([nodes[m].cx for m in neighbours[n.name]], n.cx) for n in row})
    top = 0.0
    for rank in sorted(ranks):
        row_h = max(n.height for n in ranks[rank])
        graph.rows.append((top, row_h))
        for node in ranks[rank]:
            node.y = top
        top += row_h + RANK_GAP
    graph.height = top - RANK_GAP
    graph.loop_x = []
    for edge in graph.edges:
        if edge.back:
            graph.loop_x.append(_loop_x(graph, edge))
    min_x = min([n.x for n in nodes.values()] + [x - LOOP_GAP / 2 for x in graph.loop_x])
    for node in nodes.values():
        node.x -= min_x
    graph.loop_x = [x - min_x for x in graph.loop_x]
    graph.width = max([n.x + n.width for n in nodes.values()] + [x + LOOP_GAP / 2 for x in graph.loop_x])


def _mean(values: list[float], default: float) -> float:
    return sum(values) / len(values) if values else default


def _pack(row: list[Node], desired: dict[str, float]) -> None:
    """Place a row in its order as near each node's desired centre as possible, without overlaps."""
    lefts: list[float] = []
    cursor = float("-inf")
    for node in row:
        left = max(desired[node.name] - node.width / 2, cursor)
        lefts.append(left)
        cursor = left + node.width + (COL_GAP if node.kind != "dummy" else COL_GAP / 2)
    shift = _mean([desired[n.name] - (left + n.width / 2) for n, left in zip(row, lefts, strict=True)], 0.0)
    for node, left in zip(row, lefts, strict=True):
        node.x = left + shift


def _loop_x(graph: Graph, edge: Edge) -> float:
    """Where a back edge runs: just outside its two boxes, on the side with more room, past any box in between."""
    source, target = graph.nodes[edge.source], graph.nodes[edge.target]
    low, high = target.rank, source.rank
    between = [n for n in graph.nodes.values() if low <= n.rank <= high and n.name not in (edge.source, edge.target)]
    centre = _mean([n.cx for n in graph.nodes.values()], 0.0)
    right_side = (source.cx + target.cx) / 2 >= centre
    x = max(source.x + source.width, target.x + target.width) + LOOP_GAP if right_side else (
        min(source.x, target.x) - LOOP_GAP)
    taken = list(graph.loop_x)
    for _ in range(len(between) + len(taken) + 1):
        hit = [n for n in between if n.x - 6 < x < n.x + n.width + 6 and n.kind != "dummy"]
        close = [lx for lx in taken if abs(lx - x) < 10]
        if not hit and not close:
            break
        if right_side:
            x = max([n.x + n.width + LOOP_GAP for n in hit] + [lx + 12 for lx in close])
        else:
            x = min([n.x - LOOP_GAP for n in hit] + [lx - 12 for lx in close])
    return x
