"""Draw a Step Functions state machine as an SVG graph, each state coloured by an execution's history."""

from __future__ import annotations

import json
from typing import Any

from workshop_utils.render import _asl_layout as asl
from workshop_utils.render._common import FONT, INK, LINE, MUTED, PAPER, esc, num, text_width, truncate
from workshop_utils.render._history import (
    CAUGHT,
    FAILED,
    NOT_REACHED,
    RUNNING,
    STATUSES,
    STOPPED,
    SUCCEEDED,
    execution_status,
    state_statuses,
)

MARGIN = 20.0
LEGEND_H = 40.0
NONE = "none"  # no history given: neutral colours

# (fill, stroke, text colour, label) per status; light fills keep dark text readable in any theme.
PALETTE: dict[str, tuple[str, str, str, str]] = {
    SUCCEEDED: ("#dafbe1", "#1a7f37", INK, "Succeeded"),
    FAILED: ("#ffebe9", "#cf222e", INK, "Failed"),
    CAUGHT: ("#fff1d6", "#bc4c00", INK, "Caught"),
    RUNNING: ("#ddf4ff", "#0969da", INK, "Running"),
    NOT_REACHED: ("#f6f8fa", "#8c959f", MUTED, "Not reached"),
    STOPPED: ("#eaeef2", "#57606a", INK, "Stopped unanswered"),
    NONE: ("#ffffff", "#57606a", INK, ""),
}
EDGE_COLOUR = "#6e7781"
CATCH_COLOUR = "#bc4c00"

_RESOURCE_HINTS = (
    ("lambda", "Lambda"), ("sns", "SNS"), ("sqs", "SQS"), ("dynamodb", "DynamoDB"),
    ("states:::states:startExecution", "Step Functions"), ("events", "EventBridge"), ("ecs", "ECS"),
)


def state_machine_svg(definition: dict | str, history: list[dict] | None = None) -> str:
    """Draw an ASL definition top-to-bottom as SVG; with a history, colour each state by its status."""
    spec = _parse_definition(definition)
    graph = asl.layout(spec, markers=True, type_label=_type_label)
    targets = catch_targets(spec)
    statuses = state_statuses(history, targets) if history is not None else None
    legend = _legend(history, graph, statuses or {}) if history is not None else ("", 0.0)
    width = max(graph.width, legend[1]) + 2 * MARGIN
    height = graph.height + 2 * MARGIN + (LEGEND_H if history is not None else 0)
    offset_x = MARGIN + (width - 2 * MARGIN - graph.width) / 2
    if statuses is not None:
        # The End pill is reached only by an execution that succeeded; a failed one stops where it failed.
        overall = execution_status(history)
        statuses = {**statuses, asl.END: SUCCEEDED if overall == SUCCEEDED else NOT_REACHED}
    body = _draw_graph(graph, offset_x, MARGIN, statuses)
    legend_svg = ""
    if legend[0]:
        legend_svg = f'<g transform="translate({num(MARGIN)},{num(height - LEGEND_H + 6)})">{legend[0]}</g>'
    return (
        f'<svg class="state-machine" width="{num(width)}" height="{num(height)}" '
        f'viewBox="0 0 {num(width)} {num(height)}" role="img" aria-label="State machine graph" '
        f'font-family="{esc(FONT)}" style="max-width:100%;height:auto;background:{PAPER}">'
        f'<rect class="background" x="0" y="0" width="{num(width)}" height="{num(height)}" rx="8" '
        f'fill="{PAPER}" stroke="{LINE}"/>{body}{legend_svg}</svg>'
    )


def _parse_definition(definition: dict | str) -> dict[str, Any]:
    if isinstance(definition, str):
        try:
            definition = json.loads(definition)
        except ValueError as exc:
            raise ValueError(
                f"The state machine definition is not valid JSON ({exc}); "
                "pass the 'definition' string from describe_state_machine()."
            ) from exc
    if not isinstance(definition, dict) or not isinstance(definition.get("States"), dict):
        raise ValueError(
            "The state machine definition has no 'States'; "
            "pass the 'definition' from describe_state_machine() (a JSON string or a dict)."
        )
    return definition


def _type_label(spec: dict[str, Any]) -> str:
    state_type = str(spec.get("Type", "?"))
    resource = str(spec.get("Resource", ""))
    if state_type == "Task" and resource:
        for needle, hint in _RESOURCE_HINTS:
            if f":{needle}" in resource or f"::{needle}" in resource:
                return f"Task · {hint}"
    return state_type


