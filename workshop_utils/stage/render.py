"""The stage's renderers: side panels, lanes on a shared axis, counters and the page's style; pure, no script."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from html import escape

from workshop_utils.stage.lanes import CAUGHT, DONE, FAILED, RUNNING, TIMED_OUT, Lane, Message
from workshop_utils.stage.slides import SLIDES_CSS

# Sizes are in em of a root font that is 20 px at 1280 px wide and grows with the page (1.5625vw), so the
# 1280x720 and 1920x1080 pages are the same picture, scaled; the SVGs scale with their column (viewBox).
# The four states' colours stay apart (CIEDE2000 above 20) for deuteranopia, protanopia and tritanopia too
# (tests/unit/test_stage_colours.py simulates them); each state also has its own pattern and word.
STATE_COLOURS = {
    "dark": {RUNNING: "#efe605", DONE: "#93d2ed", FAILED: "#de2817", CAUGHT: "#a43cd3"},
    "light": {RUNNING: "#9b8c11", DONE: "#134056", FAILED: "#912319", CAUGHT: "#aa11df"},
}
_THEMES = {
    "dark": {"bg": "#000", "fg": "#fff", "muted": "#d0d0d0", "panel": "#111", "line": "#666", "accent": "#6cb6ff",
             **STATE_COLOURS["dark"], TIMED_OUT: STATE_COLOURS["dark"][FAILED]},
    "light": {"bg": "#fff", "fg": "#000", "muted": "#333", "panel": "#f3f3f3", "line": "#777", "accent": "#0b57d0",
              **STATE_COLOURS["light"], TIMED_OUT: STATE_COLOURS["light"][FAILED]},
}
STATUS_WORDS = {RUNNING: "running", DONE: "done", FAILED: "failed", CAUGHT: "failed, caught", TIMED_OUT: "timed out"}
# The word drawn beside a lane (a done lane needs none: solid is done) and the pattern laid over its colour.
LANE_WORDS = {RUNNING: "running", FAILED: "✗ failed", CAUGHT: "caught", TIMED_OUT: "✗ timed out"}
LANE_PATTERNS = {FAILED: "hatch", TIMED_OUT: "hatch", CAUGHT: "dots", RUNNING: "stripes"}


def page_css() -> str:
    """The dashboard's style block: both themes, the projector sizes, and Voila's page made to fit."""
    themes = "\n".join(
        f".stage-root.stage-{name} {{" + "".join(f"--stage-{key}:{value};" for key, value in colours.items()) + "}"
        # Voila's shell paints its own panels (dark grey when the page is asked for ?theme=dark): paint them too.
        f"html:has(.stage-root.stage-{name}), body:has(.stage-root.stage-{name}), "
        f"body:has(.stage-root.stage-{name}) :is(.lm-BoxPanel, .lm-BoxPanel-child) "
        f"{{background:{colours['bg']} !important;}}"
        for name, colours in _THEMES.items()
    )
    return f"""<style>
{themes}
body:has(.stage-root) #rendered_cells, body:has(.stage-root) .jp-Cell {{padding:0 !important; margin:0 !important}}
body:has(.stage-root) .jp-RenderedMarkdown {{display:none}}
.stage-root {{font-size:max(20px, 1.5625vw); line-height:1.25; color:var(--stage-fg); background:var(--stage-bg);
  padding:0.3em 0.5em; box-sizing:border-box; width:100%; overflow:hidden;
  --jp-widgets-font-size:1em; --jp-widgets-inline-height:1.7em; --jp-widgets-inline-label-width:auto;
  --jp-widgets-color:var(--stage-fg); --jp-widgets-label-color:var(--stage-fg);
  --jp-widgets-input-color:var(--stage-fg); --jp-widgets-input-background-color:var(--stage-panel);
  --jp-widgets-input-border-color:var(--stage-line); --jp-ui-font-color1:var(--stage-fg)}}
.stage-root .widget-label, .stage-root .widget-html-content, .stage-root select, .stage-root input,
.stage-root button {{font-size:1em !important; color:var(--stage-fg)}}
.stage-root .widget-label {{min-width:0 !important; width:auto !important; padding-right:0.3em}}
.stage-root select, .stage-root input {{background:var(--stage-panel) !important}}
.stage-root .widget-button, .stage-root .widget-toggle-button {{height:1.7em; width:auto; padding:0 0.6em;
  background:var(--stage-panel); border:1px solid var(--stage-line)}}
