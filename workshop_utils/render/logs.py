"""Render CloudWatch log events as a table: time, request id, message; quote lines highlighted and pretty-printed."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from workshop_utils.render._common import (
    INK,
    MONO,
    MUTED,
    TABLE_STYLE,
    card,
    empty_message,
    esc,
    expandable,
    format_clock,
    loads_lenient,
    pre,
    pretty_json,
    strip_ansi,
    style,
    th_row,
    to_epoch_ms,
    truncate,
)
from workshop_utils.render._common import td as cell

HIGHLIGHT_ROW = "#fff8c5"
ERROR_INK = "#a40e26"
PLATFORM_PREFIXES = ("INIT_START", "INIT_REPORT", "INIT_RUNTIME_DONE", "EXTENSION", "TELEMETRY", "RUNTIME_DONE")
HIGHLIGHT_PREFIXES = ("quotes", "aggregate")

_PLATFORM = re.compile(r"^(START|END|REPORT) RequestId:\s*(?P<rid>[0-9A-Za-z-]+)")
# Lambda's Python logging format: "[LEVEL]\t<iso time>\t<request id>\t<message>"
_RUNTIME = re.compile(r"^\[(?P<level>[A-Z]+)\]\t(?P<time>[^\t]*)\t(?P<rid>[^\t]*)\t(?P<message>.*)$", re.DOTALL)
_PREFIXED = re.compile(r"\b(?P<prefix>quotes|aggregate):\s*(?P<payload>.*)$", re.DOTALL)


@dataclass
class LogLine:
    """One parsed log event."""

    timestamp_ms: float | None
    stream: str
    request_id: str
    level: str
    message: str
    platform: bool
    marker: str = ""  # "start", "end" or "report" for Lambda's own invocation lines


def parse_log_event(event: dict[str, Any], current_request: str = "") -> LogLine:
    """Split a CloudWatch log event into level, request id and message (request id inherited if absent)."""
    raw = strip_ansi(str(event.get("message", ""))).rstrip("\n")
    stamp = to_epoch_ms(event.get("timestamp"))
    stream = str(event.get("logStreamName", ""))
    platform = raw.startswith(PLATFORM_PREFIXES)
    match = _PLATFORM.match(raw)
    if match:
        return LogLine(stamp, stream, match.group("rid"), "", raw, True, match.group(1).lower())
    match = _RUNTIME.match(raw)
    if match:
        rid = match.group("rid").strip()
        rid = "" if rid.lower() in ("", "none", "null", "-") else rid
        return LogLine(stamp, stream, rid or current_request, match.group("level"), match.group("message"), False)
    if raw.startswith("{"):
        structured = _structured(raw, stamp, stream, current_request)
        if structured is not None:
            return structured
    return LogLine(stamp, stream, current_request, "", raw, platform)


def _structured(raw: str, stamp: float | None, stream: str, current_request: str) -> LogLine | None:
    """Lambda's JSON log format: application lines and platform.* records."""
    try:
        record = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(record, dict):
        return None
    inner = record.get("record") if isinstance(record.get("record"), dict) else {}
    rid = record.get("requestId") or record.get("AWSRequestId") or inner.get("requestId") or ""
    kind = str(record.get("type", ""))
    if kind.startswith("platform."):
        marker = kind.removeprefix("platform.") if kind in ("platform.start", "platform.report") else ""
        return LogLine(stamp, stream, str(rid) or current_request, "", raw, True, marker)
    if "message" not in record:
        return None
    message = record["message"]
    text = message if isinstance(message, str) else json.dumps(message)
    return LogLine(stamp, stream, str(rid) or current_request, str(record.get("level", "")), text, False)


def parse_log_events(events: list[dict]) -> list[LogLine]:
    """Parse events in time order; lines without their own request id inherit the one of their stream's START."""
    ordered = events
    if all(to_epoch_ms(e.get("timestamp")) is not None for e in events):
        ordered = sorted(events, key=lambda e: to_epoch_ms(e.get("timestamp")) or 0.0)
    current: dict[str, str] = {}
    lines = []
    for event in ordered:
        stream = str(event.get("logStreamName", ""))
        line = parse_log_event(event, current.get(stream, ""))
        if line.marker == "start":
            current[stream] = line.request_id
        elif line.marker == "report":
            current.pop(stream, None)
        lines.append(line)
    return lines


FOLD_OVER_EVENTS = 8  # more log events than this: the table is folded under its key line
FOLD_OVER_CHARS = 240  # a longer ordinary message is folded under its beginning
SUMMARY_CHARS = 160


def key_line(lines: list[LogLine]) -> LogLine | None:
    """The line a reader wants first: the last `aggregate:` line, else the last `quotes:` line, else the last
    error, else None."""
    for wanted in ("aggregate", "quotes"):
        for line in reversed(lines):
            match = _PREFIXED.search(line.message)
            if match and match.group("prefix") == wanted and not line.platform:
                return line
    return next((line for line in reversed(lines) if _is_error(line)), None)


