"""The one import of every notebook: each cell calls one or two of these, which show their result inline."""

from __future__ import annotations

import copy
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from IPython.display import HTML, display

from workshop_utils import (
    aggregates,
    cdk,
    exercise,
    exercise_files,
    refactoring,
    source_code,
    stacks,
    target,
    timelines,
    triggers,
    views,
)
from workshop_utils.logs import fetch_log_events, function_log_group
from workshop_utils.prerequisites import check_all
from workshop_utils.quote_input import QuoteRequest, parse_quote_form
from workshop_utils.render import (
    architecture_svg,
    code_side,
    diff_html,
    execution_events_html,
    log_events_html,
    quotes_html,
    refactoring_html,
    source_html,
    state_machine_svg,
    timeline_svg,
)
from workshop_utils.stacks import PARALLEL_STACK, SNS_STACK
from workshop_utils.widgets import DeployPanel, LogTail, QuoteForm

__all__ = ["PARALLEL_STACK", "SNS_STACK", "DeployPanel", "LogTail", "QuoteForm"]
_CDK_JSON = Path(__file__).resolve().parent.parent / "cdk.json"


def _show(html_text: str) -> None:
    display(HTML(html_text))


# ---------------------------------------------------------------- set-up


def show_prerequisites() -> None:
    """Show the prerequisites table, with the fix for each red row."""
    checks = check_all(include_local_cloud=target.current() == "local")
    _show(views.checks_html(checks))


def use_target(name: str = "local", *, endpoint_url: str | None = None) -> None:
    """Choose where the stacks deploy: "local" (the embedded local cloud) or "aws"."""
    target.use_target(name, endpoint_url=endpoint_url)
    info = target.describe()
    _show(views.message_html(f"Target: {info.name} ({info.endpoint or 'AWS endpoints'}, {info.region})."))


def start_local_cloud() -> None:
    """Start the local cloud if it is not running (idempotent) and show its status."""
    from workshop_utils.local_cloud import service

    # LOCAL_CLOUD_PORT lets a second copy of the workshop (or the tests) use another port; 0 picks a free one.
    status = service.start(port=int(os.environ.get("LOCAL_CLOUD_PORT", "4566")))
    _show(views.message_html(f"Local cloud healthy at {status.endpoint_url} (pid {status.pid}).", kind="success"))


def stop_local_cloud() -> None:
    """Stop the local cloud and every Lambda worker it started (nothing to do on another target)."""
    from workshop_utils.local_cloud import service

    if target.current() != "local" or target.endpoint_override():
        _show(views.message_html(f"Nothing to stop: the target is {target.current()}, not the local cloud."))
        return
    service.stop()
    _show(views.message_html("Local cloud stopped; nothing of it is left running.", kind="success"))


def check_target() -> None:
    """Check credentials, region and bootstrap (AWS) or the local cloud (local), and bootstrap if needed."""
    info = target.check()
    cdk.ensure_bootstrapped()
    _show(views.message_html(f"Ready to deploy to {info.name}: account {info.account}, {info.region}.", kind="success"))


# ---------------------------------------------------------------- deploy and inspect


def default_recipients() -> dict:
    """The vendors in cdk.json's `recipients` context."""
    return copy.deepcopy(json.loads(_CDK_JSON.read_text())["context"]["recipients"])


def _context(recipients: dict | None, extra: dict) -> dict | None:
    context = dict(extra)
    if recipients is not None:
        context["recipients"] = recipients
    return context or None


def deploy(stack: str, *, recipients: dict | None = None, **context: object) -> None:
    """Deploy one stack with live progress (context overrides as keywords), then show its outputs."""
    cdk.ensure_bootstrapped()
    outputs = cdk.deploy(stack, context=_context(recipients, context))
    _show(views.message_html(f"{stack} deployed.", kind="success"))
    _show(views.section(f"{stack} outputs", views.json_html(outputs)))


def show_diff(stack: str, *, recipients: dict | None = None, **context: object) -> None:
    """Show what `cdk diff` says would change with these recipients (and context overrides)."""
    _show(views.message_html(f"Running cdk diff {stack} (a synth takes about 12 s)..."))
    text = cdk.diff(stack, context=_context(recipients, context), on_line=lambda _line: None)
    _show(views.section(f"cdk diff {stack}", diff_html(text)))


def show_architecture(stack: str) -> None:
    """Draw the stack as deployed, from its CloudFormation resources."""
    _show(views.section(f"{stack}, as deployed", architecture_svg(stacks.stack_resources(stack), stack)))


