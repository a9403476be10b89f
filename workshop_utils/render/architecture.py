"""Draw a stack's wiring (workshop_utils.wiring.Wiring) as an SVG: exactly its edges, each labelled."""

from __future__ import annotations

import math

from workshop_utils.render._common import FONT, INK, LINE, MUTED, PAPER, esc, num, text_width, truncate
from workshop_utils.render._graph_layout import Layout, Route, layout
from workshop_utils.wiring.model import (
    BRANCH,
    EVENT_SOURCE,
    ON_FAILURE,
    ON_SUCCESS,
    REDRIVE,
    SUBSCRIPTION,
    TABLE_ACCESS,
    TASK,
    Node,
    Wiring,
)

CARD_W = 196.0
CARD_H = 60.0
ROW_GAP = 78.0
COL_GAP = 28.0
BEND_W = 18.0
MARGIN = 20.0
TITLE_H = 34.0
LANE_PAD = 10.0
LANE_HEADER = 18.0
TEXT_X = 48.0  # where a card's text starts, right of its icon
TITLE_SIZE = 12.5
SMALL_SIZE = 10.5
LABEL_SIZE = 10.5
ARROW = 7.0

# (icon colour, icon text) per service; simple shapes, no images.
SERVICES = {
    "lambda": ("#ed7100", "λ"),
    "sns": ("#e7157b", "SNS"),
    "sqs": ("#8c4fff", "SQS"),
    "sfn": ("#c925d1", "SFN"),
    "dynamodb": ("#2e73b8", "DDB"),
}
# (colour, dash pattern) per edge kind: the label says what, the style lets the eye follow one kind.
EDGE_STYLES = {
    TASK: ("#0969da", ""),
    BRANCH: ("#0969da", ""),
    ON_SUCCESS: ("#1a7f37", ""),
    SUBSCRIPTION: ("#bf3989", ""),
    ON_FAILURE: ("#cf222e", "6 4"),
    EVENT_SOURCE: ("#8250df", ""),
    REDRIVE: ("#6e7781", "3 3"),
    TABLE_ACCESS: ("#1b7c83", "2 3"),
}
_FALLBACK_STYLE = ("#6e7781", "")
_Rect = tuple[float, float, float, float]  # x, y, width, height


def architecture_svg(wiring: Wiring) -> str:
    """The wiring top to bottom in flow order: one card per node, one labelled arrow per edge, nothing else."""
    sizes = {node.key: (CARD_W, CARD_H) for node in wiring.nodes}
    lane_room = {e.target: LANE_HEADER + LANE_PAD for e in wiring.edges if e.kind == BRANCH}
    placed = layout(sizes, [(e.source, e.target) for e in wiring.edges], row_gap=ROW_GAP, col_gap=COL_GAP,
                    bend_width=BEND_W, space_above=lane_room)
    lanes = _parallel_lanes(wiring, placed)
    obstacles: list[_Rect] = [(b.x, b.y, b.width, b.height) for b in placed.boxes.values()]
    obstacles += [(x, y, text_width("Parallel", 11) + 8, LANE_HEADER) for x, y, _w, _h in lanes]
    links, labels = [], []
    paths = [_path(route) for route in placed.routes]
    # Every line, as thin boxes along it: a label placed over another edge's line would hide where it goes.
    lines = [_segments(samples) for _path_d, samples in paths]
    for index, (edge, route) in enumerate(zip(wiring.edges, placed.routes, strict=True)):
        colour, dash = EDGE_STYLES.get(edge.kind, _FALLBACK_STYLE)
        path, samples = paths[index]
        others = [box for number, boxes in enumerate(lines) if number != index for box in boxes]
        box = _label_box(edge.label, samples, obstacles, lines=others)
        obstacles.append(box)
        links.append(
            f'<g class="link" data-kind="{esc(edge.kind)}" data-source="{esc(edge.source)}" '
            f'data-target="{esc(edge.target)}"><title>{esc(_edge_title(wiring, edge.source, edge.target))}: '
            f'{esc(edge.label)}</title><path d="{path}" fill="none" stroke="{colour}" stroke-width="1.5"'
            f'{f" stroke-dasharray={chr(34)}{dash}{chr(34)}" if dash else ""}/>{_arrow(route, colour)}'
            f"{_label(edge.label, box, colour)}</g>"
        )
        labels.append(box)
    extents = [(b.x, b.y, b.width, b.height) for b in placed.boxes.values()] + labels + lanes
    left = min([0.0] + [x for x, _y, _w, _h in extents])
    top = min([0.0] + [y for _x, y, _w, _h in extents])
    drawn_w = max([0.0] + [x + w for x, _y, w, _h in extents]) - left
    drawn_h = max([0.0] + [y + h for _x, y, _w, h in extents]) - top
    width = max(drawn_w, _title_width(wiring)) + 2 * MARGIN
    height = drawn_h + 2 * MARGIN + TITLE_H
    offset_x = MARGIN - left + (width - 2 * MARGIN - drawn_w) / 2  # centred under a wider title
    parts = [
        f'<rect class="background" x="0" y="0" width="{num(width)}" height="{num(height)}" rx="8" '
        f'fill="{PAPER}" stroke="{LINE}"/>',
        _heading(wiring),
        f'<g transform="translate({num(offset_x)},{num(MARGIN + TITLE_H - top)})">',
        *[_lane(rect) for rect in lanes],
        *links,
        *[_card(node, placed, wiring.stack) for node in wiring.nodes],
        "</g>",
    ]
    return (
        f'<svg class="architecture" data-stack="{esc(wiring.stack)}" width="{num(width)}" height="{num(height)}" '
        f'viewBox="0 0 {num(width)} {num(height)}" role="img" aria-label="Architecture of {esc(wiring.stack)}" '
        f'font-family="{esc(FONT)}" style="max-width:100%;height:auto;background:{PAPER}">{"".join(parts)}</svg>'
    )


