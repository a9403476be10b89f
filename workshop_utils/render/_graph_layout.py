"""Layered layout of a small directed graph (layers by longest path, order by barycentres, long edges bent),
and a free spot for each edge's label."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import NamedTuple

_SWEEPS = 8
Point = tuple[float, float]
Rect = tuple[float, float, float, float]  # x, y, width, height


@dataclass
class Box:
    """A node's place: top-left corner, size and layer."""

    key: str
    width: float
    height: float
    layer: int = 0
    x: float = 0.0
    y: float = 0.0
    virtual: bool = False

    @property
    def centre(self) -> float:
        return self.x + self.width / 2


@dataclass
class Route:
    """An edge's path: from a port on the source's bottom, down through its bends, to a port on the target's top.

    `reversed` is set when the edge goes against the flow (a cycle): its points then run from target to source.
    """

    index: int
    source: str
    target: str
    points: list[tuple[float, float]] = field(default_factory=list)
    reversed: bool = False


@dataclass
class Layout:
    boxes: dict[str, Box]
    routes: list[Route]
    layers: list[list[str]]

    @property
    def width(self) -> float:
        return max([b.x + b.width for b in self.boxes.values()] + [0.0])

    @property
    def height(self) -> float:
        return max([b.y + b.height for b in self.boxes.values()] + [0.0])


def layout(
    sizes: dict[str, tuple[float, float]],
    edges: list[tuple[str, str]],
    *,
    row_gap: float,
    col_gap: float,
    bend_width: float,
    space_above: dict[str, float] | None = None,
) -> Layout:
    """Place nodes (in `sizes` order, which breaks ties) and route `edges` between them, top to bottom.

    `space_above` asks for more room above a node's layer (e.g. for a frame drawn around it).
    """
    order = list(sizes)
    forward, flipped = _acyclic(order, [(a, b) for a, b in edges if a != b and a in sizes and b in sizes])
    layer_of = _layers(order, forward)
    boxes = {key: Box(key, *sizes[key], layer=layer_of[key]) for key in order}
    chains: list[list[str]] = []  # per edge: source, bends..., target (in layout direction)
    for index, (a, b) in enumerate(forward):
        chain = [a]
        for layer in range(layer_of[a] + 1, layer_of[b]):
            bend = f"\x00bend{index}.{layer}"
            boxes[bend] = Box(bend, bend_width, 0.0, layer=layer, virtual=True)
            chain.append(bend)
        chains.append(chain + [b])
    layers = _order(boxes, chains, order)
    _place(boxes, layers, chains, row_gap=row_gap, col_gap=col_gap, space_above=space_above or {})
    routes = _routes(boxes, chains, forward, flipped)
    return Layout({k: b for k, b in boxes.items() if not b.virtual}, routes, layers)


def _acyclic(order: list[str], edges: list[tuple[str, str]]) -> tuple[list[tuple[str, str]], set[int]]:
    """The edges with those closing a cycle turned around (their indexes in `flipped`)."""
    succ: dict[str, list[str]] = {key: [] for key in order}
    for a, b in edges:
        succ[a].append(b)
    state: dict[str, int] = {}
    back: set[tuple[str, str]] = set()
    for root in order:
        if root in state:
            continue
        stack = [(root, iter(succ[root]))]
        state[root] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                stack.pop()
            elif state.get(child) == 1:
                back.add((node, child))
            elif child not in state:
                state[child] = 1
                stack.append((child, iter(succ[child])))
    flipped = {i for i, edge in enumerate(edges) if edge in back}
    return [(b, a) if i in flipped else (a, b) for i, (a, b) in enumerate(edges)], flipped


def _layers(order: list[str], edges: list[tuple[str, str]]) -> dict[str, int]:
    """Each node one layer below its lowest predecessor (longest path from a source)."""
    layer = dict.fromkeys(order, 0)
    for _ in order:  # at most len(order) relaxations in a DAG
        changed = False
        for a, b in edges:
            if layer[b] < layer[a] + 1:
                layer[b], changed = layer[a] + 1, True
        if not changed:
            break
    return layer