.stage-root .widget-toggle-button.mod-active {{background:var(--stage-fg); color:var(--stage-bg)}}
.stage-root .stage-send {{background:var(--stage-accent) !important; color:var(--stage-bg) !important;
  font-weight:700}}
.stage-root .widget-inline-hbox, .stage-root .widget-dropdown, .stage-root .widget-text {{width:auto !important}}
.stage-root .widget-dropdown select {{width:auto}}
.stage-root .widget-text input {{width:3.2em}}
.stage-root .widget-upload {{width:auto !important; min-width:6.5em}}
.stage-bar {{display:flex; flex-wrap:wrap; align-items:center; gap:0.2em 0.6em; margin:0 0 0.15em}}
.stage-title {{font-weight:700; font-size:1.15em; margin:0}}
.stage-note {{margin:0.1em 0; min-height:1.3em; white-space:nowrap; overflow:hidden; text-overflow:ellipsis}}
.stage-bar > .widget-html:last-child {{flex:1 1 0; min-width:0}}
.stage-note.success, .stage-note.error {{white-space:normal}}
.stage-columns {{gap:0.8em}}
.stage-column {{flex:1 1 0; min-width:0}}
.stage-column > *, .stage-column .widget-html-content, .stage-side {{width:100%; flex:1 1 auto}}
.stage-side h2 {{font-size:1.2em; margin:0.1em 0 0}}
.stage-watch {{color:var(--stage-muted); margin:0}}
.stage-counters {{display:flex; gap:0.4em; margin:0.15em 0}}
.stage-counter {{flex:1; text-align:center; background:var(--stage-panel); border-radius:0.3em; padding:0.05em 0}}
.stage-counter b {{font-size:1.35em; line-height:1.1; margin-right:0.2em}}
.stage-status {{font-weight:700; margin:0.1em 0}}
.stage-status.done {{color:var(--stage-done)}} .stage-status.failed {{color:var(--stage-failed)}}
.stage-status.running {{color:var(--stage-fg)}} .stage-status.replay {{color:var(--stage-accent)}}
.stage-quotes {{display:flex; flex-wrap:wrap; gap:0.3em; margin:0.15em 0; min-height:1.5em}}
.stage-quote {{border:2px solid var(--stage-done); border-radius:0.3em; padding:0 0.4em}}
.stage-quote.missing {{border-color:var(--stage-failed)}}
.stage-quote.best {{font-weight:700}}
.stage-footnote {{color:var(--stage-muted); margin:0.2em 0 0}}
.stage-lanes {{width:100%; height:auto; display:block}}
.stage-legend {{white-space:nowrap; margin-right:0.4em}}
.stage-swatch {{display:inline-block; width:1.4em; height:0.8em; border-radius:0.15em; vertical-align:-0.05em;
  margin:0 0.2em 0 0.5em}}
.stage-swatch.hatch {{background-image:repeating-linear-gradient(45deg, transparent 0 4px,
  rgb(from var(--stage-bg) r g b / 0.55) 4px 7px)}}
.stage-swatch.dots {{background-image:radial-gradient(rgb(from var(--stage-bg) r g b / 0.55) 2px, transparent 2.5px);
  background-size:9px 9px}}
.stage-swatch.stripes {{background-image:repeating-linear-gradient(90deg, transparent 0 8px,
  rgb(from var(--stage-bg) r g b / 0.55) 8px 12px)}}
.stage-keys {{white-space:nowrap}}
{SLIDES_CSS}
</style>"""


def legend_html() -> str:
    """Each state's colour, pattern and word, as the lanes draw them."""
    return '<span class="stage-legend">' + "".join(
        f'<span class="stage-swatch {LANE_PATTERNS.get(status, "solid")}" style="background-color:'
        f'var(--stage-{status})"></span>{STATUS_WORDS[status]}'
        for status in (DONE, RUNNING, FAILED, CAUGHT)
    ) + "</span>"


@dataclass
class Counters:
    """One side's tally since the last reset: requests in flight, done (every quote), failed (not every quote)."""

    in_flight: int = 0
    done: int = 0
    failed: int = 0
    quotes: int = 0