def _subtitle(wiring: Wiring) -> str:
    if not wiring.nodes:
        return "nothing to show: no Lambda, SNS, SQS, Step Functions or DynamoDB resources"
    count = len(wiring.edges)
    return f"{len(wiring.nodes)} resources, {count} connection{'' if count == 1 else 's'}"


def _title_width(wiring: Wiring) -> float:
    return text_width(wiring.stack, 14, bold=True) + 12 + text_width(_subtitle(wiring), 11)


def _heading(wiring: Wiring) -> str:
    title_w = text_width(wiring.stack, 14, bold=True)
    return (
        f'<text x="{num(MARGIN)}" y="{num(MARGIN + 8)}" font-size="14" font-weight="600" fill="{INK}">'
        f"{esc(wiring.stack)}</text>"
        f'<text x="{num(MARGIN + title_w + 12)}" y="{num(MARGIN + 8)}" font-size="11" fill="{MUTED}">'
        f"{esc(_subtitle(wiring))}</text>"
    )


def _edge_title(wiring: Wiring, source: str, target: str) -> str:
    labels = {node.key: node.label for node in wiring.nodes}
    return f"{labels.get(source, source)} → {labels.get(target, target)}"


# ---------------------------------------------------------------- cards and lanes


def _wrap(text: str, width: float, size: float, *, bold: bool, lines: int) -> list[str]:
    """Words onto at most `lines` lines that fit `width`; the last one cut with an ellipsis if need be."""
    found: list[str] = []
    for word in text.split(" "):
        if found and text_width(f"{found[-1]} {word}", size, bold=bold) <= width:
            found[-1] = f"{found[-1]} {word}"
        else:
            found.append(word)
    if len(found) > lines:
        found = found[: lines - 1] + [" ".join(found[lines - 1:])]
    last = found[-1]
    while len(last) > 2 and text_width(last, size, bold=bold) > width:
        last = truncate(last, len(last) - 1)
    return found[:-1] + [last]