def catch_targets(spec: dict[str, Any]) -> dict[str, set[str]]:
    """Each state's Catch targets, {state name: {names its Catch clauses lead to}}, branches included."""
    targets: dict[str, set[str]] = {}
    for name, state in (spec.get("States") or {}).items():
        if not isinstance(state, dict):
            continue
        for catcher in state.get("Catch") or []:
            if isinstance(catcher, dict) and catcher.get("Next"):
                targets.setdefault(name, set()).add(str(catcher["Next"]))
        for child in asl.inner_graphs(state)[0]:
            targets.update(catch_targets(child))
    return targets


def _draw_graph(graph: asl.Graph, ox: float, oy: float, statuses: dict[str, str] | None) -> str:
    end_missed = statuses is not None and statuses.get(asl.END) == NOT_REACHED
    drawn = [_draw_edge(graph, edge, faded=end_missed and edge.target == asl.END) for edge in graph.edges]
    edges = "".join(d[0] for d in drawn)
    labels = "".join(_edge_labels(graph, [(edge, d[1]) for edge, d in zip(graph.edges, drawn, strict=True)]))
    boxes = "".join(_draw_node(node, statuses) for node in graph.nodes.values() if node.kind != "dummy")
    return (
        f'<g class="graph" transform="translate({num(ox)},{num(oy)})"><g class="edges">{edges}</g>{boxes}'
        f'<g class="edge-labels">{labels}</g></g>'
    )


def _status(name: str, statuses: dict[str, str] | None) -> str:
    if statuses is None:
        return NONE
    return statuses.get(name, NOT_REACHED)


def _draw_node(node: asl.Node, statuses: dict[str, str] | None) -> str:
    if node.kind == "marker":
        return _draw_marker(node, reached=statuses is None or statuses.get(node.name, SUCCEEDED) != NOT_REACHED)
    status = _status(node.name, statuses)
    fill, stroke, text_colour, label = PALETTE[status]
    type_text = _type_label(node.spec)
    tooltip = f"{node.name} ({type_text})" + (f": {label.lower()}" if label else "")
    dash = ' stroke-dasharray="5 3"' if status == NOT_REACHED else ""
    name_text = esc(truncate(node.name, asl.NODE_MAX_CHARS))
    attrs = (
        f'class="state status-{status}" data-state="{esc(node.name)}" '
        f'data-type="{esc(node.spec.get("Type", ""))}" data-status="{status}"'
    )
    dot = ""
    if status != NONE:
        dot = f'<circle class="status-dot" cx="{num(node.x + 11)}" cy="{num(node.y + 11)}" r="3.5" fill="{stroke}"/>'
    if not node.lanes:
        cx = node.cx
        return (
            f"<g {attrs}><title>{esc(tooltip)}</title>"
            f'<rect x="{num(node.x)}" y="{num(node.y)}" width="{num(node.width)}" height="{num(node.height)}" '
            f'rx="10" fill="{fill}" stroke="{stroke}" stroke-width="1.6"{dash}/>{dot}'
            f'<text x="{num(cx)}" y="{num(node.y + 21)}" text-anchor="middle" font-size="13" '
            f'font-weight="600" fill="{text_colour}">{name_text}</text>'
            f'<text x="{num(cx)}" y="{num(node.y + 38)}" text-anchor="middle" font-size="11" '
            f'fill="{MUTED}">{esc(type_text)}</text></g>'
        )
    return (
        f"<g {attrs}><title>{esc(tooltip)}</title>"
        f'<rect x="{num(node.x)}" y="{num(node.y)}" width="{num(node.width)}" height="{num(node.height)}" '
        f'rx="12" fill="{PAPER}" stroke="{stroke}" stroke-width="1.8"{dash}/>'
        f'<rect x="{num(node.x + 1)}" y="{num(node.y + 1)}" width="{num(node.width - 2)}" '
        f'height="{num(asl.FRAME_HEADER - 8)}" rx="11" fill="{fill}"/>{dot}'
        f'<text x="{num(node.x + 24)}" y="{num(node.y + 17)}" font-size="13" font-weight="600" '
        f'fill="{text_colour}">{name_text}</text>'
        f'<text x="{num(node.x + 24)}" y="{num(node.y + 31)}" font-size="11" fill="{MUTED}">'
        f"{esc(type_text)}</text>{_draw_lanes(node, statuses)}</g>"
    )