def _neighbours(chains: list[list[str]]) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    up: dict[str, list[str]] = {}
    down: dict[str, list[str]] = {}
    for chain in chains:
        for a, b in zip(chain, chain[1:], strict=False):
            down.setdefault(a, []).append(b)
            up.setdefault(b, []).append(a)
    return up, down


def _order(boxes: dict[str, Box], chains: list[list[str]], order: list[str]) -> list[list[str]]:
    """Nodes of each layer left to right, fewest crossings found by barycentre sweeps."""
    rank = {key: float(i) for i, key in enumerate(order)}
    for chain in chains:
        for bend in chain[1:-1]:
            rank[bend] = rank[chain[0]] + 0.5
    count = max(box.layer for box in boxes.values()) + 1 if boxes else 0
    layers = [sorted((k for k, b in boxes.items() if b.layer == i), key=rank.__getitem__) for i in range(count)]
    up, down = _neighbours(chains)
    best, best_crossings = [list(layer) for layer in layers], _crossings(layers, down)
    for sweep in range(_SWEEPS):
        downward = sweep % 2 == 0
        indexes = range(1, count) if downward else range(count - 2, -1, -1)
        for i in indexes:
            ref = layers[i - 1] if downward else layers[i + 1]
            position = {key: p for p, key in enumerate(ref)}
            near = up if downward else down
            current = {key: p for p, key in enumerate(layers[i])}

            def barycentre(key: str, near=near, position=position, current=current) -> float:
                found = [position[n] for n in near.get(key, []) if n in position]
                return sum(found) / len(found) if found else current[key]

            layers[i] = sorted(layers[i], key=lambda key, f=barycentre, c=current: (f(key), c[key]))
        crossings = _crossings(layers, down)
        if crossings < best_crossings:
            best, best_crossings = [list(layer) for layer in layers], crossings
    return best


def _crossings(layers: list[list[str]], down: dict[str, list[str]]) -> int:
    total = 0
    for upper, lower in zip(layers, layers[1:], strict=False):
        pos_u = {k: i for i, k in enumerate(upper)}
        pos_l = {k: i for i, k in enumerate(lower)}
        pairs = [(pos_u[a], pos_l[b]) for a in upper for b in down.get(a, []) if b in pos_l]
        total += sum(1 for i, p in enumerate(pairs) for q in pairs[i + 1:] if (p[0] - q[0]) * (p[1] - q[1]) < 0)
    return total


def _place(boxes: dict[str, Box], layers: list[list[str]], chains: list[list[str]], *,
           row_gap: float, col_gap: float, space_above: dict[str, float]) -> None:
    """y by layer; x by repeatedly centring each node over its neighbours without overlapping (isotonic fit)."""
    y = 0.0
    for layer in layers:
        y += max([space_above.get(key, 0.0) for key in layer] + [0.0])
        height = max([boxes[k].height for k in layer if not boxes[k].virtual] + [0.0])
        for key in layer:
            boxes[key].y = y
            if boxes[key].virtual:
                boxes[key].height = height
        y += height + row_gap
    for layer in layers:
        _fit(boxes, layer, [0.0] * len(layer), col_gap)
    up, down = _neighbours(chains)
    for sweep in range(_SWEEPS):
        downward = sweep % 2 == 0
        for layer in layers if downward else reversed(layers):
            near = up if downward else down
            wanted = []
            for key in layer:
                centres = [boxes[n].centre for n in near.get(key, [])]
                wanted.append(sum(centres) / len(centres) if centres else boxes[key].centre)
            _fit(boxes, layer, wanted, col_gap)
    left = min([b.x for b in boxes.values()] + [0.0])
    for box in boxes.values():
        box.x -= left