def _card(node: Node, placed: Layout, stack: str) -> str:
    box = placed.boxes[node.key]
    name = node.name
    if stack and name.startswith(f"{stack}-") and len(name) > len(stack) + 1:
        name = name[len(stack) + 1:]  # generated names repeat the stack's name: show what differs
    colour = SERVICES.get(node.service, SERVICES["lambda"])[0]
    room = box.width - TEXT_X - 8
    titles = _wrap(node.title, room, TITLE_SIZE, bold=True, lines=2)
    small = node.detail or name
    lines = [(line, TITLE_SIZE, "600", INK) for line in titles]
    if small:
        lines.append((_wrap(small, room, SMALL_SIZE, bold=False, lines=1)[0], SMALL_SIZE, "400", MUTED))
    block = sum(size * 1.3 for _t, size, _w, _c in lines)
    y = box.y + (box.height - block) / 2
    texts = []
    for text, size, weight, fill in lines:
        y += size * 1.3
        texts.append(f'<text x="{num(box.x + TEXT_X)}" y="{num(y - size * 0.3)}" font-size="{num(size)}" '
                     f'font-weight="{weight}" fill="{fill}">{esc(text)}</text>')
    vendor = f' data-vendor="{esc(node.vendor)}"' if node.vendor else ""
    dashed = ' stroke-dasharray="5 3"' if node.role == "dead-letter-queue" else ""
    tooltip = f"{node.label}: {node.key}" + (f" ({node.name})" if node.name else "")
    return (
        f'<g class="resource" data-role="{esc(node.role)}" data-key="{esc(node.key)}"{vendor}>'
        f"<title>{esc(tooltip)}</title>"
        f'<rect x="{num(box.x)}" y="{num(box.y)}" width="{num(box.width)}" height="{num(box.height)}" rx="8" '
        f'fill="{PAPER}" stroke="{colour}" stroke-width="1.6"{dashed}/>'
        f"{_icon(node.service, box.x + 9, box.y + (box.height - 32) / 2, 32)}{''.join(texts)}</g>"
    )


def _icon(service: str, x: float, y: float, size: float) -> str:
    colour, glyph = SERVICES.get(service, SERVICES["lambda"])
    font = size * (0.62 if len(glyph) == 1 else 0.34)
    return (
        f'<rect x="{num(x)}" y="{num(y)}" width="{num(size)}" height="{num(size)}" rx="{num(size * 0.2)}" '
        f'fill="{colour}"/><text x="{num(x + size / 2)}" y="{num(y + size / 2 + font * 0.36)}" '
        f'text-anchor="middle" font-size="{num(font)}" font-weight="700" fill="#ffffff">{esc(glyph)}</text>'
    )


def _parallel_lanes(wiring: Wiring, placed: Layout) -> list[_Rect]:
    """A dashed box around the targets of one Parallel state's branches, when they sit side by side."""
    groups: dict[tuple[str, str], list[str]] = {}
    for edge in wiring.edges:
        if edge.kind == BRANCH:
            groups.setdefault((edge.source, edge.label), []).append(edge.target)
    lanes = []
    for targets in groups.values():
        boxes = [placed.boxes[t] for t in targets]
        layer = placed.layers[boxes[0].layer]
        spots = sorted(layer.index(t) for t in targets)
        if len({b.layer for b in boxes}) != 1 or spots != list(range(spots[0], spots[0] + len(spots))):
            continue
        x = min(b.x for b in boxes) - LANE_PAD
        y = min(b.y for b in boxes) - LANE_PAD - LANE_HEADER
        lanes.append((x, y, max(b.x + b.width for b in boxes) + LANE_PAD - x,
                      max(b.y + b.height for b in boxes) + LANE_PAD - y))
    return lanes


def _lane(rect: _Rect) -> str:
    x, y, w, h = rect
    return (
        f'<g class="parallel-lane"><rect x="{num(x)}" y="{num(y)}" width="{num(w)}" height="{num(h)}" rx="8" '
        f'fill="#f6f8fa" stroke="{LINE}" stroke-dasharray="4 3"/>'
        f'<text x="{num(x + 8)}" y="{num(y + 13)}" font-size="11" fill="{MUTED}">Parallel</text></g>'
    )


# ---------------------------------------------------------------- edges and their labels