def counters_html(counters: Counters) -> str:
    cells = (("in flight", counters.in_flight), ("done", counters.done), ("failed", counters.failed),
             ("quotes", counters.quotes))
    return '<div class="stage-counters">' + "".join(
        f'<div class="stage-counter" data-counter="{label.replace(" ", "-")}"><b>{value}</b>{label}</div>'
        for label, value in cells
    ) + "</div>"


def axis_end_ms(*ends: float) -> float:
    """A round axis end just past the latest time on either side (both sides share it)."""
    latest = max([100.0, *ends])
    step = 10 ** math.floor(math.log10(latest))
    for factor in (1, 2, 2.5, 5, 10):
        if latest * 1.05 <= factor * step:
            return factor * step
    return 10 * step


def _seconds(ms: float) -> str:
    return f"{ms / 1000:.1f} s" if ms >= 1000 else f"{ms:.0f} ms"


# The SVG's user units are pixels of a 1280-wide page's column, so 20 units are 20 px there and scale up with it.
_WIDTH, _LABEL_W, _ROW, _AXIS = 600, 215, 34, 30


def _patterns(key: str) -> str:
    """Each state's pattern over its colour, in the page's own colours (ids per side: one page, two SVGs)."""
    over = 'fill="var(--stage-bg, #fff)" fill-opacity="0.55"'
    return (f'<defs><pattern id="{key}-hatch" width="9" height="9" patternUnits="userSpaceOnUse" '
            f'patternTransform="rotate(45)"><rect width="3.5" height="9" {over}/></pattern>'
            f'<pattern id="{key}-dots" width="9" height="9" patternUnits="userSpaceOnUse">'
            f'<circle cx="4.5" cy="4.5" r="2" {over}/></pattern>'
            f'<pattern id="{key}-stripes" width="12" height="24" patternUnits="userSpaceOnUse">'
            f'<rect x="8" width="4" height="24" {over}/></pattern></defs>')


def _lane_svg(lane: Lane, y: float, x, key: str) -> str:
    """A lane's bar in its state's colour and pattern, with its state's word beside it (inside when no room)."""
    title = (f"<title>{escape(lane.label)}: {STATUS_WORDS[lane.status]}, {_seconds(lane.start_ms)} to "
             f"{_seconds(lane.end_ms)} after the click</title>")
    x0 = x(lane.start_ms)
    width = max(x(lane.end_ms) - x0, 4)
    parts = [f'<rect class="lane {lane.status}" data-lane="{escape(lane.label)}" x="{x0:.1f}" y="{y + 5}" '
             f'width="{width:.1f}" height="{_ROW - 10}" rx="4" fill="var(--stage-{lane.status}, #888)">{title}</rect>']
    if lane.status in LANE_PATTERNS:
        parts.append(f'<rect x="{x0:.1f}" y="{y + 5}" width="{width:.1f}" height="{_ROW - 10}" rx="4" '
                     f'fill="url(#{key}-{LANE_PATTERNS[lane.status]})" pointer-events="none"/>')
    word = LANE_WORDS.get(lane.status)
    if word:
        guess = 11 * len(word)  # about 11 units a character at 20 units
        after, before = x0 + width + 10, x0 - 10
        at, anchor = ((after, "start") if after + guess <= _WIDTH else
                      (before, "end") if before - guess >= _LABEL_W else (x0 + width - 4, "end"))
        parts.append(f'<text class="lane-word" data-word="{lane.status}" x="{at:.1f}" y="{y + 24}" '
                     f'text-anchor="{anchor}" fill="var(--stage-fg, #000)" stroke="var(--stage-bg, #fff)" '
                     f'stroke-width="5" paint-order="stroke">{escape(word)}</text>')
    return "".join(parts)