def show_outputs(stack: str) -> None:
    """Show the stack's outputs."""
    outputs = stacks.stack_outputs(stack)
    _show(views.section(f"{stack} outputs", views.json_html(outputs)))


def quote_form(pattern: str) -> QuoteForm:
    """The request form for "parallel" or "sns"; display it, then click (or call .submit())."""
    return QuoteForm(pattern)


def _live_bundle(widget: object, parts: list, title: str) -> dict:
    # The live widget for JupyterLab, plus what its parts show now as plain HTML for saved and exported copies
    # (an exported page has no widget manager offline; the headless run's copies prefer text/html).
    bundle = dict(widget._repr_mimebundle_() or {})  # type: ignore[attr-defined]
    shown = "".join(part.value for part in parts)
    bundle["text/html"] = views.section(title, shown) if shown else ""
    return bundle


def _display_live(widget: object, parts: list, title: str) -> None:
    """Display a widget whose HTML `parts` are also kept, as they change, in the notebook's static output."""
    handle = display(_live_bundle(widget, parts, title), raw=True, display_id=True)

    def refresh(_change: object) -> None:
        if handle is not None:
            handle.update(_live_bundle(widget, parts, title), raw=True)

    for part in parts:
        part.observe(refresh, names="value")


def request_form(pattern: str) -> QuoteForm:
    """Show the request form for "parallel" or "sns"; its latest result stays in the notebook as static HTML."""
    form = QuoteForm(pattern)
    _display_live(form, [form.status, form.result_view], f"The form's latest result ({pattern})")
    return form


def show_aggregator_tail() -> LogTail:
    """Show a live tail of the aggregator's log group; what it shows stays in the notebook as static HTML."""
    tail = aggregator_tail()
    tail.since_ms = now_ms()  # only what happens from now on: earlier requests are shown where they were sent
    _display_live(tail, [tail.state, tail.view], "The aggregator's log, as the tail last showed it")
    return tail


def show_graph(execution: triggers.ParallelExecution) -> None:
    """The state machine coloured by this execution."""
    _show(views.section("State machine", state_machine_svg(execution.definition, execution.history)))


def show_quotes(result: triggers.ParallelExecution | triggers.SnsQuoteResult) -> None:
    """The quotes of a result, best price marked."""
    _show(views.section("Quotes", quotes_html(result.quotes)))


def show_output(execution: triggers.ParallelExecution) -> None:
    """The execution's output JSON."""
    _show(views.section("Execution output", views.json_html(execution.output)))


def show_events(execution: triggers.ParallelExecution) -> None:
    """The execution's events, each expandable."""
    _show(views.section("Execution events", execution_events_html(execution.history)))


def show_function_logs(stack: str, role: str, *, since_ms: int) -> None:
    """The log events of the stack's functions whose logical id contains `role` (e.g. "Responder")."""
    for function in stacks.functions(stack, role):
        events = fetch_log_events(function_log_group(function), start_ms=since_ms)
        _show(views.section(f"Logs of {function}", log_events_html(events)))


def show_responder_logs(execution: triggers.ParallelExecution) -> None:
    """The Parallel stack's responders' logs since this execution started."""
    show_function_logs(PARALLEL_STACK, "Responder", since_ms=int(execution.started_at.timestamp() * 1000) - 1000)


def show_sns_result(result: triggers.SnsQuoteResult) -> None:
    """One SNS request's quotes and the aggregator lines that carried them (a static copy of the form's view)."""
    _show(views.sns_result_html(result))


def show_log_events(events: list[dict], title: str) -> None:
    """Log events as a table (a static copy of what a live tail showed)."""
    _show(views.section(title, log_events_html(events)))


def aggregator_tail() -> LogTail:
    """A live tail of the aggregator's log group."""
    return LogTail(triggers.aggregator_log_group(), interval_s=0.5, title="Aggregator log")


def send_sns_request(car_type: str = "XL", days: int | str = 7) -> triggers.SnsQuoteHandle:
    """Send one request through the SNS pattern and return at once with its uuid."""
    handle = triggers.request_sns_quote(parse_quote_form(car_type, days))
    _show(views.message_html(f"Sent request {handle.uuid}; the requester answered 202 and returned at once."))
    return handle


def show_destination_record(handle: triggers.SnsQuoteHandle) -> dict | None:
    """The Lambda destination record a responder received through SNS for this request."""
    for function in stacks.functions(SNS_STACK, "Responder"):
        for event in fetch_log_events(function_log_group(function), start_ms=handle.sent_at_ms - 1000):
            record = views.destination_record_in(event["message"], handle.uuid)
            if record:
                _show(views.section(f"Destination record received by {function}", views.json_html(record)))
                return record
    _show(views.message_html("No destination record found yet: send a request above, then re-run this cell."))
    return None