def _path(route: Route) -> tuple[str, list[tuple[float, float]]]:
    """The SVG path through the route's points (vertical tangents at each), and points sampled along it."""
    points = list(route.points)
    # The arrow's tip is the route's end (its start when the edge runs against the flow): stop the line short.
    if route.reversed:
        (x, y) = points[0]
        points[0] = (x, y + ARROW)
    else:
        (x, y) = points[-1]
        points[-1] = (x, y - ARROW)
    d = [f"M{num(points[0][0])},{num(points[0][1])}"]
    samples = [points[0]]
    for (x1, y1), (x2, y2) in zip(points, points[1:], strict=False):
        if x1 == x2:
            d.append(f"L{num(x2)},{num(y2)}")
            samples += [(x1, y1 + (y2 - y1) * i / 8) for i in range(1, 9)]
            continue
        mid = (y2 - y1) / 2
        c1, c2 = (x1, y1 + mid), (x2, y2 - mid)
        d.append(f"C{num(c1[0])},{num(c1[1])} {num(c2[0])},{num(c2[1])} {num(x2)},{num(y2)}")
        for i in range(1, 13):
            t = i / 12
            samples.append(_bezier((x1, y1), c1, c2, (x2, y2), t))
    return " ".join(d), samples


def _bezier(p0, p1, p2, p3, t: float) -> tuple[float, float]:
    u = 1 - t
    return (
        u**3 * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t**3 * p3[0],
        u**3 * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t**3 * p3[1],
    )


def _arrow(route: Route, colour: str) -> str:
    tip = route.points[0] if route.reversed else route.points[-1]
    direction = -1.0 if route.reversed else 1.0  # the routes arrive vertically: down, or up when reversed
    x, y = tip
    base = y - direction * ARROW
    return (f'<polygon points="{num(x - 4.5)},{num(base)} {num(x + 4.5)},{num(base)} {num(x)},{num(y)}" '
            f'fill="{colour}"/>')


def _overlap(a: _Rect, b: _Rect) -> float:
    dx = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    dy = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    return dx * dy if dx > 0 and dy > 0 else 0.0


def _segments(samples: list[tuple[float, float]], pad: float = 1.5) -> list[_Rect]:
    """A line as the padded boxes of its sampled segments."""
    return [(min(x1, x2) - pad, min(y1, y2) - pad, abs(x2 - x1) + 2 * pad, abs(y2 - y1) + 2 * pad)
            for (x1, y1), (x2, y2) in zip(samples, samples[1:], strict=False)]


def _label_box(label: str, samples: list[tuple[float, float]], obstacles: list[_Rect],
               lines: list[_Rect] = ()) -> _Rect:  # type: ignore[assignment]
    """Where the label goes: the point along the edge, nearest its middle, where it covers nothing else (cards
    and labels first, then other edges' lines)."""
    width, height = text_width(label, LABEL_SIZE) + 8, LABEL_SIZE + 4
    lengths = [0.0]
    for (x1, y1), (x2, y2) in zip(samples, samples[1:], strict=False):
        lengths.append(lengths[-1] + math.hypot(x2 - x1, y2 - y1))
    best: tuple[float, _Rect] | None = None
    for fraction in (0.5, 0.42, 0.58, 0.34, 0.66, 0.26, 0.74, 0.18, 0.82, 0.12, 0.88, 0.06, 0.94):
        at = lengths[-1] * fraction
        index = min(range(len(lengths)), key=lambda i: abs(lengths[i] - at))
        x, y = samples[index]
        for shift in (0.0, width / 2 + 6, -width / 2 - 6):  # on the line, or just beside it
            rect = (x + shift - width / 2, y - height / 2, width, height)
            crossed = sum(1 for line in lines if _overlap(rect, line) > 0)
            cost = (sum(_overlap(rect, other) for other in obstacles) + crossed * 2.0 + abs(shift) * 0.01
                    + abs(fraction - 0.5))
            if best is None or cost < best[0]:
                best = (cost, rect)
        if best and best[0] < 1.0:
            break
    assert best is not None
    return best[1]


def _label(label: str, rect: _Rect, colour: str) -> str:
    x, y, w, h = rect
    return (
        f'<text x="{num(x + w / 2)}" y="{num(y + h / 2 + LABEL_SIZE * 0.35)}" text-anchor="middle" '
        f'font-size="{num(LABEL_SIZE)}" fill="{colour}" stroke="{PAPER}" stroke-width="3.5" paint-order="stroke" '
        f'class="edge-label">{esc(label)}</text>'
    )