def lanes_svg(lanes: list[Lane], rows: list[str], *, axis_ms: float, now_ms: float | None = None,
              deadline_ms: float | None = None, messages: list[Message] | None = None, key: str = "side") -> str:
    """One row per label in `rows` (always drawn, so the picture does not jump), each lane a bar from the
    click (0) on the shared axis; each message an arrow from its sender's row to its receiver's; a "now" line
    while running, and the SNS deadline when it is on the axis. A lane that starts beyond the axis (the
    deadline waking the aggregator after the request was answered) is named at the row's end, over the arrows."""
    rows = rows + [lane.label for lane in lanes if lane.label not in rows]
    height = _ROW * len(rows) + _AXIS
    span = _WIDTH - _LABEL_W - 35  # room on the right for the last tick's label, centred on its tick

    def x(ms: float) -> float:
        return _LABEL_W + span * min(max(ms, 0.0), axis_ms) / axis_ms

    parts = [f'<svg class="stage-lanes" viewBox="0 0 {_WIDTH} {height}" width="100%" '
             f'xmlns="http://www.w3.org/2000/svg" role="img" font-size="20" font-family="sans-serif">',
             _patterns(key)]
    beyond = []
    if deadline_ms is not None and deadline_ms <= axis_ms:  # under the lanes and their words
        parts.append(f'<line x1="{x(deadline_ms):.1f}" x2="{x(deadline_ms):.1f}" y1="0" y2="{_ROW * len(rows)}" '
                     f'stroke="var(--stage-failed, #b3261e)" stroke-width="3" stroke-dasharray="8 5"/>')
    for index, label in enumerate(rows):
        y = index * _ROW
        parts.append(f'<text x="0" y="{y + 24}" fill="var(--stage-fg, #000)">{escape(label)}</text>')
        parts.append(f'<line x1="{_LABEL_W}" x2="{_LABEL_W + span}" y1="{y + 17}" y2="{y + 17}" '
                     f'stroke="var(--stage-line, #777)" stroke-width="1" stroke-dasharray="2 4"/>')
        for lane in (lane for lane in lanes if lane.label == label):
            if lane.start_ms > axis_ms:
                title = f"<title>{escape(label)}: {STATUS_WORDS[lane.status]}, at {_seconds(lane.start_ms)}</title>"
                beyond.append(f'<text class="lane beyond {lane.status}" data-lane="{escape(label)}" x="{_WIDTH}" '
                              f'y="{y + 24}" text-anchor="end" fill="var(--stage-fg, #000)" '
                              # Painted over the message that ends there, on a band of the page's colour.
                              f'stroke="var(--stage-bg, #fff)" stroke-width="8" paint-order="stroke">'
                              f"at {_seconds(lane.start_ms)} ▸{title}</text>")
            else:
                parts.append(_lane_svg(lane, y, x, key))
    centre = {label: index * _ROW + 17 for index, label in enumerate(rows)}
    until = now_ms if now_ms is not None else axis_ms
    parts += [_message_svg(message, x, centre, until) for message in messages or []
              if message.sender in centre and message.receiver in centre]
    parts += beyond
    base = _ROW * len(rows)
    # Round steps: an axis of 2 x 10^k in 4 steps of 0.5, of 1, 2.5 or 5 x 10^k in 5 steps.
    steps = 4 if f"{axis_ms:e}".startswith("2.0") else 5
    for tick in range(steps + 1):
        ms = axis_ms * tick / steps
        anchor = "start" if tick == 0 else "middle"
        parts.append(f'<text x="{x(ms):.1f}" y="{base + 24}" text-anchor="{anchor}" '
                     f'fill="var(--stage-muted, #333)">{ms / 1000:g} s</text>')
    if now_ms is not None:
        parts.append(f'<line class="now" x1="{x(now_ms):.1f}" x2="{x(now_ms):.1f}" y1="0" y2="{base}" '
                     f'stroke="var(--stage-accent, #0b57d0)" stroke-width="2"/>')
    parts.append("</svg>")
    return "".join(parts)


