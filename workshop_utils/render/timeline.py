"""Draw a Gantt-like SVG timeline: named lanes of (label, start ms, end ms) bars on one shared time axis."""

from __future__ import annotations

import math

from workshop_utils.render._common import FONT, INK, LINE, MUTED, PAPER, esc, num, text_width, truncate

PLOT_W = 560.0
ROW_H = 22.0
BAR_H = 14.0
LANE_HEADER = 24.0
LANE_GAP = 10.0
MARGIN = 16.0
AXIS_H = 30.0
LABEL_MAX_CHARS = 30
PALETTE = ("#c925d1", "#e7157b", "#ed7100", "#0969da", "#1a7f37", "#8c4fff")

Bar = tuple[str, float, float]


def timeline_svg(lanes: dict[str, list[tuple[str, float, float]]], *, label_chars: int = LABEL_MAX_CHARS) -> str:
    """Lanes of (label, start_ms, end_ms) bars on a shared axis with ticks, e.g. {"Parallel": [...], "SNS": [...]};
    labels longer than `label_chars` are cut (the bar's tooltip has them whole)."""
    clean = {name: _clean(bars) for name, bars in lanes.items()}
    every = [bar for bars in clean.values() for bar in bars]
    if not every:
        return _empty()
    low = min(b[1] for b in every)
    high = max(b[2] for b in every)
    t0 = 0.0 if 0 <= low < 1e9 else low  # relative timings start the axis at zero; epoch times at the first bar
    t1 = high if high > t0 else t0 + 1.0
    step = _nice_step(t1 - t0)
    t1 = t0 + math.ceil((t1 - t0) / step - 1e-9) * step
    labels = [name for name in clean] + [bar[0] for bars in clean.values() for bar in bars]
    label_w = min(max(text_width(truncate(text, label_chars), 11.5) for text in labels) + 24, 8 * label_chars)
    left = MARGIN + label_w
    scale = PLOT_W / (t1 - t0)
    parts: list[str] = []
    y = MARGIN
    for index, (name, bars) in enumerate(clean.items()):
        colour = _lane_colour(name, index)
        lane_h = LANE_HEADER + ROW_H * max(len(bars), 1)
        parts.append(_lane(name, bars, colour, y, left, t0, scale, lane_h, label_chars))
        y += lane_h + LANE_GAP
    plot_bottom = y - LANE_GAP
    width = left + PLOT_W + 70
    height = plot_bottom + AXIS_H + MARGIN
    grid = _axis(t0, t1, step, left, scale, MARGIN, plot_bottom)
    return (
        f'<svg class="timeline" width="{num(width)}" height="{num(height)}" viewBox="0 0 {num(width)} {num(height)}" '
        f'role="img" aria-label="Timeline" font-family="{esc(FONT)}" '
        f'style="max-width:100%;height:auto;background:{PAPER}">'
        f'<rect class="background" x="0" y="0" width="{num(width)}" height="{num(height)}" rx="8" '
        f'fill="{PAPER}" stroke="{LINE}"/>{grid}{"".join(parts)}</svg>'
    )


def _clean(bars: list[tuple[str, float, float]]) -> list[Bar]:
    """Drop bars without numbers; swap reversed ones."""
    out: list[Bar] = []
    for bar in bars or []:
        try:
            label, start, end = str(bar[0]), float(bar[1]), float(bar[2])
        except (TypeError, ValueError, IndexError):
            continue
        if math.isfinite(start) and math.isfinite(end):
            out.append((label, min(start, end), max(start, end)))
    return out


def _lane_colour(name: str, index: int) -> str:
    lowered = name.lower()
    if "parallel" in lowered or "step" in lowered:
        return PALETTE[0]
    if "sns" in lowered:
        return PALETTE[1]
    return PALETTE[index % len(PALETTE)]


def _nice_step(span: float) -> float:
    """1, 2 or 5 times a power of ten, giving about six ticks."""
    raw = span / 6 if span > 0 else 1.0
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * power >= raw:
            return factor * power
    return 10 * power


def _tick_label(value: float, span: float) -> str:
    if span >= 5000:
        seconds = value / 1000
        return f"{seconds:g} s" if seconds == round(seconds, 3) else f"{seconds:.2f} s"
    return f"{value:g} ms"


