"""Tests for the execution history table: order, elapsed time, expandable details, failure rows."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

from workshop_utils.render import execution_events_html

T0 = datetime(2026, 11, 27, 10, 0, 0, tzinfo=UTC)


def history():
    return [
        {"id": 2, "type": "TaskStateEntered", "previousEventId": 1, "timestamp": T0 + timedelta(milliseconds=5),
         "stateEnteredEventDetails": {"name": "Requester", "input": json.dumps({"data": {"car_type": "XL"}})}},
        {"id": 1, "type": "ExecutionStarted", "timestamp": T0,
         "executionStartedEventDetails": {"input": "{}", "roleArn": "arn:aws:iam::123456789012:role/x"}},
        {"id": 3, "type": "TaskFailed", "previousEventId": 2, "timestamp": T0 + timedelta(milliseconds=1250),
         "taskFailedEventDetails": {"error": "Lambda.Unknown",
                                    "cause": json.dumps({"errorMessage": "vendor <down>"})}},
        {"id": 4, "type": "ExecutionFailed", "previousEventId": 3,
         "timestamp": (T0 + timedelta(milliseconds=1300)).isoformat().replace("+00:00", "Z"),
         "executionFailedEventDetails": {"error": "Lambda.Unknown"}},
    ]


def rows(html: str) -> list[ET.Element]:
    root = ET.fromstring(html)  # our HTML is well-formed XML
    return [tr for tr in root.iter("tr") if "event" in (tr.get("class") or "").split()]


def cell_texts(tr: ET.Element) -> list[str]:
    return ["".join(td.itertext()).strip() for td in tr.findall("td")]


def test_events_are_listed_in_id_order_with_type_state_and_elapsed_ms():
    table = rows(execution_events_html(history()))
    assert [tr.get("data-event-id") for tr in table] == ["1", "2", "3", "4"]
    first, second = cell_texts(table[0]), cell_texts(table[1])
    assert first[:4] == ["1", "ExecutionStarted", "", "0"]
    assert second[:4] == ["2", "TaskStateEntered", "Requester", "5"]
    assert cell_texts(table[2])[3] == "1,250"
    assert cell_texts(table[3])[3] == "1,300"  # ISO strings are accepted as timestamps


def test_failure_rows_are_highlighted_and_summarise_the_error():
    table = rows(execution_events_html(history()))
    failures = [tr for tr in table if "failure" in tr.get("class").split()]
    assert [tr.get("data-type") for tr in failures] == ["TaskFailed", "ExecutionFailed"]
    assert "background:#ffebe9" in failures[0].get("style")
    assert "Lambda.Unknown: vendor <down>" in cell_texts(failures[0])[1]
    assert "background:#ffffff" in table[0].get("style")


def test_each_event_has_its_details_json_in_an_expandable_block():
    root = ET.fromstring(execution_events_html(history()))
    details = list(root.iter("details"))
    assert len(details) == 4
    entered = next(d for d in details if "Requester" in "".join(d.itertext()))
    assert entered.find("summary") is not None
    shown = json.loads(entered.find("pre").text)
    assert shown == {"name": "Requester", "input": {"data": {"car_type": "XL"}}}  # nested JSON expanded


def test_no_events_gives_a_clear_message():
    html = execution_events_html([])
    root = ET.fromstring(html)
    assert "No execution events yet" in "".join(root.itertext())
    assert not list(root.iter("table"))
