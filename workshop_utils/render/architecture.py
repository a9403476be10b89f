"""Draw a stack's wiring (workshop_utils.wiring.Wiring) as an SVG: exactly its edges, each labelled."""

from __future__ import annotations

from workshop_utils.render._common import FONT, INK, LINE, MUTED, PAPER, esc, num, text_width, truncate
from workshop_utils.render._graph_layout import LabelSpot, Layout, Rect, Route, grow, layout, place_label
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
LABEL_LINE = LABEL_SIZE * 1.2
ARROW = 7.0
STROKE = 1.5
LINE_CLEARANCE = 2.0  # between a label's box and any other edge's line (the line's own half-width included)
CARD_MARGIN = 3.0  # between a label's box and a card
LABEL_MARGIN = 2.0  # between two labels' boxes
GROW_STEP = 16.0  # room added to a band of rows where a label found no free spot
GROW_TRIES = 4

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


def architecture_svg(wiring: Wiring) -> str:
    """The wiring top to bottom in flow order: one card per node, one labelled arrow per edge, nothing else."""
    placed, lanes, paths, spots = _arranged(wiring)
    links, labels = [], []
    for edge, route, (path, _points), spot in zip(wiring.edges, placed.routes, paths, spots, strict=True):
        colour, dash = EDGE_STYLES.get(edge.kind, _FALLBACK_STYLE)
        links.append(
            f'<g class="link" data-kind="{esc(edge.kind)}" data-source="{esc(edge.source)}" '
            f'data-target="{esc(edge.target)}"><title>{esc(_edge_title(wiring, edge.source, edge.target))}: '
            f'{esc(edge.label)}</title><path d="{path}" fill="none" stroke="{colour}" stroke-width="{num(STROKE)}"'
            f'{f" stroke-dasharray={chr(34)}{dash}{chr(34)}" if dash else ""}/>{_arrow(route, colour)}'
            f"{_label(_label_shapes(edge.label)[spot.shape], spot.rect, colour)}</g>"
        )
        labels.append(spot.rect)
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


_Path = tuple[str, list[tuple[float, float]]]  # an edge's SVG path, and points along it


def _arranged(wiring: Wiring) -> tuple[Layout, list[Rect], list[_Path], list[LabelSpot]]:
    """The layout, its Parallel lanes, the edges' paths and their labels' spots. Where a label finds no free spot,
    the band of rows it sits in grows a little and all is placed again: lines converging on a card leave a label
    room only if they converge less steeply."""
    sizes = {node.key: (CARD_W, CARD_H) for node in wiring.nodes}
    lane_room = {e.target: LANE_HEADER + LANE_PAD for e in wiring.edges if e.kind == BRANCH}
    more: dict[int, float] = {}  # per layer: room added above it
    layer_of: dict[str, int] = {}
    for attempt in range(GROW_TRIES + 1):
        room = {key: lane_room.get(key, 0.0) + more.get(layer_of.get(key, -1), 0.0) for key in sizes}
        placed = layout(sizes, [(e.source, e.target) for e in wiring.edges], row_gap=ROW_GAP, col_gap=COL_GAP,
                        bend_width=BEND_W, space_above=room)
        layer_of = {key: box.layer for key, box in placed.boxes.items()}
        lanes = _parallel_lanes(wiring, placed)
        paths = [_path(route) for route in placed.routes]
        spots = _label_spots(wiring, placed, lanes, paths)
        tops = {box.layer: box.y for box in placed.boxes.values()}
        # Per stuck label, the band it sits in: the one above the first row below the label's middle.
        bands = [min(below) for _x, y, _w, h in (spot.rect for spot in spots if spot.blocked)
                 if (below := [layer for layer, top in tops.items() if top > y + h / 2])]
        if not bands or attempt == GROW_TRIES:
            break
        for band in bands:
            more[band] = more.get(band, 0.0) + GROW_STEP
    return placed, lanes, paths, spots


