"""Draw a deployed stack's architecture (describe_stack_resources()["StackResources"]) as an SVG diagram."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from workshop_utils.render._common import FONT, INK, LINE, MUTED, PAPER, esc, num, text_width, truncate

CARD_W = 180.0
CARD_H = 54.0
ROW_GAP = 46.0
COL_GAP = 16.0
SIDE_GAP = 64.0
MARGIN = 20.0
TITLE_H = 34.0
FRAME_PAD = 14.0
FRAME_HEADER = 40.0
LANE_HEADER = 22.0
PILL_W = 132.0
PILL_H = 26.0

# (icon colour, icon text) per service; simple shapes, no images.
SERVICES = {
    "lambda": ("#ed7100", "λ"),
    "sns": ("#e7157b", "SNS"),
    "sqs": ("#8c4fff", "SQS"),
    "sfn": ("#c925d1", "SFN"),
    "dynamodb": ("#2e73b8", "DDB"),
}
ROLE_TITLES = {
    "requester": "Requester", "responder": "Responder", "aggregator": "Aggregator", "function": "Function",
    "topic": "Topic", "queue": "Queue", "dlq": "DLQ", "state-machine": "State machine", "table": "Table",
}
_CDK_HASH = re.compile(r"[0-9A-F]{8}$")
_NAME_SUFFIXES = ("Function", "Func", "Fn", "Lambda", "Handler")
_NAME_PREFIXES = ("Function", "Lambda", "Handler")
_CDK_INTERNAL = ("LogRetention", "AWS679f53fac", "Custom", "CDK", "BucketNotificationsHandler", "SingletonLambda")


@dataclass
class Resource:
    """A deployed resource the diagram shows, with its position once laid out."""

    role: str
    service: str
    logical_id: str
    physical_id: str
    vendor: str = ""
    x: float = 0.0
    y: float = 0.0
    width: float = CARD_W
    height: float = CARD_H

    @property
    def title(self) -> str:
        base = ROLE_TITLES[self.role]
        return f"{base} · {self.vendor}" if self.vendor else base


@dataclass
class _Box:
    """A frame (the state machine, its Parallel state) or a pill (how the flow starts or ends)."""

    kind: str  # "frame", "lane" or "pill"
    label: str
    x: float = 0.0
    y: float = 0.0
    width: float = PILL_W
    height: float = PILL_H
    resource: Resource | None = None


_Item = Resource | _Box


@dataclass
class _Diagram:
    nodes: list[Resource] = field(default_factory=list)
    boxes: list[_Box] = field(default_factory=list)
    edges: list[tuple[_Item, _Item, str, str]] = field(default_factory=list)  # from, to, label, "down"/"side"

    @property
    def width(self) -> float:
        return max([n.x + n.width for n in self.nodes] + [b.x + b.width for b in self.boxes] + [0.0])

    @property
    def height(self) -> float:
        return max([n.y + n.height for n in self.nodes] + [b.y + b.height for b in self.boxes] + [0.0])


def vendor_from(logical_id: str, physical_id: str = "") -> str:
    """The vendor in a responder's logical id: "ResponderAvisFunction1A2B3C4D" -> "Avis" ("" if none found)."""
    return _vendor_in(logical_id, physical=False) or _vendor_in(short_name(physical_id), physical=True)


def _vendor_in(text: str, *, physical: bool) -> str:
    match = re.search(r"responder", text, re.IGNORECASE)
    if not match:
        return ""
    before, rest = text[: match.start()], text[match.end():]
    if len(rest) > 1 and rest[0] == "s" and rest[1].isupper():  # "RespondersAvis...": a construct group
        rest = rest[1:]
    if physical:  # "Stack-ResponderAvisFunction1A2B-AbCdEf12": CloudFormation cuts and suffixes names
        rest = re.split(r"Function|Lambda|Handler|-", rest)[0]
    rest = _strip_words(re.sub("responder", "", rest, flags=re.IGNORECASE))
    return rest or _strip_words(before.rsplit("-", 1)[-1])


