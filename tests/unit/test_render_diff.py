"""Tests for rendering `cdk diff` output."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from workshop_utils.deploy.diff import diff_html, resource_changes
from workshop_utils.render.diff import headline

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


def test_the_title_counts_resources_not_lines_and_an_empty_diff_says_so():
    title = "".join(ET.fromstring(diff_html(DIFF)).itertext())
    assert "cdk diff: 1 resource added, 1 removed, 1 changed" in title
    assert "No differences" in "".join(ET.fromstring(diff_html("\x1b[0m\n")).itertext())


def test_resource_changes_count_only_top_level_lines_of_the_resources_section():
    assert resource_changes(DIFF) == {"added": 1, "removed": 1, "changed": 1}
    outputs_only = "Outputs\n[+] Output Extra/Value ExtraValue: {}\n"
    assert resource_changes(outputs_only) == {"added": 0, "removed": 0, "changed": 0}
    assert headline(resource_changes(outputs_only)) == "no resource changes"
    assert headline({"added": 4, "removed": 0, "changed": 1}) == "4 resources added, 1 changed"


def test_cli_notices_are_not_part_of_the_diff():
    noisy = "85 feature flags are not configured. Run 'cdk flags --unstable=flags' to learn more.\n"
    noisy += "start: Building TinyStack Template\n" + DIFF
    text = "".join(ET.fromstring(diff_html(noisy)).itertext())
    assert "feature flags" not in text and "Building" not in text and "ResponderHertzFunction" in text


def test_the_workshops_own_diff_adding_a_vendor_counts_its_resources():
    from pathlib import Path

    recorded = (Path(__file__).resolve().parents[1] / "fixtures" / "cdk_output" / "diff_workshop.txt").read_text()
    assert resource_changes(recorded) == {"added": 7, "removed": 0, "changed": 2}
    assert "cdk diff: 7 resources added, 2 changed" in "".join(ET.fromstring(diff_html(recorded)).itertext())


def test_the_renderer_takes_the_counts_it_is_given_and_titles_without_them():
    from workshop_utils.render.diff import diff_html as render_diff_html

    counted = "".join(ET.fromstring(render_diff_html(DIFF, {"added": 2, "removed": 0, "changed": 0})).itertext())
    assert "cdk diff: 2 resources added" in counted
    uncounted = "".join(ET.fromstring(render_diff_html(DIFF)).itertext())
    assert "cdk diff:" not in uncounted and "ResponderHertzFunction" in uncounted
