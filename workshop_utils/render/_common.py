"""Shared helpers for the renderers: escaping, theme-proof colours, inline styles, JSON and time parsing."""

from __future__ import annotations

import ast
import html
import json
import re
from datetime import UTC, datetime
from typing import Any

# Explicit colours everywhere: our containers paint their own background, so JupyterLab's
# light and dark themes (and exported HTML) all show the same, readable card.
PAPER = "#ffffff"
SUBTLE = "#f6f8fa"
INK = "#1f2328"
MUTED = "#59636e"
LINE = "#d0d7de"
FONT = "-apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"
MONO = "ui-monospace, SFMono-Regular, Menlo, Consolas, 'Liberation Mono', monospace"

_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07")


def esc(value: Any) -> str:
    """Escape any value for HTML/XML text or attributes (control characters dropped)."""
    return html.escape(_XML_INVALID.sub("", strip_ansi(str(value))), quote=True)


_CODE = re.compile(r"`([^`]+)`")
_EMPHASIS = re.compile(r"(?<![\w*])\*([^*\s][^*]*?)\*(?![\w*])")


def inline_markdown(text: str) -> str:
    """Escaped text, with the little markdown sentences use rendered: `code` in backticks, *emphasis* in stars."""
    parts = _CODE.split(esc(text))  # odd parts are code: no emphasis inside them
    return "".join(f"<code>{part}</code>" if index % 2 else _EMPHASIS.sub(r"<em>\1</em>", part)
                   for index, part in enumerate(parts))


def markdown_marks_removed(text: str) -> str:
    """The text without its markdown marks, for places that show no HTML (a button's tooltip)."""
    return _EMPHASIS.sub(r"\1", _CODE.sub(r"\1", text))


def strip_ansi(text: str) -> str:
    """Remove ANSI colour/cursor escape sequences."""
    return _ANSI.sub("", text)


def style(**props: Any) -> str:
    """Build an inline CSS declaration list: style(font_size="12px") -> 'font-size:12px'."""
    return ";".join(f"{key.replace('_', '-')}:{value}" for key, value in props.items() if value is not None)