def _label_spots(wiring: Wiring, placed: Layout, lanes: list[Rect], paths: list[_Path]) -> list[LabelSpot]:
    """Each edge's label spot, in the edges' order (the labels placed before it are in the way too)."""
    # What a label must not cover: cards (with a margin, so it does not touch them), lane headers, arrowheads.
    obstacles: list[Rect] = [grow((b.x, b.y, b.width, b.height), CARD_MARGIN) for b in placed.boxes.values()]
    obstacles += [(x, y, text_width("Parallel", 11) + 8, LANE_HEADER) for x, y, _w, _h in lanes]
    obstacles += [_arrow_box(route) for route in placed.routes]
    # A lane's border is a line too: a label across it would look half in, half out.
    borders = [[(x, y), (x + w, y), (x + w, y + h), (x, y + h), (x, y)] for x, y, w, h in lanes]
    spots = []
    for index, edge in enumerate(wiring.edges):
        others = [points for number, (_d, points) in enumerate(paths) if number != index] + borders
        sizes = [_label_size(lines) for lines in _label_shapes(edge.label)]
        spot = place_label(sizes, paths[index][1], others, obstacles, clearance=LINE_CLEARANCE)
        obstacles.append(grow(spot.rect, LABEL_MARGIN))
        spots.append(spot)
    return spots


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


def _parallel_lanes(wiring: Wiring, placed: Layout) -> list[Rect]:
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


def _lane(rect: Rect) -> str:
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
        for i in range(1, 25):
            t = i / 24
            samples.append(_bezier((x1, y1), c1, c2, (x2, y2), t))
    return " ".join(d), samples


def _bezier(p0, p1, p2, p3, t: float) -> tuple[float, float]:
    u = 1 - t
    return (
        u**3 * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t**3 * p3[0],
        u**3 * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t**3 * p3[1],
    )


def _arrow_box(route: Route) -> Rect:
    """The bounds of the edge's arrowhead (see _arrow)."""
    x, y = route.points[0] if route.reversed else route.points[-1]
    return x - 4.5, (y if route.reversed else y - ARROW), 9.0, ARROW


def _arrow(route: Route, colour: str) -> str:
    tip = route.points[0] if route.reversed else route.points[-1]
    direction = -1.0 if route.reversed else 1.0  # the routes arrive vertically: down, or up when reversed
    x, y = tip
    base = y - direction * ARROW
    return (f'<polygon points="{num(x - 4.5)},{num(base)} {num(x + 4.5)},{num(base)} {num(x)},{num(y)}" '
            f'fill="{colour}"/>')


def _label_shapes(label: str) -> list[list[str]]:
    """The label on one line, then (where it has room for nothing that long) on two about as wide as each other."""
    words = label.split(" ")
    if len(words) < 2:
        return [[label]]
    splits = sorted(([" ".join(words[:i]), " ".join(words[i:])] for i in range(1, len(words))),
                    key=lambda lines: max(text_width(line, LABEL_SIZE) for line in lines))
    narrowest = max(text_width(line, LABEL_SIZE) for line in splits[0])
    # A break after a comma or a colon reads better, if it is not much wider than the narrowest break.
    after = [lines for lines in splits if lines[0][-1] in ",:"
             and max(text_width(line, LABEL_SIZE) for line in lines) <= narrowest * 1.25]
    return [[label], (after or splits)[0]]


def _label_size(lines: list[str]) -> tuple[float, float]:
    return max(text_width(line, LABEL_SIZE) for line in lines) + 8, len(lines) * LABEL_LINE + 4


def _label(lines: list[str], rect: Rect, colour: str) -> str:
    x, y, w, h = rect
    centre, first = num(x + w / 2), y + 2 + LABEL_SIZE * 0.85
    text = esc(lines[0]) if len(lines) == 1 else "".join(
        f'<tspan x="{centre}" y="{num(first + i * LABEL_LINE)}">{esc(line)}</tspan>' for i, line in enumerate(lines))
    return (
        f'<rect class="edge-label-box" x="{num(x)}" y="{num(y)}" width="{num(w)}" height="{num(h)}" rx="3" '
        f'fill="{PAPER}"/><text x="{centre}" y="{num(first)}" text-anchor="middle" '
        f'font-size="{num(LABEL_SIZE)}" fill="{colour}" stroke="{PAPER}" stroke-width="3.5" paint-order="stroke" '
        f'class="edge-label">{text}</text>'
    )
