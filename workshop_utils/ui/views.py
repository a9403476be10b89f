"""Whole result views, composed from the renderers: pure functions from trigger results to HTML."""

from __future__ import annotations

import html
import json

from workshop_utils.quotes.timelines import execution_span_ms, role_label
from workshop_utils.quotes.triggers import ParallelExecution, SnsQuoteResult
from workshop_utils.render import (
    architecture_svg,
    execution_events_html,
    log_events_html,
    quotes_html,
    state_machine_svg,
)
from workshop_utils.render._common import inline_markdown
from workshop_utils.render._history import SUCCEEDED, state_statuses
from workshop_utils.render.logs import FOLD_OVER_EVENTS
from workshop_utils.render.state_machine import catch_targets
from workshop_utils.ui import outcomes
from workshop_utils.wiring import Wiring

_BOX = (
    "font-family:system-ui,sans-serif;color:#1f2328;background:#ffffff;border:1px solid #d0d7de;"
    "border-radius:8px;padding:10px 14px;margin:6px 0"
)


def section(title: str, body_html: str) -> str:
    """A titled, self-styled box, readable in light and dark JupyterLab themes."""
    return f'<div style="{_BOX}"><h4 style="margin:2px 0 8px">{html.escape(title)}</h4>{body_html}</div>'


def folded_solution_html(body_html: str, *, what: str) -> str:
    """A solution folded shut: only the reader's click on its summary shows it, in JupyterLab and in HTML copies."""
    summary = f"Show the solution ({html.escape(what)})"
    return (
        '<details class="workshop-solution" style="font-family:system-ui,sans-serif;color:#1f2328;margin:4px 0">'
        f'<summary style="cursor:pointer;font-weight:600">{summary}</summary>{body_html}</details>'
    )


def message_html(text: str, *, kind: str = "info", css_class: str = "") -> str:
    """A one-line message: info, success or error (css_class adds a marker class, e.g. check-failed)."""
    colours = {"info": ("#0969da", "#ddf4ff"), "success": ("#1a7f37", "#dafbe1"), "error": ("#cf222e", "#ffebe9")}
    fg, bg = colours[kind]
    classes = " ".join(filter(None, ("workshop-message", kind, css_class)))
    return (
        f'<div class="{classes}" style="font-family:system-ui,sans-serif;color:{fg};'
        f'background:{bg};border-radius:6px;padding:6px 10px;margin:4px 0">{inline_markdown(text)}</div>'
    )


def architecture_html(wiring: Wiring) -> str:
    """The wiring diagram with a caption that says where every arrow was read (no arrow is inferred)."""
    caption = (
        f"Every arrow was read from {wiring.read_from}, and is labelled with what it does; "
        "nothing is connected by name or by role."
    )
    notes = "".join(message_html(note, kind="error", css_class="architecture-note") for note in wiring.notes)
    return (
        f'{architecture_svg(wiring)}<p class="architecture-caption" style="margin:6px 0 0;color:#59636e;'
        f'font-size:12.5px">{html.escape(caption)}</p>{notes}'
    )


def json_html(data: object) -> str:
    """Pretty-printed JSON in a pre block."""
    text = html.escape(json.dumps(data, indent=2, default=str))
    return f'<pre style="background:#f6f8fa;color:#1f2328;padding:8px;border-radius:6px;margin:0">{text}</pre>'


def error_parts(error: str | None, cause: str | None) -> tuple[str, str, list[str]]:
    """(error type, message, stack trace lines) from a Step Functions error and cause, or a Lambda error
    payload: the cause is often the function's error as JSON, with the trace as `\\n`-joined strings."""
    kind, message, trace = error or "", cause or "", []
    try:
        parsed = json.loads(cause) if cause else None
    except (TypeError, ValueError):
        parsed = None
    if isinstance(parsed, dict):
        kind = str(parsed.get("errorType") or kind)
        message = str(parsed.get("errorMessage") or "")
        frames = parsed.get("stackTrace") or []
        trace = [line for frame in frames for line in str(frame).rstrip("\n").split("\n")]
    return kind, message, trace


