"""Render the cleanup's tables (inventory, after-destroy check, what AWS keeps): one row per item, counts coloured."""

from __future__ import annotations

import re

from workshop_utils.render._common import MONO, MUTED, TABLE_STYLE, card, empty_message, esc, td, th_row

# count columns whose non-zero values are coloured: (text colour, background)
STATE_COLOURS = {
    "gone": ("#1a7f37", "#dafbe1"),
    "pending deletion": ("#9a6700", "#fff8c5"),
    "still there": ("#a40e26", "#ffebe9"),
}
_COMMAND = re.compile(r"`([^`]+)`")


def _cell(column: str, value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        colours = STATE_COLOURS.get(column)
        if colours and value:
            return td(str(value), color=colours[0], background=colours[1], font_weight="600", text_align="right")
        return td(str(value), color=MUTED if colours else None, text_align="right")
    # `command` spans become monospace, so they read (and copy) as commands
    text = _COMMAND.sub(lambda m: f'<code style="font-family:{MONO};font-size:12px">{m[1]}</code>', esc(value))
    return td(text)


def cleanup_table_html(rows: list[dict[str, object]], *, title: str, css_class: str = "cleanup-table") -> str:
    """A titled table of flat rows (the first row's keys are the columns); empty rows say so."""
    if not rows:
        return card(empty_message("Nothing to show."), css_class=css_class, title=title)
    columns = list(rows[0])
    body = "".join("<tr>" + "".join(_cell(c, row.get(c, "")) for c in columns) + "</tr>" for row in rows)
    table = f'<table style="{TABLE_STYLE}">{th_row(columns)}<tbody>{body}</tbody></table>'
    return card(table, css_class=css_class, title=title)