def _strip_words(text: str) -> str:
    """Drop CDK hash suffixes and words like Function/Lambda at either end."""
    previous = None
    while previous != text:
        previous = text
        text = _CDK_HASH.sub("", text).strip("-_")
        for word in _NAME_SUFFIXES:
            if text.endswith(word):
                text = text[: -len(word)]
            if word in _NAME_PREFIXES and text.startswith(word):
                text = text[len(word):]
    return text


def classify(resources: list[dict]) -> list[Resource]:
    """Keep the resources a learner cares about, each with its role; IAM, logs, permissions etc. are dropped."""
    found: list[Resource] = []
    for item in resources:
        kind = str(item.get("ResourceType", ""))
        logical = str(item.get("LogicalResourceId", ""))
        physical = str(item.get("PhysicalResourceId", "") or "")
        lowered = logical.lower()
        if kind == "AWS::Lambda::Function":
            if "responder" in lowered:
                found.append(Resource("responder", "lambda", logical, physical, vendor_from(logical, physical)))
            elif "requester" in lowered:
                found.append(Resource("requester", "lambda", logical, physical))
            elif "aggregator" in lowered:
                found.append(Resource("aggregator", "lambda", logical, physical))
            elif not logical.startswith(_CDK_INTERNAL):
                found.append(Resource("function", "lambda", logical, physical))
        elif kind == "AWS::SNS::Topic":
            found.append(Resource("topic", "sns", logical, physical))
        elif kind == "AWS::SQS::Queue":
            dead = "dlq" in lowered or "deadletter" in lowered
            found.append(Resource("dlq" if dead else "queue", "sqs", logical, physical))
        elif kind == "AWS::StepFunctions::StateMachine":
            found.append(Resource("state-machine", "sfn", logical, physical))
        elif kind == "AWS::DynamoDB::Table":
            found.append(Resource("table", "dynamodb", logical, physical))
    unnamed = 0
    for resource in found:
        if resource.role == "responder" and not resource.vendor:
            unnamed += 1
            resource.vendor = f"#{unnamed}"
    return found


def short_name(physical_id: str) -> str:
    """A readable name from an ARN, a queue URL or a generated name (never a whole URL)."""
    text = physical_id.rstrip("/")
    if "://" in text:
        text = text.rsplit("/", 1)[-1]
    if text.startswith("arn:"):
        text = re.split(r"[:/]", text)[-1]
    return text


def architecture_svg(resources: list[dict], stack_name: str) -> str:
    """Draw what a stack deployed, top to bottom: the SNS stack as requester -> topic -> responders -> queue
    -> aggregator; the Parallel stack as a state machine holding requester -> responders."""
    found = classify(resources)
    by_role: dict[str, list[Resource]] = {}
    for resource in found:
        by_role.setdefault(resource.role, []).append(resource)
    if not found:
        diagram = _Diagram()
    elif "state-machine" in by_role:
        diagram = _state_machine_layout(by_role)
    else:
        diagram = _messaging_layout(by_role)
    return _svg(diagram, stack_name, found)


def _row_width(row: list[Resource]) -> float:
    return len(row) * CARD_W + max(len(row) - 1, 0) * COL_GAP


def _place_row(row: list[Resource], axis: float, y: float) -> None:
    x = axis - _row_width(row) / 2
    for item in row:
        item.x, item.y = x, y
        x += CARD_W + COL_GAP