def error_banner_html(headline: str, error: str | None, cause: str | None) -> str:
    """A red banner: the headline, then the error type and message readably; the stack trace folded below."""
    kind, message, trace = error_parts(error, cause)
    said = ": ".join(part for part in (kind, message) if part)
    banner = message_html(f"{headline}: {said}" if headline and said else (headline or said), kind="error")
    if not trace:
        return banner
    trace_css = "margin:4px 0 0;padding:6px 8px;background:#f6f8fa;color:#1f2328;border-radius:4px;font-size:12px"
    return (
        f'{banner}<details class="stack-trace" style="font-family:system-ui,sans-serif;color:#1f2328;margin:0 0 6px">'
        f'<summary style="cursor:pointer">Stack trace ({len(trace)} lines)</summary>'
        f'<pre style="{trace_css}">{html.escape(chr(10).join(trace))}</pre></details>'
    )


def answered_states(history: list[dict]) -> list[str]:
    """The responder states of an execution that succeeded (their answers are lost if the execution fails)."""
    statuses = state_statuses(history, {})
    return sorted(role_label(name) for name, status in statuses.items()
                  if name.startswith("Responder") and status == SUCCEEDED)


def parallel_story(execution: ParallelExecution) -> list[str]:
    """What happened to the tasks that failed or were retried, from the history."""
    return outcomes.parallel_story(execution.history, catch_targets(execution.definition))


def parallel_result_html(execution: ParallelExecution, *, compact: bool = False) -> str:
    """The graph coloured by the execution, what happened to each branch, its quotes or failure, and (unless
    compact) its output and events."""
    span = execution_span_ms(execution.history)
    duration = (f" in {span:,.0f} ms (from its first state entered to its last state left, as its history "
                "records them)" if span is not None else "")
    if execution.status == "SUCCEEDED":
        summary = message_html(f"Execution SUCCEEDED{duration} with {len(execution.quotes)} quotes.", kind="success")
        quotes = quotes_html(execution.quotes)
        output = json_html(execution.output)
    else:
        summary = error_banner_html(f"Execution {execution.status}{duration}", execution.error, execution.cause)
        gone = f"No quotes: the execution {execution.status.lower()}, so it has no output"
        answered = answered_states(execution.history)
        lost = f", although {' and '.join(answered)} answered" if answered else ""
        quotes = quotes_html([], empty_text=f"{gone}{lost}.")
        output = message_html(f"None: a {execution.status.lower()} execution has no output.")
    kind = "info" if execution.status == "SUCCEEDED" else "error"
    parts = [
        summary,
        story_html(parallel_story(execution), kind=kind),
        section("State machine", state_machine_svg(execution.definition, execution.history)),
        section("Quotes", quotes),
    ]
    if not compact:
        parts += [
            section("Execution output", output),
            section("Execution events", execution_events_html(execution.history)),
        ]
    return "".join(parts)


def sns_result_html(result: SnsQuoteResult) -> str:
    """The quotes gathered for one request and the aggregator's log lines that carried them."""
    if result.complete:
        vendors = result.expected_vendors
        gathered = {1: "The quote", 2: "Both quotes"}.get(vendors, f"All {vendors} quotes")
        summary = message_html(
            f"{gathered} for request {result.handle.uuid} {'was' if vendors == 1 else 'were'} logged by the "
            f"aggregator {result.elapsed_ms} ms after the request was sent.",
            kind="success",
        )
    else:
        summary = message_html(
            f"{len(result.quotes)} of {result.expected_vendors} quotes for request {result.handle.uuid}.",
            kind="error",
        )
    parts = [
        summary,
        section("Quotes", quotes_html(result.quotes)),
        section("Aggregator log lines", log_events_html(result.log_events, fold_over=FOLD_OVER_EVENTS)),
    ]
    return "".join(parts)


_CELL = "text-align:left;padding:4px 8px;border-top:1px solid #d0d7de"


def _table(headers: list[str], rows: list[list[str]]) -> str:
    """A plain table; cells are already-escaped HTML."""
    head = "".join(f'<th style="text-align:left;padding:4px 8px">{h}</th>' for h in headers)
    body = "".join(
        "<tr>" + "".join(f'<td style="{_CELL}">{c}</td>' for c in row) + "</tr>"
        for row in rows
    )
    return f'<table style="border-collapse:collapse;color:#1f2328;background:#fff"><tr>{head}</tr>{body}</table>'