def log_events_html(events: list[dict], title: str | None = None, *, fold_over: int | None = None) -> str:
    """CloudWatch log events as a table; `quotes:`/`aggregate:` lines highlighted with their JSON pretty-printed.

    More than `fold_over` events (e.g. FOLD_OVER_EVENTS) fold into a <details> whose summary is the key line;
    a live view that redraws leaves it None, or each redraw would fold the table again."""
    heading = title if title is not None else None
    if not events:
        return card(empty_message("No log events yet: send a request, wait a few seconds, then refresh."),
                    css_class="log-events", title=heading)
    lines = parse_log_events(events)
    rows = "".join(_row(line) for line in lines)
    table = (
        f'<table class="log-events-table" style="{TABLE_STYLE}">'
        f"{th_row(['Time (UTC)', 'Request id', 'Message'])}<tbody>{rows}</tbody></table>"
    )
    count = f"{len(events)} log event{'s' if len(events) != 1 else ''}"
    if fold_over is not None and len(events) > fold_over:
        key = key_line(lines)
        said = _one_line(key.message, SUMMARY_CHARS) if key else f"the last line: {_one_line(lines[-1].message, 80)}"
        summary = (
            f'<span class="key-line" style="font-family:{MONO};color:{INK}">{esc(said)}</span>'
            f'<span style="color:{MUTED}"> · click to show all {esc(count)}</span>'
        )
        table = expandable(summary, table)
    return card(table, css_class="log-events", title=f"{heading} ({count})" if heading else count)


def _one_line(text: str, limit: int) -> str:
    return truncate(" ".join(text.split()), limit)


def _is_error(line: LogLine) -> bool:
    return line.level in ("ERROR", "CRITICAL", "FATAL") or line.message.startswith(("Traceback", "[ERROR]"))


def _row(line: LogLine) -> str:
    highlighted = _PREFIXED.search(line.message) is not None and not line.platform
    error = _is_error(line)
    classes = ["log-event"]
    if line.platform:
        classes.append("platform")
    if highlighted:
        classes.append("highlight")
    if error:
        classes.append("error")
    background = HIGHLIGHT_ROW if highlighted else "#ffffff"
    ink = MUTED if line.platform else (ERROR_INK if error else INK)
    dim = {"opacity": "0.75"} if line.platform else {}
    short_id = line.request_id[:8]
    rid_html = f'<span title="{esc(line.request_id)}" style="font-family:{MONO}">{esc(short_id)}</span>'
    stamp_title = esc(line.stream)
    return (
        f'<tr class="{" ".join(classes)}" data-request-id="{esc(line.request_id)}" '
        f'style="background:{background}">'
        + cell(f'<span title="{stamp_title}">{esc(format_clock(line.timestamp_ms))}</span>',
               white_space="nowrap", color=ink, font_family=MONO, font_size="12px", **dim)
        + cell(rid_html, white_space="nowrap", color=ink, **dim)
        + cell(_message_html(line, highlighted), color=ink, width="100%", **dim)
        + "</tr>"
    )


def _level_badge(level: str) -> str:
    if not level:
        return ""
    colour = {"ERROR": ERROR_INK, "CRITICAL": ERROR_INK, "WARNING": "#9a6700", "WARN": "#9a6700"}.get(level, MUTED)
    css = style(color=colour, border=f"1px solid {colour}", border_radius="3px", padding="0 4px",
                font_size="10.5px", margin_right="6px", font_family=MONO)
    return f'<span class="level" style="{css}">{esc(level)}</span>'


def _message_html(line: LogLine, highlighted: bool) -> str:
    badge = _level_badge(line.level)
    text = line.message
    match = _PREFIXED.search(text) if highlighted else None
    if match:
        before = text[: match.start()].strip()
        try:
            payload = pretty_json(loads_lenient(match.group("payload")))
        except ValueError:
            payload = match.group("payload")
        label = f'<strong style="color:{INK}">{esc(match.group("prefix"))}:</strong>'
        lead = f"{esc(before)} " if before else ""
        return f"{badge}{lead}{label}{pre(payload, background='#fffdf0')}"
    stripped = text.strip()
    if stripped[:1] in ("{", "[") and not line.platform:
        try:
            return badge + pre(pretty_json(json.loads(stripped)))
        except ValueError:
            pass
    body_css = style(font_family=MONO, font_size="12px", white_space="pre-wrap", word_break="break-word")
    if len(text) > FOLD_OVER_CHARS and not line.platform:
        return badge + expandable(esc(_one_line(text, SUMMARY_CHARS // 2)), _folded_body(text))
    return f'{badge}<span style="{body_css}">{esc(text)}</span>'


def _folded_body(text: str) -> str:
    """A long message in full: its JSON part (e.g. after "received event: ") pretty-printed when it parses."""
    start = min((i for i in (text.find("{"), text.find("[")) if i >= 0), default=-1)
    if start >= 0:
        try:
            payload = pretty_json(json.loads(text[start:]))
        except ValueError:
            pass
        else:
            lead = text[:start].strip()
            return (f"<div>{esc(lead)}</div>" if lead else "") + pre(payload)
    return pre(text)
