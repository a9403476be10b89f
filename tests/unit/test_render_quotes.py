"""Tests for the quotes table (best price marked) and for parsing `quotes:` log lines."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from workshop_utils.render import parse_quotes_line, quotes_html

QUOTES = [
    {"car_type": "XL", "days_rental": 20, "uuid": "u-1", "price_quote": 2400, "vendor": "Alamo"},
    {"car_type": "XL", "days_rental": 20, "uuid": "u-1", "price_quote": 1980, "vendor": "Avis"},
    {"car_type": "XL", "days_rental": 20, "uuid": "u-1", "price_quote": 2100, "vendor": "Hertz"},
]


def rows(html: str) -> list[ET.Element]:
    return [tr for tr in ET.fromstring(html).iter("tr") if "quote" in (tr.get("class") or "").split()]


def texts(tr: ET.Element) -> list[str]:
    return ["".join(td.itertext()).strip() for td in tr.findall("td")]


def test_quotes_table_lists_every_quote_cheapest_first():
    table = rows(quotes_html(QUOTES))
    assert [texts(tr)[:5] for tr in table] == [
        ["Avis", "1,980", "XL", "20", "u-1"],
        ["Hertz", "2,100", "XL", "20", "u-1"],
        ["Alamo", "2,400", "XL", "20", "u-1"],
    ]


def test_the_best_price_is_marked_with_a_class_and_a_visible_marker():
    table = rows(quotes_html(QUOTES))
    best = [tr for tr in table if "best" in tr.get("class").split()]
    assert [tr.get("data-vendor") for tr in best] == ["Avis"]
    assert texts(best[0])[5] == "★ best"
    assert all(texts(tr)[5] == "" for tr in table if tr not in best)


def test_ties_are_all_best_and_each_request_has_its_own_best():
    quotes = QUOTES + [
        {"car_type": "S", "days_rental": 2, "uuid": "u-2", "price_quote": 500, "vendor": "Avis"},
        {"car_type": "S", "days_rental": 2, "uuid": "u-2", "price_quote": 500, "vendor": "Alamo"},
    ]
    best = {(tr.get("data-vendor"), texts(tr)[4]) for tr in rows(quotes_html(quotes))
            if "best" in tr.get("class").split()}
    assert best == {("Avis", "u-1"), ("Avis", "u-2"), ("Alamo", "u-2")}
    assert "5 quotes for 2 requests" in "".join(ET.fromstring(quotes_html(quotes)).itertext())


def test_no_quotes_gives_a_clear_message():
    root = ET.fromstring(quotes_html([]))
    assert "No quotes yet" in "".join(root.itertext())
    assert not list(root.iter("table"))


def test_vendor_names_are_escaped():
    html = quotes_html([{"vendor": "<script>x</script>", "price_quote": 1}])
    assert "<script" not in html
    assert texts(rows(html)[0])[0] == "<script>x</script>"


def test_parse_quotes_line_reads_json_after_the_prefix():
    assert parse_quotes_line("quotes: " + json.dumps(QUOTES)) == QUOTES
    runtime = "[INFO]\t2026-11-27T10:00:00.000Z\t8f5e1c2a-3b4d-4e5f-9a0b-1c2d3e4f5a6b\tquotes: " + json.dumps(QUOTES)
    assert parse_quotes_line(runtime + "\n") == QUOTES


def test_parse_quotes_line_accepts_the_samples_python_repr_and_json_string_items():
    assert parse_quotes_line(f"quotes: {QUOTES!r}") == QUOTES
    as_strings = json.dumps([json.dumps(q) for q in QUOTES])
    assert parse_quotes_line(f"quotes: {as_strings}") == QUOTES


def test_parse_quotes_line_returns_none_for_other_lines():
    assert parse_quotes_line("START RequestId: abc Version: $LATEST") is None
    assert parse_quotes_line("quotes: not json [") is None
    assert parse_quotes_line("quotes: 42") is None
    assert parse_quotes_line("") is None
    assert parse_quotes_line("quotes: []") == []


def test_the_empty_table_can_say_why_there_are_no_quotes():
    text = "".join(ET.fromstring(quotes_html([], empty_text="No quotes: the execution failed.")).itertext())
    assert "No quotes: the execution failed." in text and "send a quote request" not in text