def rows_html(rows: list[dict]) -> str:
    """A list of flat dicts as a table, one column per key of the first row."""
    if not rows:
        return message_html("Nothing.")
    headers = list(rows[0])
    cells = [[html.escape(str(row.get(key, ""))) for key in headers] for row in rows]
    return _table([html.escape(h) for h in headers], cells)


def figure_html(figure) -> str:
    """A matplotlib Figure as an inline PNG image (no pyplot, no backend set-up, works in exported HTML)."""
    import base64
    import io

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110)
    encoded = base64.b64encode(buffer.getvalue()).decode()
    return f'<img alt="figure" style="max-width:100%;background:#fff" src="data:image/png;base64,{encoded}">'


def checks_html(checks: list) -> str:
    """The prerequisites table: a green tick or a red cross per row, and every row's fix (bold red when needed)."""
    rows = [
        [
            '<b style="color:#1a7f37">✔</b>' if c.ok else '<b style="color:#cf222e">✘</b>',
            html.escape(c.name),
            html.escape(c.found),
            (f'<span style="color:#59636e">{inline_markdown(c.fix)}</span>' if c.ok
             else f'<b style="color:#cf222e">{inline_markdown(c.fix)}</b>') if c.fix else "",
        ]
        for c in checks
    ]
    return section("Prerequisites", _table(["", "prerequisite", "found", "fix (needed on a red row)"], rows))


def resources_html(resources: list) -> str:
    """Resources (stack, type, physical id) as a table; an empty list says so."""
    if not resources:
        return message_html("Nothing.", kind="success")
    rows = [[html.escape(r.stack), html.escape(r.resource_type), html.escape(r.physical_id)] for r in resources]
    return _table(["stack", "type", "physical id"], rows)


def _find_record(value: object) -> dict | None:
    if isinstance(value, dict):
        if "requestContext" in value and "responsePayload" in value:
            return value
        candidates = list(value.values())
    elif isinstance(value, list):
        candidates = value
    elif isinstance(value, str) and value.lstrip().startswith("{"):
        try:
            return _find_record(json.loads(value))
        except json.JSONDecodeError:
            return None
    else:
        return None
    return next((found for c in candidates if (found := _find_record(c))), None)


def destination_record_in(message: str, correlation_id: str) -> dict | None:
    """The Lambda destination record inside a log line (possibly wrapped in an SNS event), if it has this uuid."""
    if correlation_id not in message or "{" not in message:
        return None
    return _find_record(message[message.index("{") :])


# ---------------------------------------------------------------- side by side


def story_html(sentences: list[str], *, kind: str = "info") -> str:
    """What just happened, one sentence a line, written from the results."""
    if not sentences:
        return ""
    items = "".join(f'<li style="margin:2px 0">{html.escape(sentence)}</li>' for sentence in sentences)
    colours = {"info": "#ddf4ff", "success": "#dafbe1", "error": "#ffebe9"}
    return (
        f'<ul class="story {kind}" style="font-family:system-ui,sans-serif;color:#1f2328;'
        f'background:{colours[kind]};border-radius:6px;padding:6px 10px 6px 28px;margin:4px 0">{items}</ul>'
    )


def columns_html(*columns: str, min_width_px: int = 420) -> str:
    """Columns side by side where the width allows, stacked where it does not (CSS flex-wrap, no script)."""
    cells = "".join(
        f'<div class="column" style="flex:1 1 {min_width_px}px;min-width:0;max-width:100%">{column}</div>'
        for column in columns
    )
    return f'<div class="columns" style="display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start">{cells}</div>'


def failure_record_html(summary: dict, record: dict) -> str:
    """One OnFailure record: who failed, after how many attempts, and why; the whole record folded below."""
    title = f"{summary['function']}: {summary['condition']} after {summary['attempts']} attempt(s)"
    body = error_banner_html("", summary.get("error"), json.dumps(record.get("responsePayload") or {}))
    folded = (
        '<details style="font-family:system-ui,sans-serif;color:#1f2328"><summary style="cursor:pointer">'
        f"The whole record, as the failed-invocations queue holds it</summary>{json_html(record)}</details>"
    )
    return section(title, body + folded)