def _axis(t0: float, t1: float, step: float, left: float, scale: float, top: float, bottom: float) -> str:
    parts = ['<g class="axis">']
    count = int(round((t1 - t0) / step))
    for i in range(count + 1):
        value = i * step
        x = left + value * scale
        dash = "" if i == 0 else ' stroke-dasharray="2 3"'
        parts.append(
            f'<line x1="{num(x)}" y1="{num(top)}" x2="{num(x)}" y2="{num(bottom)}" stroke="{LINE}" '
            f'stroke-width="1"{dash}/>'
            f'<line x1="{num(x)}" y1="{num(bottom)}" x2="{num(x)}" y2="{num(bottom + 5)}" stroke="{MUTED}"/>'
            f'<text class="tick" x="{num(x)}" y="{num(bottom + 18)}" text-anchor="middle" font-size="10.5" '
            f'fill="{MUTED}">{esc(_tick_label(value, t1 - t0))}</text>'
        )
    parts.append(
        f'<line x1="{num(left)}" y1="{num(bottom)}" x2="{num(left + count * step * scale)}" y2="{num(bottom)}" '
        f'stroke="{MUTED}"/></g>'
    )
    return "".join(parts)


def _lane(name: str, bars: list[Bar], colour: str, y: float, left: float, t0: float, scale: float,
          lane_h: float, label_chars: int) -> str:
    span = (max(b[2] for b in bars) - min(b[1] for b in bars)) if bars else 0.0
    summary = f"{span:,.0f} ms end to end" if bars else "no bars"
    parts = [
        f'<g class="timeline-lane" data-lane="{esc(name)}">',
        f'<rect x="{num(MARGIN / 2)}" y="{num(y)}" width="{num(left + PLOT_W + 60 - MARGIN / 2)}" '
        f'height="{num(lane_h)}" rx="6" fill="#f6f8fa" fill-opacity="0.6" stroke="none"/>',
        f'<rect x="{num(MARGIN)}" y="{num(y + 7)}" width="10" height="10" rx="2" fill="{colour}"/>',
        f'<text x="{num(MARGIN + 16)}" y="{num(y + 16)}" font-size="12.5" font-weight="600" fill="{INK}">'
        f"{esc(truncate(name, label_chars))}</text>",
        f'<text x="{num(left)}" y="{num(y + 16)}" font-size="11" fill="{MUTED}">{esc(summary)}</text>',
    ]
    for row, (label, start, end) in enumerate(bars):
        row_y = y + LANE_HEADER + row * ROW_H
        x1 = left + (start - t0) * scale
        bar_w = max((end - start) * scale, 2.0)
        duration = end - start
        parts.append(
            f'<g class="bar" data-lane="{esc(name)}" data-label="{esc(label)}" data-start="{start:g}" '
            f'data-end="{end:g}"><title>{esc(label)}: {start:,.0f}–{end:,.0f} ms ({duration:,.0f} ms)</title>'
            f'<text x="{num(MARGIN + 16)}" y="{num(row_y + 15)}" font-size="11.5" fill="{INK}">'
            f"{esc(truncate(label, label_chars))}</text>"
            f'<rect x="{num(x1)}" y="{num(row_y + (ROW_H - BAR_H) / 2)}" width="{num(bar_w)}" height="{num(BAR_H)}" '
            f'rx="3" fill="{colour}" fill-opacity="0.85"/>'
            f'<text x="{num(x1 + bar_w + 5)}" y="{num(row_y + 15)}" font-size="10.5" fill="{MUTED}">'
            f"{duration:,.0f} ms</text></g>"
        )
    parts.append("</g>")
    return "".join(parts)


def _empty() -> str:
    return (
        f'<svg class="timeline" width="320" height="48" viewBox="0 0 320 48" role="img" aria-label="Timeline" '
        f'font-family="{esc(FONT)}" style="max-width:100%;height:auto;background:{PAPER}">'
        f'<rect class="background" x="0" y="0" width="320" height="48" rx="8" fill="{PAPER}" stroke="{LINE}"/>'
        f'<text class="empty" x="16" y="29" font-size="12" font-style="italic" fill="{MUTED}">'
        f"No timings yet: run a request first.</text></svg>"
    )
