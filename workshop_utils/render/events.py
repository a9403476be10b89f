"""Render a Step Functions execution history (get_execution_history()["events"]) as an HTML table."""

from __future__ import annotations

import json

from workshop_utils.render._common import (
    INK,
    MUTED,
    TABLE_STYLE,
    card,
    empty_message,
    esc,
    expand_json_strings,
    expandable,
    pre,
    pretty_json,
    th_row,
    to_epoch_ms,
    truncate,
)
from workshop_utils.render._common import td as cell
from workshop_utils.render._history import details_of, is_failure_event, sorted_events, state_name_of

FAILURE_ROW = "#ffebe9"
FAILURE_INK = "#a40e26"
SUCCESS_INK = "#1a7f37"


def execution_events_html(events: list[dict]) -> str:
    """A table of history events: id, type, state, elapsed ms since the first event, expandable details."""
    if not events:
        return card(empty_message("No execution events yet: start an execution, then refresh."),
                    css_class="execution-events")
    ordered = sorted_events(events)
    first_ms = next((ms for e in ordered if (ms := to_epoch_ms(e.get("timestamp"))) is not None), None)
    rows = "".join(_row(event, first_ms) for event in ordered)
    failures = sum(1 for e in ordered if is_failure_event(str(e.get("type", ""))))
    caption = f"{len(ordered)} events" + (f", {failures} failure{'s' if failures != 1 else ''}" if failures else "")
    table = (
        f'<table class="execution-events-table" style="{TABLE_STYLE}">'
        f"{th_row(['#', 'Type', 'State', 'Elapsed (ms)', 'Details'])}<tbody>{rows}</tbody></table>"
    )
    return card(table, css_class="execution-events", title=f"Execution history ({caption})")


def _row(event: dict, first_ms: float | None) -> str:
    event_type = str(event.get("type", ""))
    failed = is_failure_event(event_type)
    stamp = to_epoch_ms(event.get("timestamp"))
    elapsed = f"{stamp - first_ms:,.0f}" if stamp is not None and first_ms is not None else ""
    details = details_of(event)
    row_style = f' style="background:{FAILURE_ROW}"' if failed else ' style="background:#ffffff"'
    css = "event failure" if failed else "event"
    type_colour = FAILURE_INK if failed else (SUCCESS_INK if event_type.endswith("Succeeded") else INK)
    type_html = esc(event_type)
    if failed and (details.get("error") or details.get("cause")):
        type_html += f'<div style="color:{FAILURE_INK};font-size:11.5px">{esc(_failure_summary(details))}</div>'
    return (
        f'<tr class="{css}" data-event-id="{esc(event.get("id", ""))}" data-type="{esc(event_type)}"{row_style}>'
        + cell(esc(event.get("id", "")), color=MUTED, white_space="nowrap")
        + cell(type_html, color=type_colour, font_weight="600" if failed else None)
        + cell(esc(state_name_of(event) or ""))
        + cell(esc(elapsed), text_align="right", white_space="nowrap", font_variant_numeric="tabular-nums")
        + cell(_details(details), width="45%")
        + "</tr>"
    )


def _failure_summary(details: dict) -> str:
    error = str(details.get("error") or "")
    cause = str(details.get("cause") or "")
    try:  # Lambda causes are JSON with errorMessage
        message = json.loads(cause).get("errorMessage", cause)
    except (ValueError, AttributeError):
        message = cause
    return truncate(": ".join(part for part in (error, str(message)) if part), 160)


def _details(details: dict) -> str:
    if not details:
        return ""
    shown = expand_json_strings(details)
    preview = truncate(json.dumps(details, ensure_ascii=False, default=str), 70)
    body = pre(pretty_json(shown))
    return expandable(esc(preview), body)
