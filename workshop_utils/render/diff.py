"""Render `cdk diff` output as HTML: colours stripped, lines coloured, headed by the resources it counts."""

from __future__ import annotations

import re
from collections.abc import Mapping

from workshop_utils.render._common import INK, LINE, MONO, SUBTLE, card, empty_message, esc, strip_ansi, style

# (css class, text colour, background) per kind of line
KINDS = {
    "add": ("diff-add", "#1a7f37", "#dafbe1"),
    "remove": ("diff-remove", "#cf222e", "#ffebe9"),
    "change": ("diff-change", "#9a6700", "#fff8c5"),
    "heading": ("diff-heading", INK, None),
    "plain": ("diff-line", INK, None),
}
_TREE = " \t│├└─┌┐┘┬┴┼"
_SECTIONS = re.compile(
    r"^(Stack\s.+|Resources|Outputs|Parameters|Conditions|Mappings|Metadata|Other Changes|"
    r"IAM Statement Changes|IAM Policy Changes|Security Group Changes|✨.*|"
    r"Number of stacks with differences.*|There were no differences.*)$"
)


def line_kind(line: str) -> str:
    """"add", "remove", "change", "heading" or "plain" for one line of `cdk diff` output."""
    bare = line.lstrip(_TREE)
    if bare.startswith("[+]"):
        return "add"
    if bare.startswith("[-]"):
        return "remove"
    if bare.startswith("[~]"):
        return "change"
    table_row = line.strip()
    if table_row.startswith("│ + │") or table_row.startswith("│ +  │"):
        return "add"
    if table_row.startswith("│ - │") or table_row.startswith("│ -  │"):
        return "remove"
    if _SECTIONS.match(line.strip()) and not line.startswith((" ", "\t")):
        return "heading"
    return "plain"


def headline(counts: Mapping[str, int]) -> str:
    """"4 resources added, 1 changed", or "no resource changes"."""
    parts = [(number, kind) for kind, number in counts.items() if number]
    if not parts:
        return "no resource changes"
    first_number, first_kind = parts[0]
    words = [f"{first_number} resource{'s' if first_number != 1 else ''} {first_kind}"]
    return ", ".join(words + [f"{number} {kind}" for number, kind in parts[1:]])


def diff_html(diff_text: str, counts: Mapping[str, int] | None = None) -> str:
    """`cdk diff` output (the CLI's notices already dropped) as a coloured, monospace block, headed by `counts`:
    how many resources it adds, removes and changes ({"added": 1, "removed": 0, "changed": 2}; deploy.diff counts)."""
    text = strip_ansi(diff_text or "").replace("\r\n", "\n").strip("\n").rstrip()
    if not text.strip():
        return card(empty_message("No differences (or no diff output yet)."), css_class="cdk-diff", title="cdk diff")
    lines = []
    for line in text.split("\n"):
        kind = line_kind(line)
        css, colour, background = KINDS[kind]
        line_style = style(
            display="block", color=colour, background=background, white_space="pre",
            font_weight="700" if kind == "heading" else None,
            margin_top="6px" if kind == "heading" else None, padding="0 6px",
        )
        lines.append(f'<span class="{css}" style="{line_style}">{esc(line) or " "}</span>')
    block_style = style(
        margin="0", padding="8px 0", background=SUBTLE, color=INK, font_family=MONO, font_size="12px",
        line_height="1.45", border=f"1px solid {LINE}", border_radius="6px", overflow_x="auto",
    )
    title = "cdk diff" if counts is None else f"cdk diff: {headline(counts)}"
    return card(f'<pre class="diff" style="{block_style}">{"".join(lines)}</pre>', css_class="cdk-diff", title=title)