# ---------------------------------------------------------------- the code on the page, and the exercises


def show_source(path: str, target: str | None = None, *, emphasise: tuple[int | str, ...] = (),
                title: str | None = None) -> None:
    """Show a function, class or `region:<name>` of a project file, read now, `emphasise`d lines marked."""
    try:
        snippet = source_code.read_snippet(path, target, emphasise=emphasise)
    except source_code.SourceNotFound as error:
        return _show(views.message_html(str(error), kind="error"))
    _show(source_html(snippet.path, snippet.lines, first_line=snippet.first_line, emphasised=snippet.emphasised,
                      title=title))


def show_refactoring() -> None:
    """The Parallel state's definition and the wiring that replaces it side by side, then who does each job."""
    sides = [code_side(ref.title, source_code.read_snippet(ref.path, ref.target, emphasise=ref.emphasise))
             for ref in (refactoring.BEFORE, refactoring.AFTER)]
    _show(refactoring_html(*sides, refactoring.jobs_rows()))


def check_vendors_exercise() -> None:
    """01's exercise: deploy the Parallel stack with exercises/vendors.py's vendors, send a request, count branches."""
    try:
        vendors = exercise_files.load_vendors()
    except exercise_files.ExerciseFileError as error:
        return _verdict(False, "", str(error))
    problem = exercise_files.vendors_problem(vendors, default_recipients())
    if problem:
        return _verdict(False, "", problem)
    deploy(PARALLEL_STACK, recipients=vendors)
    execution = triggers.request_parallel_quote(QuoteRequest("Compact", 3))
    show_graph(execution)
    branches = exercise_files.branch_vendors(execution.definition)
    _verdict(
        sorted(branches) == sorted(vendors) and len(execution.quotes) == len(vendors),
        f"The state machine now has {len(branches)} branches ({', '.join(branches)}) and answered with "
        f"{len(execution.quotes)} quotes: adding a vendor meant changing the orchestrator's definition and "
        "redeploying it.",
        f"The state machine has branches for {', '.join(branches)} and answered with {len(execution.quotes)} "
        f"quotes, not one per vendor of exercises/vendors.py: run this cell again.",
    )


def show_vendors_solution() -> None:
    """The vendors exercise, solved (the scaffold with the model answer on its marked line)."""
    scaffold = (exercise_files.EXERCISES_DIR / exercise_files.VENDORS_FILE).read_text(encoding="utf-8")
    solved = exercise_files.vendors_solution(scaffold).splitlines()
    _show(source_html(f"exercises/{exercise_files.VENDORS_FILE}", solved, title="Solution",
                      emphasised=frozenset(n for n, line in enumerate(solved, 1)
                                           if exercise_files.SOLUTION_VENDOR in line)))


def check_wiring() -> None:
    """02a's exercise: synthesize exercises/sns_wiring.py's wiring and compare; if complete, deploy it and try it."""
    from workshop_utils import wiring_exercise

    _show(views.message_html("Synthesizing your stack from exercises/sns_wiring.py (about 20 s)..."))
    report = wiring_exercise.check()
    if report.error:
        return _verdict(False, "", report.error)
    for problem in report.problems:
        _verdict(False, "", problem)
    if report.problems:
        _show(views.message_html("Fix these in exercises/sns_wiring.py, save it, then run this cell again."))
        return None
    _verdict(True, "Your wiring has every piece: deploying your version of the stack.", "")
    deploy(SNS_STACK, sns_wiring="exercise")
    handle = triggers.request_sns_quote(QuoteRequest("Compact", 3))
    try:
        document = aggregates.wait_for_aggregate(handle)
    except triggers.QuoteTimeout as timeout:
        return _verdict(False, "", str(timeout))
    _verdict(
        document.get("status") == "complete",
        f"Your stack gathered request {handle.uuid}: {len(document.get('quotes', []))} quotes, one aggregate.",
        f"Your stack's aggregate for {handle.uuid} is {document.get('status')}, missing "
        f"{', '.join(document.get('missing_vendors') or [])}: compare your wiring with the solution below.",
    )


def use_finished_wiring() -> None:
    """Deploy the SNS stack with the finished wiring (infra/sns_wiring.py), whatever the exercise file holds."""
    deploy(SNS_STACK, sns_wiring="finished")


# ---------------------------------------------------------------- the Aggregator and failures