def _message_svg(message: Message, x, centre: dict[str, float], until_ms: float) -> str:
    """A message from (sent, sender's row) to (received, receiver's row). SNS pushes: a straight arrow. A queue
    holds: the arrow drops to the receiver's row when sent and waits along it until received (to the axis's end
    when that is later); one still on its way is dashed, ending in an open circle at now."""
    x0, y0, y1 = x(message.sent_ms), centre[message.sender], centre[message.receiver]
    where = f"{escape(message.sender)} to {escape(message.receiver)} through the {escape(message.via)}"
    data = (f'class="message {message.kind}" data-kind="{message.kind}" data-from="{escape(message.sender)}" '
            f'data-to="{escape(message.receiver)}"')
    colour = "var(--stage-fg, #000)"  # not a state colour: a message is not a lane
    sent = f"sent at {_seconds(message.sent_ms)}"
    if message.received_ms is None:
        x1 = max(x(until_ms), x0)
        return (f'<g {data} data-state="on-its-way"><title>{message.kind} message, {where}: {sent}, not received '
                f'yet</title><polyline points="{x0:.1f},{y0:.1f} {x0:.1f},{y1:.1f} {x1:.1f},{y1:.1f}" fill="none" '
                f'stroke="{colour}" stroke-width="2" stroke-dasharray="5 4"/>'
                f'<circle cx="{x1:.1f}" cy="{y1:.1f}" r="5" fill="var(--stage-bg, #fff)" stroke="{colour}" '
                f'stroke-width="2"/></g>')
    x1 = x(message.received_ms)
    points = [(x0, y0), (x1, y1)] if message.kind == "scatter" else [(x0, y0), (x0, y1), (x1, y1)]
    # The arrowhead points along the last stretch that has a length (none for an arrow with no length).
    head = ""
    for (ax, ay), (bx, by) in reversed(list(zip(points, points[1:], strict=False))):
        length = math.hypot(bx - ax, by - ay)
        if length >= 1:
            ux, uy = (bx - ax) / length, (by - ay) / length
            cx, cy = bx - 9 * ux, by - 9 * uy
            head = (f'<polygon points="{bx:.1f},{by:.1f} {cx - 4 * uy:.1f},{cy + 4 * ux:.1f} '
                    f'{cx + 4 * uy:.1f},{cy - 4 * ux:.1f}" fill="{colour}"/>')
            break
    path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
    return (f'<g {data} data-state="received"><title>{message.kind} message, {where}: {sent}, received at '
            f'{_seconds(message.received_ms)}</title><circle cx="{x0:.1f}" cy="{y0:.1f}" r="3" fill="{colour}"/>'
            f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>{head}</g>')


@dataclass
class SideView:
    """What one side shows at one moment (a frame)."""

    key: str
    title: str
    watch: str
    state: str = "idle"  # idle | running | done | failed | replay
    status: str = "Waiting for the first click."
    lanes: list[Lane] = field(default_factory=list)
    rows: list[str] = field(default_factory=list)
    quotes: list[dict] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    now_ms: float | None = None
    deadline_ms: float | None = None
    messages: list[Message] = field(default_factory=list)
    end_ms: float | None = None  # when the side ended, since the click (for a replay)
    counters: Counters = field(default_factory=Counters)


def quotes_html(quotes: list[dict], missing: list[str]) -> str:
    best = min((q.get("price_quote") for q in quotes if isinstance(q.get("price_quote"), int | float)), default=None)
    chips = [
        f'<span class="stage-quote{" best" if q.get("price_quote") == best else ""}">'
        f'{escape(str(q.get("vendor", "?")))} {escape(_price(q.get("price_quote")))}</span>'
        for q in quotes
    ]
    chips += [f'<span class="stage-quote missing">{escape(vendor)}: no quote</span>' for vendor in missing]
    return f'<div class="stage-quotes" data-quotes="{len(quotes)}">{"".join(chips)}</div>'


def _price(value: object) -> str:
    return f"{value:,.2f}" if isinstance(value, int | float) else str(value)


def side_html(view: SideView, *, axis_ms: float) -> str:
    """One side's panel: title, what to watch, counters, status, lanes on the shared axis, quotes."""
    return (
        f'<div class="stage-side" data-side="{view.key}" data-state="{view.state}">'
        f"<h2>{escape(view.title)}</h2><p class=\"stage-watch\">{escape(view.watch)}</p>"
        f"{counters_html(view.counters)}"
        f'<p class="stage-status {view.state}">{escape(view.status)}</p>'
        + lanes_svg(view.lanes, list(view.rows), axis_ms=axis_ms, now_ms=view.now_ms, deadline_ms=view.deadline_ms,
                    messages=view.messages, key=f"stage-{view.key}")
        + f"{quotes_html(view.quotes, view.missing)}</div>"
    )