def _draw_lanes(node: asl.Node, statuses: dict[str, str] | None) -> str:
    lanes_w = sum(g.width + 2 * asl.FRAME_PAD for g in node.lanes) + asl.LANE_GAP * (len(node.lanes) - 1)
    lane_h = max(g.height for g in node.lanes) + asl.LANE_HEADER + asl.FRAME_PAD
    x = node.x + (node.width - lanes_w) / 2
    y = node.y + asl.FRAME_HEADER
    parts = []
    for index, (lane, title) in enumerate(zip(node.lanes, node.lane_titles, strict=True)):
        lane_w = lane.width + 2 * asl.FRAME_PAD
        parts.append(
            f'<g class="{node.lane_class}" data-branch="{index + 1}" data-parent="{esc(node.name)}">'
            f'<rect x="{num(x)}" y="{num(y)}" width="{num(lane_w)}" height="{num(lane_h)}" rx="8" '
            f'fill="#f6f8fa" stroke="{LINE}" stroke-dasharray="4 3"/>'
            f'<text class="lane-label" x="{num(x + 8)}" y="{num(y + 15)}" font-size="11" '
            f'fill="{MUTED}">{esc(title)}</text>'
            f"{_draw_graph(lane, x + asl.FRAME_PAD, y + asl.LANE_HEADER, statuses)}</g>"
        )
        x += lane_w + asl.LANE_GAP
    return "".join(parts)


def _draw_marker(node: asl.Node, *, reached: bool) -> str:
    label = "Start" if node.name == asl.START else "End"
    fill, stroke, ink = ("#eaeef2", "#57606a", INK) if reached else PALETTE[NOT_REACHED][:3]
    dash = "" if reached else ' stroke-dasharray="5 3"'
    tooltip = "" if reached else f"<title>{label}: not reached</title>"
    return (
        f'<g class="marker marker-{label.lower()}" data-marker="{label}" '
        f'data-reached="{str(reached).lower()}">{tooltip}'
        f'<rect x="{num(node.x)}" y="{num(node.y)}" width="{num(node.width)}" height="{num(node.height)}" '
        f'rx="{num(node.height / 2)}" fill="{fill}" stroke="{stroke}" stroke-width="1.2"{dash}/>'
        f'<text x="{num(node.cx)}" y="{num(node.y + 17)}" text-anchor="middle" font-size="12" '
        f'font-weight="600" fill="{ink}">{label}</text></g>'
    )


def _port(graph: asl.Graph, edge: asl.Edge, outgoing: bool) -> float:
    """Spread several edges leaving (or entering) one box along its bottom (or top) side."""
    node = graph.nodes[edge.source if outgoing else edge.target]
    if node.kind == "dummy":
        return node.cx
    side = [e for e in graph.edges if not e.back and (e.source if outgoing else e.target) == node.name]
    neighbour = (lambda e: graph.nodes[e.path[1]].cx) if outgoing else (lambda e: graph.nodes[e.path[-2]].cx)
    side.sort(key=lambda e: (neighbour(e), e.kind))
    count = len(side)
    step = min(22.0, node.width * 0.7 / max(count, 1))
    return node.cx + (side.index(edge) - (count - 1) / 2) * step


def _display(name: str) -> str:
    return {asl.START: "Start", asl.END: "End"}.get(name, name)


def _draw_edge(graph: asl.Graph, edge: asl.Edge, *, faded: bool = False) -> tuple[str, tuple[float, float]]:
    """The edge's SVG and where its label goes (the middle of its first gap between rows); a faded edge is one
    the execution never took (into an End it did not reach)."""
    colour = CATCH_COLOUR if edge.kind == "catch" else (PALETTE[NOT_REACHED][1] if faded else EDGE_COLOUR)
    dash = ' stroke-dasharray="6 4"' if edge.kind == "catch" or faded else ""
    source, target = graph.nodes[edge.source], graph.nodes[edge.target]
    if edge.back:
        loop_x = graph.loop_x[[e for e in graph.edges if e.back].index(edge)]
        right = loop_x > source.cx
        sx = source.x + source.width if right else source.x
        tx = target.x + target.width if right else target.x
        sy, ty = source.y + source.height / 2, target.y + target.height / 2
        turn = -8 if right else 8
        d = (
            f"M{num(sx)},{num(sy)} L{num(loop_x + turn)},{num(sy)} "
            f"Q{num(loop_x)},{num(sy)} {num(loop_x)},{num(sy - 8)} "
            f"L{num(loop_x)},{num(ty + 8)} Q{num(loop_x)},{num(ty)} {num(loop_x + turn)},{num(ty)} "
            f"L{num(tx - turn)},{num(ty)}"
        )
        back = -turn
        arrow = f"{num(tx + back)},{num(ty - 4.5)} {num(tx + back)},{num(ty + 4.5)} {num(tx)},{num(ty)}"
        label_at = (loop_x, (sy + ty) / 2)
    else:
        x = _port(graph, edge, True)
        row_top, row_h = graph.rows[source.rank]
        y = row_top + row_h
        d = f"M{num(x)},{num(source.y + source.height)} L{num(x)},{num(y)}"
        label_at: tuple[float, float] | None = None
        for name in edge.path[1:-1]:
            top, row_h = graph.rows[graph.nodes[name].rank]
            dx = graph.nodes[name].cx
            d += _curve(x, y, dx, top)
            label_at = label_at or ((x + dx) / 2, (y + top) / 2)
            x, y = dx, top + row_h
            d += f" L{num(x)},{num(y)}"
        tx, ty = _port(graph, edge, False), target.y
        d += _curve(x, y, tx, ty - 7)
        label_at = label_at or ((x + tx) / 2, (y + ty) / 2)
        arrow = f"{num(tx - 4.5)},{num(ty - 8)} {num(tx + 4.5)},{num(ty - 8)} {num(tx)},{num(ty)}"
    svg = (
        f'<g class="edge edge-{edge.kind}" data-from="{esc(_display(edge.source))}" '
        f'data-to="{esc(_display(edge.target))}"><path d="{d}" fill="none" stroke="{colour}" '
        f'stroke-width="1.4"{dash}/><polygon points="{arrow}" fill="{colour}"/></g>'
    )
    return svg, label_at