def wait_for_aggregate(handle: triggers.SnsQuoteHandle) -> dict:
    """Wait for this request's one aggregate and show it."""
    document = aggregates.wait_for_aggregate(handle)
    kind = "success" if document.get("status") == "complete" else "error"
    missing = ", ".join(document.get("missing_vendors") or []) or "none"
    _show(views.message_html(f"Aggregate {document.get('status')}: missing vendors: {missing}.", kind=kind))
    _show(views.section("Aggregate", quotes_html(document.get("quotes", [])) + views.json_html(document)))
    return document


def show_table_items(handle: triggers.SnsQuoteHandle) -> None:
    """The aggregates table's items for one request."""
    _show(views.section(f"Table items for {handle.uuid}", views.json_html(aggregates.table_items(handle.uuid))))


def check_completeness_condition(condition: exercise.Condition) -> None:
    """Check a completeness condition on edge cases, then against a real request on the deployed stack."""
    result = exercise.check_edge_cases(condition)
    if not result.attempted:
        _show(views.message_html("Not written yet: replace `raise NotImplementedError` above, then run this cell."))
        return
    if result.passed:
        handle = triggers.request_sns_quote(QuoteRequest("Compact", 2))
        document = aggregates.wait_for_aggregate(handle)
        answered = {item["vendor"] for item in aggregates.table_items(handle.uuid) if "vendor" in item}
        expected = {quote.get("vendor") for quote in document.get("quotes", [])} | set(document["missing_vendors"])
        result = exercise.check_against_aggregate(
            condition, expected=expected, answered=answered, status=document["status"]
        )
    _verdict(
        result.passed,
        "Your condition agrees with every edge case and with the deployed aggregator.",
        "Not yet: " + "; ".join(result.failures) + ". Change the condition, then run this cell again.",
    )


def send_parallel_request(car_type: str = "XL", days: int | str = 3) -> triggers.ParallelExecution:
    """Send one request through the Parallel state machine and show how it ended."""
    execution = triggers.request_parallel_quote(parse_quote_form(car_type, days))
    _show(views.parallel_result_html(execution))
    return execution


def show_failure_records(*, since_ms: int, at_least: int = 0, timeout_s: float = 30.0) -> list[dict]:
    """The OnFailure records (failed invocations queue) since a time, waiting for `at_least` of them."""
    give_up = time.monotonic() + timeout_s
    records = aggregates.failure_records(since_ms=since_ms)
    while len(records) < at_least and time.monotonic() < give_up:
        time.sleep(0.5)
        records = aggregates.failure_records(since_ms=since_ms)
    rows = [aggregates.failure_summary(record) for record in records]
    if not rows:
        _show(views.message_html("No failure recorded since then."))
    for row, record in zip(rows, records, strict=True):
        title = f"{row['function']}: {row['condition']} after {row['attempts']} attempt(s): {row['error']}"
        body = views.message_html(str(row["message"]), kind="error") + views.json_html(record)
        _show(views.section(title, body))
    return rows


def send_invalid_parallel(payload: object) -> triggers.ParallelExecution:
    """Start the Parallel state machine with a payload the form would refuse, and show how it ends."""
    execution = triggers.run_parallel_payload(payload)
    _show(views.parallel_result_html(execution))
    return execution


def send_invalid_sns(payload: object) -> triggers.SnsQuoteHandle:
    """Invoke the SNS requester with a payload the form would refuse (it answers 202 all the same)."""
    handle = triggers.send_sns_payload(payload)
    _show(views.message_html("Sent; Lambda answered 202 Accepted: the failure, if any, happens later."))
    return handle


def now_ms() -> int:
    """The current time in epoch milliseconds (to find what happened after it)."""
    from workshop_utils.logs import now_ms as current

    return current()


# ---------------------------------------------------------------- side by side


@dataclass
class Comparison:
    """The same request through both patterns: the execution, the aggregate and both timelines."""

    request: QuoteRequest
    parallel: triggers.ParallelExecution
    sns_aggregate: dict
    sns_lanes: list[tuple[str, float, float]]


def compare(car_type: str = "XL", days: int | str = 7) -> Comparison:
    """Send the same request through both patterns (at the same time) and collect both timelines."""
    request = parse_quote_form(car_type, days)
    handle = triggers.request_sns_quote(request)
    parallel = triggers.request_parallel_quote(request)
    aggregate = aggregates.wait_for_aggregate(handle)
    lanes = aggregates.invocation_lanes(handle)
    return Comparison(request, parallel, aggregate, lanes)


