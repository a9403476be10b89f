"""Tests for rendering `cdk diff` output."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from workshop_utils.render import diff_html

DIFF = (
    "\x1b[1m\x1b[4mStack ScatterGatherWithSNSStack\x1b[24m\x1b[22m\n"
    "\x1b[4m\x1b[1mIAM Statement Changes\x1b[22m\x1b[24m\n"
    "┌───┬──────────┐\n"
    "│   │ Resource │\n"
    "├───┼──────────┤\n"
    "│ + │ ${Fn.Arn} │\n"
    "└───┴──────────┘\n"
    "\x1b[4m\x1b[1mResources\x1b[22m\x1b[24m\n"
    "\x1b[32m[+]\x1b[39m AWS::Lambda::Function ResponderHertzFunction ResponderHertzFunction1A2B3C4D \n"
    "\x1b[31m[-]\x1b[39m AWS::Lambda::Function ResponderSixtFunction ResponderSixtFunction5E6F7A8B destroy\n"
    "\x1b[33m[~]\x1b[39m AWS::SNS::Topic ScatterTopic ScatterTopic1A2B3C4D \n"
    " └─ [~] DisplayName\n"
    "     ├─ [-] Old <name>\n"
    "     └─ [+] New name\n"
    "\n"
    "✨  Number of stacks with differences: 1\n"
)


def spans(html: str) -> list[ET.Element]:
    return [s for s in ET.fromstring(html).iter("span") if (s.get("class") or "").startswith("diff")]


def test_ansi_codes_are_stripped():
    html = diff_html(DIFF)
    assert "\x1b" not in html and "[32m" not in html
    assert spans(html)[0].text == "Stack ScatterGatherWithSNSStack"


def test_added_removed_and_changed_lines_are_coloured():
    by_text = {s.text.strip(): s for s in spans(diff_html(DIFF)) if s.text}
    added = by_text["[+] AWS::Lambda::Function ResponderHertzFunction ResponderHertzFunction1A2B3C4D"]
    removed = by_text["[-] AWS::Lambda::Function ResponderSixtFunction ResponderSixtFunction5E6F7A8B destroy"]
    changed = by_text["[~] AWS::SNS::Topic ScatterTopic ScatterTopic1A2B3C4D"]
    assert added.get("class") == "diff-add" and "color:#1a7f37" in added.get("style")
    assert removed.get("class") == "diff-remove" and "color:#cf222e" in removed.get("style")
    assert changed.get("class") == "diff-change" and "color:#9a6700" in changed.get("style")
    assert by_text["└─ [~] DisplayName"].get("class") == "diff-change"
    assert by_text["├─ [-] Old <name>"].get("class") == "diff-remove"  # escaped, parsed back
    assert by_text["│ + │ ${Fn.Arn} │"].get("class") == "diff-add"


def test_headings_are_kept_and_bold():
    headings = [s.text for s in spans(diff_html(DIFF)) if s.get("class") == "diff-heading"]
    assert headings == ["Stack ScatterGatherWithSNSStack", "IAM Statement Changes", "Resources",
                        "✨  Number of stacks with differences: 1"]


def test_the_title_counts_changes_and_an_empty_diff_says_so():
    assert "3 added, 2 removed, 2 changed" in "".join(ET.fromstring(diff_html(DIFF)).itertext())
    assert "No differences" in "".join(ET.fromstring(diff_html("\x1b[0m\n")).itertext())