def _connect(diagram: _Diagram, upper: list[_Item], lower: list[_Item], label: str = "") -> None:
    """Every item of a row to every item of the next (fan-out, then fan-in); one label on the middle edge."""
    pairs = [(a, b) for a in upper for b in lower]
    for index, (a, b) in enumerate(pairs):
        diagram.edges.append((a, b, label if index == len(pairs) // 2 else "", "down"))


_LABELS = {
    ("requester", "topic"): "on success", ("topic", "responder"): "subscription",
    ("responder", "queue"): "on success", ("queue", "aggregator"): "batches",
    ("aggregator", "table"): "writes", ("requester", "responder"): "invoke",
}


def _messaging_layout(by_role: dict[str, list[Resource]]) -> _Diagram:
    """Requester -> topic -> responders -> queue -> aggregator (-> table), a DLQ beside its queue."""
    diagram = _Diagram()
    rows = [by_role[role] for role in ("requester", "topic", "responder", "queue", "aggregator", "table")
            if by_role.get(role)]
    axis = max([_row_width(row) for row in rows] + [PILL_W]) / 2
    entry = _Box("pill", "Invoke (async)" if rows and rows[0][0].role == "requester" else "Request",
                 axis - PILL_W / 2, 0.0)
    diagram.boxes.append(entry)
    y = PILL_H + ROW_GAP * 0.7
    previous: list[_Item] = [entry]
    for row in rows:
        _place_row(row, axis, y)
        diagram.nodes += row
        label = _LABELS.get((previous[0].role, row[0].role), "") if isinstance(previous[0], Resource) else ""
        _connect(diagram, previous, row, label)
        previous = list(row)
        y += CARD_H + ROW_GAP
    queues = by_role.get("queue", [])
    dlqs = by_role.get("dlq", [])
    if queues:
        x = queues[-1].x + CARD_W + SIDE_GAP
        for dlq in dlqs:
            dlq.x, dlq.y = x, queues[-1].y
            diagram.edges.append((queues[-1], dlq, "dead letters", "side"))
            diagram.nodes.append(dlq)
            x += CARD_W + COL_GAP
        dlqs = []
    _others(diagram, dlqs + by_role.get("function", []))
    return diagram


def _state_machine_layout(by_role: dict[str, list[Resource]]) -> _Diagram:
    """The state machine as a frame: requester, then a Parallel lane holding one responder per vendor."""
    diagram = _Diagram()
    machine = by_role["state-machine"][0]
    rows = {role: by_role.get(role, []) for role in ("requester", "responder", "aggregator")}
    inner_w = max(_row_width(rows["requester"]), _row_width(rows["responder"]) + 2 * FRAME_PAD,
                  _row_width(rows["aggregator"]), 240.0)
    label = f"State machine · {short_name(machine.physical_id) or machine.logical_id}"
    frame_w = max(inner_w + 2 * FRAME_PAD, text_width(truncate(label, 60), 12.5, bold=True) + 60)
    axis = frame_w / 2
    entry = _Box("pill", "StartExecution", axis - PILL_W / 2, 0.0)
    frame = _Box("frame", label, 0.0, PILL_H + ROW_GAP * 0.7, frame_w, 0.0, machine)
    diagram.boxes += [frame, entry]
    y = frame.y + FRAME_HEADER
    previous: list[_Item] = []
    if rows["requester"]:
        _place_row(rows["requester"], axis, y)
        previous = list(rows["requester"])
        y += CARD_H + ROW_GAP
    if rows["responder"]:
        lane_w = _row_width(rows["responder"]) + 2 * FRAME_PAD
        lane = _Box("lane", "Parallel", axis - lane_w / 2, y, lane_w, LANE_HEADER + CARD_H + FRAME_PAD)
        diagram.boxes.append(lane)
        _place_row(rows["responder"], axis, y + LANE_HEADER)
        _connect(diagram, previous, rows["responder"], "branches")
        previous = list(rows["responder"])
        y += lane.height + ROW_GAP
    if rows["aggregator"]:
        _place_row(rows["aggregator"], axis, y)
        _connect(diagram, previous, rows["aggregator"])
        y += CARD_H + ROW_GAP
    frame.height = max(y - ROW_GAP + FRAME_PAD, FRAME_HEADER + FRAME_PAD) - frame.y
    for role in ("requester", "responder", "aggregator"):
        diagram.nodes += rows[role]
    output = _Box("pill", "Output: quotes", axis - PILL_W / 2, frame.y + frame.height + ROW_GAP * 0.7)
    diagram.boxes.append(output)
    diagram.edges.insert(0, (entry, frame, "", "down"))
    diagram.edges.append((frame, output, "", "down"))
    _others(diagram, [r for role in ("topic", "queue", "dlq", "table", "function") for r in by_role.get(role, [])])
    return diagram


def _others(diagram: _Diagram, extras: list[Resource]) -> None:
    """Resources outside the main flow, in a row underneath."""
    x, y = 0.0, diagram.height + ROW_GAP
    for item in extras:
        item.x, item.y = x, y
        x += CARD_W + COL_GAP
        diagram.nodes.append(item)


def _svg(diagram: _Diagram, stack_name: str, found: list[Resource]) -> str:
    counts = []
    for role, title in ROLE_TITLES.items():
        count = sum(1 for r in found if r.role == role)
        if count:
            counts.append(f"{count} {title.lower()}{'s' if count != 1 else ''}")
    subtitle = ", ".join(counts) or "nothing to show: no Lambda, SNS, SQS, Step Functions or DynamoDB resources"
    title_w = text_width(stack_name, 14, bold=True)
    width = max(diagram.width, title_w + 12 + text_width(subtitle, 11)) + 2 * MARGIN
    height = diagram.height + 2 * MARGIN + TITLE_H
    offset = MARGIN + (width - 2 * MARGIN - diagram.width) / 2
    parts = [
        f'<rect class="background" x="0" y="0" width="{num(width)}" height="{num(height)}" rx="8" '
        f'fill="{PAPER}" stroke="{LINE}"/>',
        f'<text x="{num(MARGIN)}" y="{num(MARGIN + 8)}" font-size="14" font-weight="600" fill="{INK}">'
        f"{esc(stack_name)}</text>",
        f'<text x="{num(MARGIN + title_w + 12)}" y="{num(MARGIN + 8)}" font-size="11" fill="{MUTED}">'
        f"{esc(subtitle)}</text>",
        f'<g transform="translate({num(offset)},{num(MARGIN + TITLE_H)})">',
    ]
    parts += [_box(box) for box in diagram.boxes if box.kind != "pill"]
    parts += [_edge(a, b, label, how) for a, b, label, how in diagram.edges]
    parts += [_box(box) for box in diagram.boxes if box.kind == "pill"]
    parts += [_card(node, stack_name) for node in diagram.nodes]
    parts.append("</g>")
    return (
        f'<svg class="architecture" data-stack="{esc(stack_name)}" width="{num(width)}" height="{num(height)}" '
        f'viewBox="0 0 {num(width)} {num(height)}" role="img" aria-label="Architecture of {esc(stack_name)}" '
        f'font-family="{esc(FONT)}" style="max-width:100%;height:auto;background:{PAPER}">{"".join(parts)}</svg>'
    )


def _icon(service: str, x: float, y: float, size: float) -> str:
    colour, glyph = SERVICES[service]
    font = size * (0.62 if len(glyph) == 1 else 0.34)
    return (
        f'<rect x="{num(x)}" y="{num(y)}" width="{num(size)}" height="{num(size)}" rx="{num(size * 0.2)}" '
        f'fill="{colour}"/><text x="{num(x + size / 2)}" y="{num(y + size / 2 + font * 0.36)}" '
        f'text-anchor="middle" font-size="{num(font)}" font-weight="700" fill="#ffffff">{esc(glyph)}</text>'
    )


def _card(node: Resource, stack_name: str) -> str:
    colour = SERVICES[node.service][0]
    name = short_name(node.physical_id) or node.logical_id
    if stack_name and name.startswith(f"{stack_name}-") and len(name) > len(stack_name) + 1:
        name = name[len(stack_name) + 1:]  # generated names repeat the stack name: show what differs
    vendor = f' data-vendor="{esc(node.vendor)}"' if node.vendor else ""
    dashed = ' stroke-dasharray="5 3"' if node.role == "dlq" else ""
    return (
        f'<g class="resource" data-role="{node.role}" data-logical-id="{esc(node.logical_id)}"{vendor}>'
        f"<title>{esc(node.title)}: {esc(node.logical_id)} ({esc(name)})</title>"
        f'<rect x="{num(node.x)}" y="{num(node.y)}" width="{num(CARD_W)}" height="{num(CARD_H)}" rx="8" '
        f'fill="{PAPER}" stroke="{colour}" stroke-width="1.6"{dashed}/>'
        f"{_icon(node.service, node.x + 9, node.y + 10, 34)}"
        f'<text x="{num(node.x + 52)}" y="{num(node.y + 23)}" font-size="12.5" font-weight="600" '
        f'fill="{INK}">{esc(truncate(node.title, 20))}</text>'
        f'<text x="{num(node.x + 52)}" y="{num(node.y + 40)}" font-size="10.5" fill="{MUTED}">'
        f"{esc(truncate(name, 21))}</text></g>"
    )


def _box(box: _Box) -> str:
    if box.kind == "pill":
        return (
            f'<g class="pill"><rect x="{num(box.x)}" y="{num(box.y)}" width="{num(box.width)}" '
            f'height="{num(box.height)}" rx="{num(box.height / 2)}" fill="#eaeef2" stroke="#57606a"/>'
            f'<text x="{num(box.x + box.width / 2)}" y="{num(box.y + 17)}" text-anchor="middle" font-size="11.5" '
            f'font-weight="600" fill="{INK}">{esc(box.label)}</text></g>'
        )
    if box.kind == "lane":
        return (
            f'<g class="parallel-lane"><rect x="{num(box.x)}" y="{num(box.y)}" width="{num(box.width)}" '
            f'height="{num(box.height)}" rx="8" fill="#f6f8fa" stroke="{LINE}" stroke-dasharray="4 3"/>'
            f'<text x="{num(box.x + 8)}" y="{num(box.y + 15)}" font-size="11" fill="{MUTED}">'
            f"{esc(box.label)}</text></g>"
        )
    node = box.resource
    assert node is not None
    colour = SERVICES["sfn"][0]
    return (
        f'<g class="resource state-machine-frame" data-role="state-machine" data-logical-id="{esc(node.logical_id)}">'
        f"<title>{esc(node.logical_id)} ({esc(short_name(node.physical_id))})</title>"
        f'<rect x="{num(box.x)}" y="{num(box.y)}" width="{num(box.width)}" height="{num(box.height)}" '
        f'rx="10" fill="#fdf4ff" stroke="{colour}" stroke-width="1.6"/>'
        f"{_icon('sfn', box.x + 10, box.y + 9, 22)}"
        f'<text x="{num(box.x + 40)}" y="{num(box.y + 24)}" font-size="12.5" font-weight="600" '
        f'fill="{INK}">{esc(truncate(box.label, 60))}</text></g>'
    )


def _edge(a: _Item, b: _Item, label: str, how: str) -> str:
    colour = "#6e7781"
    if how == "side":
        x1, y1, x2, y2 = a.x + a.width, a.y + a.height / 2, b.x, b.y + b.height / 2
        d = f"M{num(x1)},{num(y1)} L{num(x2 - 7)},{num(y2)}"
        arrow = f"{num(x2 - 8)},{num(y2 - 4.5)} {num(x2 - 8)},{num(y2 + 4.5)} {num(x2)},{num(y2)}"
        label_at, anchor, dashed = ((x1 + x2) / 2, y1 - 6), "middle", ' stroke-dasharray="5 3"'
    else:
        x1, y1, x2, y2 = a.x + a.width / 2, a.y + a.height, b.x + b.width / 2, b.y
        mid = (y2 - y1) / 2
        d = f"M{num(x1)},{num(y1)} C{num(x1)},{num(y1 + mid)} {num(x2)},{num(y2 - mid)} {num(x2)},{num(y2 - 7)}"
        arrow = f"{num(x2 - 4.5)},{num(y2 - 8)} {num(x2 + 4.5)},{num(y2 - 8)} {num(x2)},{num(y2)}"
        label_at, anchor, dashed = ((x1 + x2) / 2 + 6, (y1 + y2) / 2 + 4), "start", ""
    text = ""
    if label:
        text = (
            f'<text x="{num(label_at[0])}" y="{num(label_at[1])}" text-anchor="{anchor}" font-size="10.5" '
            f'fill="{MUTED}" stroke="{PAPER}" stroke-width="3" paint-order="stroke">{esc(label)}</text>'
        )
    return (
        f'<g class="link"><path d="{d}" fill="none" stroke="{colour}" stroke-width="1.4"{dashed}/>'
        f'<polygon points="{arrow}" fill="{colour}"/>{text}</g>'
    )