def show_comparison(comparison: Comparison) -> None:
    """Both timelines on one time axis, then each side's outcome."""
    lanes = {
        "Parallel (Step Functions)": timelines.execution_bars(comparison.parallel.history),
        "SNS (choreography)": comparison.sns_lanes,
    }
    _show(views.section("Timelines, same request", timeline_svg(lanes)))
    _show(views.section("Parallel state", views.parallel_result_html(comparison.parallel)))
    aggregate = comparison.sns_aggregate
    missing = ", ".join(aggregate.get("missing_vendors") or []) or "none"
    summary = views.message_html(
        f"Aggregate {aggregate.get('status')}; missing vendors: {missing}.",
        kind="success" if aggregate.get("status") == "complete" else "error",
    )
    _show(views.section("SNS scatter-gather", summary + quotes_html(aggregate.get("quotes", []))))


def benchmark(requests: int = 30, concurrency: int = 5) -> dict:
    """Send the same requests through both deployed stacks; plot latencies, return the runs."""
    from workshop_utils import bench, plots

    runs = bench.run_patterns(requests, concurrency)
    summaries = {name: run.summary() for name, run in runs.items()}
    figure = plots.latency_figure(
        {name: run.latencies_ms for name, run in runs.items()},
        {name: summary["throughput_rps"] for name, summary in summaries.items()},
    )
    _show(views.section("Latency per request", views.figure_html(figure)))
    rows = [{"pattern": name} | summary for name, summary in summaries.items()]
    _show(views.section(f"{requests} requests per pattern, {concurrency} at a time", views.rows_html(rows)))
    return summaries


def show_costs(vendor_counts: tuple[int, ...] = (1, 2, 3, 5, 10, 20)) -> list[dict]:
    """Dollars per million requests against the number of vendors, with the price table behind it."""
    from workshop_utils import cost, plots

    rows = cost.cost_table(list(vendor_counts))
    _show(views.section("Cost per million requests", views.figure_html(plots.cost_figure(rows))))
    prices = cost.PRICES
    _show(views.section(f"Prices ({prices.source}, {prices.as_of})", views.rows_html(prices.as_rows())))
    return rows


# ---------------------------------------------------------------- check your understanding


def _verdict(ok: bool, good: str, fix: str) -> None:
    # "check-failed" marks a learner's state that needs fixing; the headless notebook run fails on it.
    if ok:
        _show(views.message_html("✔ " + good, kind="success"))
    else:
        _show(views.message_html("✘ " + fix, kind="error", css_class="check-failed"))


def check_parallel_stack() -> None:
    """Verify the Parallel stack is deployed and answers with one quote per branch."""
    if not stacks.is_deployed(PARALLEL_STACK):
        return _verdict(False, "", f"{PARALLEL_STACK} is not deployed: run the deploy cell above, then this one.")
    execution = triggers.request_parallel_quote(QuoteRequest("Compact", 3))
    branches = len(next(s for s in execution.definition["States"].values() if s["Type"] == "Parallel")["Branches"])
    ok = execution.status == "SUCCEEDED" and len(execution.quotes) == branches
    _verdict(
        ok,
        f"The Parallel stack answered with {len(execution.quotes)} quotes, one per branch.",
        f"The execution ended {execution.status} with {len(execution.quotes)} of {branches} quotes: "
        "look at its events in the cells above, then redeploy.",
    )


def check_sns_stack() -> None:
    """Verify the SNS stack is deployed and every subscribed vendor's quote reaches the aggregator."""
    if not stacks.is_deployed(SNS_STACK):
        return _verdict(False, "", f"{SNS_STACK} is not deployed: run the deploy cell above, then this one.")
    try:
        result = triggers.wait_for_sns_quotes(triggers.request_sns_quote(QuoteRequest("Compact", 3)), timeout_s=20)
    except triggers.QuoteTimeout as timeout:
        return _verdict(False, "", str(timeout))
    _verdict(True, f"The aggregator logged {len(result.quotes)} quotes for one request, one per subscribed vendor.", "")


def inventory() -> list[stacks.Resource]:
    """Every checkable resource the workshop deployed (take it before destroying)."""
    resources = stacks.inventory()
    _show(views.section("Deployed now", views.resources_html(resources)))
    return resources


def destroy_all() -> None:
    """Destroy both stacks, SNS first (nothing depends across them)."""
    for stack in (SNS_STACK, PARALLEL_STACK):
        cdk.destroy(stack)


def check_nothing_left(resources: list[stacks.Resource]) -> None:
    """Verify none of the inventoried resources, and no workshop stack, still exists."""
    left = stacks.leftovers(resources)
    if left:
        _show(views.section("Still there", views.resources_html(left)))
    names = ", ".join(f"{r.resource_type} {r.physical_id}" for r in left)
    _verdict(
        not left,
        f"All {len(resources)} resources and both stacks are gone.",
        f"Still there: {names}. Run the destroy cell again, then this one.",
    )