def _fit(boxes: dict[str, Box], layer: list[str], wanted: list[float], gap: float) -> None:
    """Centres as close as possible (least squares) to `wanted`, in order, `gap` apart: pool adjacent violators."""
    offsets, total = [], 0.0
    for i, key in enumerate(layer):
        if i:
            total += (boxes[layer[i - 1]].width + boxes[key].width) / 2 + gap
        offsets.append(total)
    blocks: list[list[float]] = []  # [mean, weight, count]
    for target, offset in zip(wanted, offsets, strict=True):
        blocks.append([target - offset, 1.0, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            mean, weight, count = blocks.pop()
            previous = blocks[-1]
            previous[0] = (previous[0] * previous[1] + mean * weight) / (previous[1] + weight)
            previous[1] += weight
            previous[2] += count
    values = [block[0] for block in blocks for _ in range(block[2])]
    for key, value, offset in zip(layer, values, offsets, strict=True):
        boxes[key].x = value + offset - boxes[key].width / 2


def _routes(boxes: dict[str, Box], chains: list[list[str]], forward: list[tuple[str, str]],
            flipped: set[int]) -> list[Route]:
    routes = []
    for index, chain in enumerate(chains):
        points = []
        for bend in chain[1:-1]:
            box = boxes[bend]
            points += [(box.centre, box.y), (box.centre, box.y + box.height)]
        source, target = forward[index]
        route = Route(index, source, target, points, reversed=index in flipped)
        if route.reversed:
            route.source, route.target = target, source
        routes.append(route)
    _ports(boxes, routes)
    return routes


def _ports(boxes: dict[str, Box], routes: list[Route]) -> None:
    """Spread the edges leaving (entering) a node along its bottom (top), in the order of where they go."""
    leaving: dict[str, list[tuple[float, Route]]] = {}
    entering: dict[str, list[tuple[float, Route]]] = {}
    for route in routes:
        top, bottom = (route.target, route.source) if route.reversed else (route.source, route.target)
        first = route.points[0][0] if route.points else boxes[bottom].centre
        last = route.points[-1][0] if route.points else boxes[top].centre
        leaving.setdefault(top, []).append((first, route))
        entering.setdefault(bottom, []).append((last, route))
    starts: dict[int, float] = {}
    ends: dict[int, float] = {}
    for spread, found in ((starts, leaving), (ends, entering)):
        for key, items in found.items():
            box = boxes[key]
            items.sort(key=lambda item: (item[0], item[1].index))
            step = min(22.0, box.width * 0.7 / max(len(items), 1))
            for i, (_x, route) in enumerate(items):
                spread[route.index] = box.centre + (i - (len(items) - 1) / 2) * step
    for route in routes:
        top, bottom = (route.target, route.source) if route.reversed else (route.source, route.target)
        start = (starts[route.index], boxes[top].y + boxes[top].height)
        end = (ends[route.index], boxes[bottom].y)
        route.points = [start, *route.points, end]


# ---------------------------------------------------------------- edge labels


def overlaps(a: Rect, b: Rect) -> bool:
    """Whether two rectangles share some area (touching edges do not count)."""
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def grow(rect: Rect, by: float) -> Rect:
    """The rectangle with `by` more room on every side."""
    return rect[0] - by, rect[1] - by, rect[2] + 2 * by, rect[3] + 2 * by


def meets(rect: Rect, a: Point, b: Point) -> bool:
    """Whether the segment a-b passes through the rectangle (Liang-Barsky clipping)."""
    x, y, w, h = rect
    dx, dy = b[0] - a[0], b[1] - a[1]
    low, high = 0.0, 1.0
    for p, q in ((-dx, a[0] - x), (dx, x + w - a[0]), (-dy, a[1] - y), (dy, y + h - a[1])):
        if p == 0:
            if q < 0:
                return False
            continue
        t = q / p
        if p < 0:
            low = max(low, t)
        else:
            high = min(high, t)
        if low > high:
            return False
    return True


_Line = tuple[Rect, list[tuple[float, float, float, float, Point, Point]]]  # bounds; per segment, its bounds too


def _line(points: list[Point]) -> _Line:
    xs, ys = [x for x, _y in points], [y for _x, y in points]
    segments = [(min(a[0], b[0]), max(a[0], b[0]), min(a[1], b[1]), max(a[1], b[1]), a, b)
                for a, b in zip(points, points[1:], strict=False)]
    return (min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)), segments


def _crossed(rect: Rect, line: _Line) -> bool:
    (bx, by, bw, bh), segments = line
    x, y, w, h = rect
    # Touching bounds count: a straight line's bounds have no area.
    if x > bx + bw or bx > x + w or y > by + bh or by > y + h:
        return False
    return any(meets(rect, a, b) for left, right, top, bottom, a, b in segments
               if left <= x + w and x <= right and top <= y + h and y <= bottom)


def _along(points: list[Point]) -> list[float]:
    lengths = [0.0]
    for (x1, y1), (x2, y2) in zip(points, points[1:], strict=False):
        lengths.append(lengths[-1] + math.hypot(x2 - x1, y2 - y1))
    return lengths


def _point_at(points: list[Point], lengths: list[float], at: float) -> Point:
    for i in range(1, len(points)):
        if lengths[i] >= at and lengths[i] > lengths[i - 1]:
            t = (at - lengths[i - 1]) / (lengths[i] - lengths[i - 1])
            (x1, y1), (x2, y2) = points[i - 1], points[i]
            return x1 + (x2 - x1) * t, y1 + (y2 - y1) * t
    return points[-1]


class LabelSpot(NamedTuple):
    """Where a label goes, which of its shapes it takes, and how many lines and obstacles it covers there."""

    rect: Rect
    shape: int
    blocked: int


def place_label(sizes: list[tuple[float, float]], path: list[Point], others: list[list[Point]],
                obstacles: list[Rect], *, clearance: float, gap: float = 3.0) -> LabelSpot:
    """Where an edge's label goes, in one of its `sizes` (its shapes, the preferred first): on its own line or
    just beside it, as near its middle as it can, crossing no other line (kept `clearance` away), covering no
    obstacle (cards, arrowheads, labels already placed), with the fewest other lines close by (a label between two
    lines reads as either's). Where every spot covers something, the one that covers least."""
    if len(path) < 2:
        (width, height), (x, y) = sizes[0], path[0] if path else (0.0, 0.0)
        return LabelSpot((x - width / 2, y - height / 2, width, height), 0, 0)
    lines = [_line(points) for points in others if len(points) > 1]
    lengths = _along(path)
    candidates: list[tuple[float, int, Rect]] = []  # (the cost before looking at other lines, shape, where)
    for (shape, (width, height)), step in itertools.product(enumerate(sizes), range(4, 37)):
        fraction = step / 40
        x, y = _point_at(path, lengths, lengths[-1] * fraction)
        spots = [
            (0.0, (x - width / 2, y - height / 2)),  # on the line (the label's box hides it there)
            (0.5, (x - gap - width, y - height / 2)),  # left of it
            (0.5, (x + gap, y - height / 2)),  # right of it
            (0.7, (x - width / 2, y - gap - height)),  # above it
            (0.7, (x - width / 2, y + gap)),  # below it
        ]
        # Nearer the middle reads better; the preferred shape, and on the line, better still.
        candidates += [(shape + abs(fraction - 0.5) * 2 + beside, shape, (left, top, width, height))
                       for beside, (left, top) in spots]
    candidates.sort(key=lambda candidate: candidate[0])
    best: tuple[tuple[int, float], Rect, int] | None = None
    for base, shape, rect in candidates:
        if best is not None and best[0] <= (0, base):
            break  # the rest cost at least this much even with no line close by
        blocked = sum(1 for other in obstacles if overlaps(rect, other))
        blocked += sum(1 for line in lines if _crossed(grow(rect, clearance), line))
        if best is not None and blocked > best[0][0]:
            continue
        close = sum(1 for line in lines if _crossed(grow(rect, 3 * gap), line))
        cost = (blocked, base + close * 0.6)
        if best is None or cost < best[0]:
            best = (cost, rect, shape)
    assert best is not None
    return LabelSpot(best[1], best[2], best[0][0])
