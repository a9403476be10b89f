"""The refactoring as one view: the orchestration and the choreography side by side, then who does which job."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from workshop_utils.render._common import MUTED, TABLE_STYLE, card, esc, inline_markdown, style, td, th_row
from workshop_utils.render.source import source_html

JOB_HEADERS = ["Job", "Parallel state (orchestration)", "After the refactoring (choreography)", "What is lost"]


@dataclass(frozen=True)
class CodeSide:
    """One side of the comparison: a titled excerpt of a file, numbered as in the file."""

    title: str
    path: str
    lines: list[str]
    first_line: int
    emphasised: frozenset[int]
    note: str = ""


class _Excerpt(Protocol):
    path: str
    lines: list[str]
    first_line: int
    emphasised: frozenset[int]


def code_side(title: str, excerpt: _Excerpt, note: str = "") -> CodeSide:
    """A side from any excerpt of a file (e.g. a workshop_utils.teaching.source_code.Snippet)."""
    return CodeSide(title, excerpt.path, list(excerpt.lines), excerpt.first_line, excerpt.emphasised, note)


def _column(side: CodeSide) -> str:
    column = style(flex="1 1 440px", min_width="0")
    code = source_html(side.path, side.lines, first_line=side.first_line, emphasised=side.emphasised,
                       title=side.title, note=side.note)
    return f'<div style="{column}">{code}</div>'


def jobs_table_html(rows: list[list[str]]) -> str:
    """Each job of the Parallel state (rows of four cells), as a table."""
    body = "".join(
        "<tr>" + td(f"<b>{esc(row[0])}</b>") + "".join(td(inline_markdown(cell)) for cell in row[1:]) + "</tr>"
        for row in rows
    )
    return f'<table class="refactoring-jobs" style="{TABLE_STYLE}">{th_row(JOB_HEADERS)}<tbody>{body}</tbody></table>'


def refactoring_html(before: CodeSide, after: CodeSide, rows: list[list[str]]) -> str:
    """Both designs' code side by side (stacked when the page is narrow), then the jobs table."""
    row = style(display="flex", flex_wrap="wrap", gap="10px", align_items="flex-start")
    intro = style(color=MUTED, font_size="12.5px", margin="0 0 8px 0")
    return card(
        f'<div style="{intro}">Marked lines: what the Parallel state does on the left, and what replaces it on '
        f"the right.</div>"
        f'<div style="{row}">{_column(before)}{_column(after)}</div>'
        f'<div style="{style(margin="12px 0 0 0")}">{jobs_table_html(rows)}</div>',
        css_class="workshop-refactoring",
        title="The refactoring: orchestration, then choreography",
    )
