"""Tests for the CloudWatch log table: request ids, dimmed platform lines, highlighted quote lines."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from workshop_utils.render import log_events_html
from workshop_utils.render.logs import parse_log_events

RID = "8f5e1c2a-3b4d-4e5f-9a0b-1c2d3e4f5a6b"
RID2 = "11111111-2222-4333-8444-555555555555"
QUOTES = [{"car_type": "XL", "days_rental": 20, "uuid": "u-1", "price_quote": 1980, "vendor": "Avis"},
          {"car_type": "XL", "days_rental": 20, "uuid": "u-1", "price_quote": 2400, "vendor": "Alamo"}]
STREAM = "2026/11/27/[$LATEST]abc"
BASE_MS = int(datetime(2026, 11, 27, 10, 0, 0, tzinfo=UTC).timestamp() * 1000)


def log(ms, message, stream=STREAM):
    return {"timestamp": BASE_MS + ms, "message": message, "logStreamName": stream,
            "ingestionTime": BASE_MS + ms + 5, "eventId": str(ms)}


def sample():
    return [
        log(0, f"START RequestId: {RID} Version: $LATEST\n"),
        log(1, "plain print without a request id\n"),
        log(2, f"[INFO]\t2026-11-27T10:00:00.002Z\t{RID}\tquotes: {json.dumps(QUOTES)}\n"),
        log(3, f"[INFO]\t2026-11-27T10:00:00.003Z\t{RID}\taggregate: {{\"count\": 2}}\n"),
        log(4, f"END RequestId: {RID}\n"),
        log(5, f"REPORT RequestId: {RID}\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\n"),
        log(6, '{"vendor": "Avis", "price_quote": 1980}\n'),
        log(7, json.dumps({"timestamp": "2026-11-27T10:00:00Z", "level": "ERROR", "message": "vendor down",
                           "requestId": RID2})),
    ]


def rows(html: str) -> list[ET.Element]:
    return [tr for tr in ET.fromstring(html).iter("tr") if "log-event" in (tr.get("class") or "").split()]


def test_request_ids_come_from_start_end_report_and_runtime_lines_and_are_inherited_by_prints():
    lines = parse_log_events(sample())
    assert [line.request_id for line in lines] == [RID, RID, RID, RID, RID, RID, "", RID2]
    assert lines[2].level == "INFO" and lines[2].message.startswith("quotes: ")
    table = rows(log_events_html(sample()))
    assert [tr.get("data-request-id") for tr in table] == [RID, RID, RID, RID, RID, RID, "", RID2]
    shown = ["".join(tr.findall("td")[1].itertext()) for tr in table]
    assert shown[0] == RID[:8]


def test_start_end_report_lines_are_dimmed():
    table = rows(log_events_html(sample()))
    platform = [tr for tr in table if "platform" in tr.get("class").split()]
    assert len(platform) == 3
    assert all("opacity:0.75" in td.get("style") for tr in platform for td in tr.findall("td"))
    assert not any("opacity" in td.get("style") for td in table[1].findall("td"))


def test_quotes_and_aggregate_lines_are_highlighted_with_pretty_printed_json():
    table = rows(log_events_html(sample()))
    highlighted = [tr for tr in table if "highlight" in tr.get("class").split()]
    assert len(highlighted) == 2
    assert all("background:#fff8c5" in tr.get("style") for tr in highlighted)
    quotes_pre = next(highlighted[0].iter("pre"))
    assert quotes_pre.text == json.dumps(QUOTES, indent=2)
    assert json.loads(next(highlighted[1].iter("pre")).text) == {"count": 2}
    level = [span.text for span in highlighted[0].iter("span") if span.get("class") == "level"]
    assert level == ["INFO"]


def test_other_json_messages_are_pretty_printed_and_errors_marked():
    table = rows(log_events_html(sample()))
    json_row = table[6]
    assert json.loads(next(json_row.iter("pre")).text) == {"vendor": "Avis", "price_quote": 1980}
    assert "error" in table[7].get("class").split()
    assert "vendor down" in "".join(table[7].itertext())


def test_time_is_shown_in_utc_with_milliseconds_and_the_title_counts_events():
    html = log_events_html(sample(), title="Aggregator logs")
    root = ET.fromstring(html)
    assert "Aggregator logs (8 log events)" in "".join(root.itertext())
    first_time = "".join(rows(html)[0].findall("td")[0].itertext())
    assert first_time == "10:00:00.000"
    assert "".join(rows(html)[2].findall("td")[0].itertext()) == "10:00:00.002"


def test_python_repr_quotes_lines_are_highlighted_too():
    message = f"[INFO]\t2026-11-27T10:00:00Z\t{RID}\tquotes: {QUOTES!r}"
    table = rows(log_events_html([log(0, message)]))
    assert json.loads(next(table[0].iter("pre")).text) == QUOTES


def test_no_log_events_gives_a_clear_message():
    root = ET.fromstring(log_events_html([], title="Aggregator"))
    text = "".join(root.itertext())
    assert "No log events yet" in text and "Aggregator" in text


def test_a_long_log_folds_under_its_aggregate_line():
    events = sample() + [log(10 + i, f"[INFO]\t2026-11-27T10:00:00Z\t{RID}\tline {i}") for i in range(4)]
    root = ET.fromstring(log_events_html(events, title="Aggregator", fold_over=8))
    details = root.find(".//details")
    summary = "".join(details.find("summary").itertext())
    assert summary.startswith('aggregate: {"count": 2}') and "show all 12 log events" in summary
    assert len(rows(log_events_html(events, fold_over=8))) == 12  # folded, not dropped
    assert log_events_html(sample(), fold_over=8).count("<details") == 0  # short logs stay open
    assert log_events_html(events).count("<details") == 0  # a live tail redraws: it does not fold


def test_a_long_message_folds_under_its_beginning_with_its_json_pretty_printed():
    event = {"Records": [{"EventSource": "aws:sns", "Sns": {"Message": "x" * 300}}]}
    message = f"[INFO]\t2026-11-27T10:00:00Z\t{RID}\treceived event: {json.dumps(event)}"
    row = rows(log_events_html([log(0, message)]))[0]
    details = next(row.iter("details"))
    assert "".join(details.find("summary").itertext()).startswith("received event: {")
    assert json.loads(next(details.iter("pre")).text) == event


def test_without_an_aggregate_or_quotes_line_the_key_line_is_the_last_error():
    lines = parse_log_events(sample())
    from workshop_utils.render.logs import key_line

    assert key_line(lines).message.startswith("aggregate:")
    assert key_line(lines[-1:]).message == "vendor down"
    assert key_line(lines[:2]) is None
