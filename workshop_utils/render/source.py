"""Source code on the page: Python lines highlighted by Pygments with inline styles, numbered as in their file."""

from __future__ import annotations

import textwrap

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer
from pygments.styles import get_style_by_name

from workshop_utils.render._common import INK, LINE, MONO, MUTED, PAPER, SUBTLE, card, esc, style

EMPHASIS = "#fff5b1"


class _WorkshopStyle(get_style_by_name("friendly")):  # type: ignore[misc, valid-type]
    """A light style with a visible emphasis colour; the card paints its own background for dark themes."""

    highlight_color = EMPHASIS


def _code_html(lines: list[str], first_line: int, emphasised: frozenset[int]) -> str:
    formatter = HtmlFormatter(
        style=_WorkshopStyle,
        noclasses=True,  # inline styles: no stylesheet, so exported HTML and offline pages look the same
        linenos="inline",
        linenostart=first_line,
        hl_lines=sorted(number - first_line + 1 for number in emphasised),
        nobackground=True,
        prestyles=style(margin="0", font_family=MONO, font_size="12.5px", line_height="1.45", color=INK,
                        background=PAPER, white_space="pre"),
    )
    # Dedent for reading; the line numbers still say where each line is in the file.
    code = textwrap.dedent("\n".join(lines)) + "\n"
    return highlight(code, PythonLexer(), formatter)


def _caption(path: str, first_line: int, last_line: int, note: str) -> str:
    where = f"{esc(path)}, line{'s' if last_line > first_line else ''} {first_line}"
    where += f"–{last_line}" if last_line > first_line else ""
    caption = style(font_family=MONO, font_size="12px", color=MUTED, margin="0 0 6px 0")
    extra = f' <span style="{style(font_family="inherit")}">· {esc(note)}</span>' if note else ""
    return f'<div class="source-path" style="{caption}">{where}{extra}</div>'


def source_html(path: str, lines: list[str], *, first_line: int = 1, emphasised: frozenset[int] = frozenset(),
                title: str | None = None, note: str = "") -> str:
    """Lines of `path` (numbered from `first_line`), highlighted, `emphasised` lines (file numbers) marked."""
    last_line = first_line + len(lines) - 1
    body = _caption(path, first_line, last_line, note)
    frame = style(border=f"1px solid {LINE}", border_radius="6px", padding="6px 8px", background=PAPER,
                  overflow_x="auto")
    body += f'<div class="source-code" style="{frame}">{_code_html(lines, first_line, emphasised)}</div>'
    if emphasised:
        legend = style(font_size="12px", color=MUTED, margin="6px 0 0 0")
        swatch = style(background=EMPHASIS, border=f"1px solid {LINE}", padding="0 6px", color=INK)
        body += f'<div style="{legend}"><span style="{swatch}">marked</span> lines are the ones to look at.</div>'
    return card(body, css_class="workshop-source", title=title, extra_style=style(background=SUBTLE))