def _curve(x1: float, y1: float, x2: float, y2: float) -> str:
    mid = (y2 - y1) / 2
    return f" C{num(x1)},{num(y1 + mid)} {num(x2)},{num(y2 - mid)} {num(x2)},{num(y2)}"


def _edge_labels(graph: asl.Graph, placed: list[tuple[asl.Edge, tuple[float, float]]]) -> list[str]:
    """Labels drawn above the boxes; labels that would overlap are nudged down."""
    boxes: list[tuple[float, float, float, float]] = []
    out = []
    for edge, (x, y) in sorted(placed, key=lambda item: (item[1][1], item[1][0])):
        if not edge.label:
            continue
        shown = truncate(edge.label, 30)
        width = text_width(shown, 11) + 10
        for _ in range(6):
            if not any(abs(x - bx) < (width + bw) / 2 + 2 and abs(y - by) < 17 for bx, by, bw, _h in boxes):
                break
            y += 17
        boxes.append((x, y, width, 16))
        colour = CATCH_COLOUR if edge.kind == "catch" else "#57606a"
        out.append(
            f'<g class="edge-label" data-from="{esc(_display(edge.source))}" data-to="{esc(_display(edge.target))}">'
            f"<title>{esc(edge.label)}</title>"
            f'<rect x="{num(x - width / 2)}" y="{num(y - 9)}" width="{num(width)}" height="16" rx="4" '
            f'fill="{PAPER}" fill-opacity="0.94" stroke="{LINE}"/>'
            f'<text x="{num(x)}" y="{num(y + 3)}" text-anchor="middle" font-size="11" fill="{colour}">'
            f"{esc(shown)}</text></g>"
        )
    return out


def _legend(history: list[dict], graph: asl.Graph, statuses: dict[str, str]) -> tuple[str, float]:
    """The status legend (and the Catch line style), with its width."""
    x = 0.0
    overall = execution_status(history)
    caption = f"Execution {PALETTE[overall][3].lower()}" if history else "No execution yet"
    parts = [f'<text x="0" y="12" font-size="12" font-weight="600" fill="{INK}">{esc(caption)}</text>']
    x += text_width(caption, 12, bold=True) + 18
    for status in STATUSES:
        if status == STOPPED and STOPPED not in statuses.values():
            continue  # rare: shown only when a task was cut short by the execution's failure
        fill, stroke, _, label = PALETTE[status]
        dash = ' stroke-dasharray="3 2"' if status == NOT_REACHED else ""
        parts.append(
            f'<g class="legend-item" data-status="{status}"><rect x="{num(x)}" y="1" width="14" height="14" '
            f'rx="3" fill="{fill}" stroke="{stroke}" stroke-width="1.6"{dash}/>'
            f'<text x="{num(x + 19)}" y="12" font-size="12" fill="{INK}">{label}</text></g>'
        )
        x += 19 + text_width(label, 12) + 16
    if any(e.kind == "catch" for e in _all_edges(graph)):
        parts.append(
            f'<g class="legend-item" data-edge="catch"><line x1="{num(x)}" y1="8" x2="{num(x + 24)}" y2="8" '
            f'stroke="{CATCH_COLOUR}" stroke-width="1.4" stroke-dasharray="6 4"/>'
            f'<text x="{num(x + 29)}" y="12" font-size="12" fill="{INK}">Catch</text></g>'
        )
        x += 29 + text_width("Catch", 12) + 8
    return f'<g class="legend">{"".join(parts)}</g>', x


def _all_edges(graph: asl.Graph) -> list[asl.Edge]:
    edges = list(graph.edges)
    for node in graph.nodes.values():
        for lane in node.lanes:
            edges += _all_edges(lane)
    return edges