def num(value: float) -> str:
    """Format an SVG coordinate compactly."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def text_width(text: str, size: float = 13.0, bold: bool = False) -> float:
    """Estimate the rendered width of text in a sans-serif font (no font metrics available)."""
    wide = sum(1 for ch in text if ch.isupper() or ch in "mwMW@%")
    narrow = sum(1 for ch in text if ch in "iljtf.,:;|!' ")
    width = (len(text) * 0.56 + wide * 0.14 - narrow * 0.24) * size
    return width * (1.06 if bold else 1.0)


def truncate(text: str, max_chars: int) -> str:
    """Shorten text to max_chars, ending with an ellipsis when cut."""
    return text if len(text) <= max_chars else text[: max(1, max_chars - 1)] + "…"


def pretty_json(value: Any) -> str:
    """Indent a JSON-able value for display (unknown types shown with str())."""
    return json.dumps(value, indent=2, ensure_ascii=False, default=str, sort_keys=False)


def loads_lenient(text: str) -> Any:
    """Parse JSON, else a Python literal (the sample logs repr()s); raise ValueError if neither works."""
    text = text.strip()
    try:
        return json.loads(text)
    except (ValueError, TypeError):
        pass
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError) as exc:
        raise ValueError(f"not JSON or a Python literal: {exc}") from exc


def expand_json_strings(value: Any, depth: int = 0) -> Any:
    """Replace strings holding JSON objects/arrays by their parsed value, recursively (for display)."""
    if depth > 6:
        return value
    if isinstance(value, str) and value.strip()[:1] in ("{", "["):
        try:
            return expand_json_strings(json.loads(value), depth + 1)
        except ValueError:
            return value
    if isinstance(value, dict):
        return {key: expand_json_strings(item, depth + 1) for key, item in value.items()}
    if isinstance(value, list):
        return [expand_json_strings(item, depth + 1) for item in value]
    return value


def to_epoch_ms(value: Any) -> float | None:
    """Convert a datetime, an ISO-8601 string or epoch seconds/milliseconds to epoch milliseconds."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.timestamp() * 1000.0
    if isinstance(value, int | float):
        return float(value) if abs(value) > 1e11 else float(value) * 1000.0
    if isinstance(value, str) and value.strip():
        text = value.strip()
        try:
            return to_epoch_ms(float(text))
        except ValueError:
            pass
        try:
            return to_epoch_ms(datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00")))
        except ValueError:
            return None
    return None


def format_clock(epoch_ms: float | None) -> str:
    """Show epoch milliseconds as a UTC wall-clock time with milliseconds."""
    if epoch_ms is None:
        return ""
    moment = datetime.fromtimestamp(epoch_ms / 1000.0, tz=UTC)
    return moment.strftime("%H:%M:%S.") + f"{moment.microsecond // 1000:03d}"


def card(inner: str, *, css_class: str, title: str | None = None, extra_style: str = "") -> str:
    """Wrap HTML in our own light card with explicit colours, so both Jupyter themes look the same."""
    heading = ""
    if title:
        heading_css = style(font_weight="600", font_size="14px", margin="0 0 8px 0", color=INK)
        heading = f'<div class="title" style="{heading_css}">{esc(title)}</div>'
    box = style(
        background=PAPER, color=INK, font_family=FONT, font_size="13px", line_height="1.4",
        border=f"1px solid {LINE}", border_radius="8px", padding="12px", margin="4px 0",
        overflow_x="auto", box_sizing="border-box", max_width="100%",
    )
    return f'<div class="{esc(css_class)}" style="{box};{extra_style}">{heading}{inner}</div>'


def empty_message(text: str) -> str:
    """A muted, italic one-line message for empty inputs."""
    return f'<div class="empty" style="{style(color=MUTED, font_style="italic", padding="4px 0")}">{esc(text)}</div>'


# Table cells: inline styles beat JupyterLab's table CSS (right-aligned, zebra rows, centred table).
TABLE_STYLE = style(
    border_collapse="collapse", margin="0", width="100%", table_layout="auto",
    font_size="12.5px", color=INK, background=PAPER, border="none",
)
TH_STYLE = style(
    text_align="left", padding="6px 8px", background=SUBTLE, color=INK, font_weight="600",
    border_bottom=f"1px solid {LINE}", white_space="nowrap", vertical_align="bottom",
)
CELL = {
    "text_align": "left", "padding": "5px 8px", "vertical_align": "top",
    "border_bottom": f"1px solid {LINE}", "color": INK, "max_width": "none",
}


def td(content_html: str, **overrides: Any) -> str:
    """A table cell with our explicit style; overrides replace or add CSS properties."""
    return f'<td style="{style(**{**CELL, **overrides})}">{content_html}</td>'


def th_row(headers: list[str]) -> str:
    """A header row."""
    cells = "".join(f'<th style="{TH_STYLE}">{esc(h)}</th>' for h in headers)
    return f"<thead><tr>{cells}</tr></thead>"


def pre(text: str, **overrides: Any) -> str:
    """Preformatted, escaped text in our monospace style."""
    css = style(**{
        "margin": "4px 0 0 0", "padding": "6px 8px", "background": SUBTLE, "color": INK,
        "font_family": MONO, "font_size": "12px", "white_space": "pre-wrap", "word_break": "break-word",
        "border_radius": "4px", "border": f"1px solid {LINE}", **overrides,
    })
    return f'<pre style="{css}">{esc(text)}</pre>'


def expandable(summary_html: str, body_html: str, *, open_: bool = False) -> str:
    """A <details> block (no JavaScript needed) with a summary line."""
    summary_css = style(cursor="pointer", color=INK, font_family=MONO, font_size="12px")
    opened = " open" if open_ else ""
    return f'<details{opened}><summary style="{summary_css}">{summary_html}</summary>{body_html}</details>'
