"""The one import of every notebook: each cell calls one or two of these, which show their result inline."""

from __future__ import annotations

import copy
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass

from IPython.display import HTML, display

from workshop_utils.cloud import stacks, target, wiring
from workshop_utils.cloud.logs import fetch_log_events, function_log_group
from workshop_utils.cloud.stacks import PARALLEL_STACK, SNS_STACK
from workshop_utils.deploy import cdk, progress
from workshop_utils.deploy.diff import diff_html
from workshop_utils.deploy.output import learner_printer
from workshop_utils.quotes import aggregates, timelines, triggers
from workshop_utils.quotes.request import QuoteRequest, parse_quote_form
from workshop_utils.render import (
    code_side,
    execution_events_html,
    log_events_html,
    quotes_html,
    refactoring_html,
    source_html,
    state_machine_svg,
    timeline_svg,
)
from workshop_utils.render._common import expandable, pre
from workshop_utils.render.cleanup import cleanup_table_html
from workshop_utils.render.deployment import command_line_html
from workshop_utils.render.logs import FOLD_OVER_EVENTS
from workshop_utils.repo import REPO_ROOT
from workshop_utils.teaching import exercise, exercise_files, exercise_link, readiness, refactoring, source_code
from workshop_utils.teaching.prerequisites import check_all
from workshop_utils.teardown import cleanup
from workshop_utils.ui import cloud_stopped, outcomes, views
from workshop_utils.ui.widgets import DeployPanel, LogTail, QuoteForm

__all__ = ["PARALLEL_STACK", "SNS_STACK", "DeployPanel", "LogTail", "QuoteForm"]
_CDK_JSON = REPO_ROOT / "cdk.json"


def _show(html_text: str) -> None:
    display(HTML(html_text))


# ---------------------------------------------------------------- set-up


def ready_for(notebook: str, *, deploy_on_aws: bool = False) -> None:
    """The first cell of every notebook: bring the target to what this notebook needs, and say what was done."""
    hint = f'ws.ready_for("{readiness.notebook_key(notebook)}", deploy_on_aws=True) in this cell'
    _show_readiness(readiness.needs_of(notebook), deploy_on_aws, hint)


def ready(*stacks_needed: str, deploy_on_aws: bool = False) -> None:
    """Start the local cloud, bootstrap and deploy these stacks (default vendors) if missing; say what was done."""
    names = ", ".join(repr(stack) for stack in stacks_needed)
    hint = f"ws.ready({names}, deploy_on_aws=True) in this cell"
    _show_readiness(readiness.Needs(stacks=tuple(stacks_needed)), deploy_on_aws, hint)


def _show_readiness(needs: readiness.Needs, deploy_on_aws: bool, hint: str) -> None:
    if needs.stacks or needs.deploys_itself:  # a notebook that deploys: its context changes then take seconds
        cdk.warm_up()  # in the background
    report = readiness.ready(
        needs, deploy_on_aws=deploy_on_aws, how_to_deploy=hint, say=lambda text: _show(views.message_html(text))
    )
    _show(views.message_html(report.summary(), kind="success"))


def show_prerequisites() -> None:
    """Show the prerequisites table, with the fix for each red row."""
    checks = check_all(include_local_cloud=target.current() == "local")
    _show(views.checks_html(checks))


def use_target(name: str = "local", *, endpoint_url: str | None = None) -> None:
    """Choose where the stacks deploy: "local" (the embedded local cloud) or "aws"."""
    target.use_target(name, endpoint_url=endpoint_url)
    info = target.describe()
    own_cloud = info.name == target.LOCAL and not info.custom_endpoint
    where = info.endpoint or ("your local cloud, not running yet" if own_cloud else "AWS endpoints")
    _show(views.message_html(f"Target: {info.name} ({where}, {info.region})."))


def start_local_cloud() -> None:
    """Start the local cloud if it is not running (idempotent) and show its status."""
    from workshop_utils.local_cloud import service
    from workshop_utils.local_cloud.config import default_port

    already = service.status().healthy
    # LOCAL_CLOUD_PORT forces a port (`make lab PORT=...`; 0 picks a free one); unset: the default, or a free port
    # when another user's local cloud has it. Its own progress lines would only repeat the message below.
    forced = os.environ.get("LOCAL_CLOUD_PORT", "").strip()
    status = service.start(port=int(forced) if forced.isdigit() else None, progress=lambda _message: None)
    how = "was already running" if already else "started"
    moved = "" if forced or status.port == default_port() else (
        f" Port {default_port()} was taken (another user's local cloud?), so yours listens on {status.port};"
        " the notebooks find it by themselves."
    )
    _show(views.message_html(
        f"The local cloud {how} at {status.endpoint_url} (pid {status.pid}), and answers API calls.{moved}",
        kind="success",
    ))
    if not already:  # what came back from the last deploys, and what a crash lost
        from workshop_utils.local_cloud.config import home_dir
        from workshop_utils.local_cloud.persistence.startup import start_report

        for line in start_report(home_dir(), status.pid):
            _show(views.message_html(line))


def stop_local_cloud() -> None:
    """Stop the local cloud and every Lambda worker it started (nothing to do on another target)."""
    from workshop_utils.local_cloud import service

    cdk.stop_warm_synth()  # the workshop is over, whatever the target: its synth process goes too
    if target.current() != "local" or target.endpoint_override():
        _show(views.message_html(f"Nothing to stop: the target is {target.current()}, not the local cloud."))
        return
    service.stop()
    _show(views.message_html("Local cloud stopped; nothing of it is left running.", kind="success"))


def check_target() -> None:
    """Check credentials, region and bootstrap (AWS) or the local cloud (local), and bootstrap if needed."""
    info = target.check()
    if target.current() == target.LOCAL or target.endpoint_override():  # bootstraps itself when it must
        _folded("cdk bootstrap CDKToolkit", lambda on_line: cdk.ensure_bootstrapped(on_line=on_line))
    else:  # on AWS it only checks, and says what to run
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
    """Deploy one stack with live progress (context overrides as keywords): one line once done, the CDK CLI's
    output and the stack's outputs folded under it."""
    _deploy(stack, recipients=recipients, **context)


def _deploy(stack: str, *, recipients: dict | None = None, **context: object) -> str | None:
    """deploy(), returning what CloudFormation built ("" when nothing changed; None when it cannot tell)."""
    cdk.ensure_bootstrapped(on_line=_quiet)
    result: dict = {}

    def run(on_line: cdk.LineCallback) -> None:
        result.update(cdk.deploy(stack, context=_context(recipients, context), on_line=on_line))

    printed, line = _folded(f"cdk deploy {stack}", run, lambda: [(f"{stack}'s outputs", views.json_html(result))])
    # The CLI says so when the template matches what is deployed: CloudFormation then records no event at all.
    unchanged = any(text.rstrip().endswith("(no changes)") for text in printed)
    if line is None:
        return "" if unchanged else None
    if unchanged:
        line.fold_in([], headline="no changes, the deployed stack already matches")
    return "" if unchanged else (line.built or None)


def _quiet(_line: str) -> None:
    """An on_line for a CDK command whose progress line says enough (an idempotent bootstrap)."""


def _folded(title: str, run: Callable[[cdk.LineCallback], None],
            more: Callable[[], list[tuple[str, str]]] = list) -> tuple[list[str], progress.WidgetProgress | None]:
    """Run a CDK command (`run` gets the on_line to pass it): one line once done, what the CLI printed folded
    under it with `more` sections; returns the printed lines and the progress line (None without widgets)."""
    printed: list[str] = []
    started = time.monotonic()
    try:
        run(learner_printer(printed.append))
    except Exception:
        if printed:  # the error's sentence says what to do; the CLI's lines are there for a closer look
            _show(expandable(f"What the CDK CLI printed ({len(printed)} lines)", pre("\n".join(printed))))
        raise
    cli = [(f"What the CDK CLI printed ({len(printed)} lines)", pre("\n".join(printed)))] if printed else []
    sections = [*more(), *cli]
    line = progress.finished(title, since=started)
    if line is not None:
        line.fold_in(sections)
    elif printed:  # a console without widgets printed its own progress lines; a command that ran says so
        _show(command_line_html(title, sections))
    return printed, line


def show_diff(stack: str, *, recipients: dict | None = None, **context: object) -> str:
    """Show what `cdk diff` says would change with these recipients (and context overrides); return its text."""
    text = cdk.diff(stack, context=_context(recipients, context), on_line=lambda _line: None)
    _show(views.section(f"cdk diff {stack}", diff_html(text)))
    return text


def show_architecture(stack: str) -> None:
    """Draw the stack as deployed: the edges its subscriptions, destinations, event sources and redrives make."""
    _show(views.section(f"{stack}, as deployed", views.architecture_html(wiring.read_deployed(stack))))


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
    for logical_id, function in aggregates.stack_functions(stack).items():
        if role.lower() not in logical_id.lower():
            continue
        events = fetch_log_events(function_log_group(function), start_ms=since_ms)
        title = f"Logs of {timelines.role_label(logical_id)} ({function})"
        _show(views.section(title, log_events_html(events, fold_over=FOLD_OVER_EVENTS)))


def show_responder_logs(execution: triggers.ParallelExecution) -> None:
    """The Parallel stack's responders' logs since this execution started."""
    show_function_logs(PARALLEL_STACK, "Responder", since_ms=int(execution.started_at.timestamp() * 1000) - 1000)


def show_sns_result(result: triggers.SnsQuoteResult) -> None:
    """One SNS request's quotes and the aggregator lines that carried them (a static copy of the form's view)."""
    _show(views.sns_result_html(result))


def show_log_events(events: list[dict], title: str) -> None:
    """Log events as a table (a static copy of what a live tail showed)."""
    _show(views.section(title, log_events_html(events, fold_over=FOLD_OVER_EVENTS)))


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


def _warn_if_exercises_unlinked() -> None:
    # A copied checkout's notebooks/exercises is a folder of its own: edits there never reach the check.
    problem = exercise_link.problem()
    if problem:
        _show(views.message_html(problem, kind="error"))


def check_vendors_exercise() -> None:
    """01's exercise: deploy the Parallel stack with exercises/vendors.py's vendors, send a request, count branches."""
    _warn_if_exercises_unlinked()
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
    """The vendors exercise, solved (the scaffold with the model answer on its marked line), folded until clicked."""
    scaffold = (exercise_files.EXERCISES_DIR / exercise_files.VENDORS_FILE).read_text(encoding="utf-8")
    solved = exercise_files.vendors_solution(scaffold).splitlines()
    code = source_html(f"exercises/{exercise_files.VENDORS_FILE}", solved, title="Solution",
                       emphasised=frozenset(n for n, line in enumerate(solved, 1)
                                            if exercise_files.SOLUTION_VENDOR in line))
    _show(views.folded_solution_html(code, what="exercises/vendors.py with a third vendor"))


def show_wiring_solution() -> None:
    """02a's solution: the function the finished stack uses (infra/sns_wiring.py), folded until clicked."""
    snippet = source_code.read_snippet("infra/sns_wiring.py", exercise_files.WIRING_FUNCTION)
    code = source_html(snippet.path, snippet.lines, first_line=snippet.first_line,
                       title="Solution: infra/sns_wiring.py")
    _show(views.folded_solution_html(code, what="the finished wiring function"))


def show_completeness_solution() -> None:
    """02b's solution: the model completeness condition, shown (never run) once the learner unfolds it."""
    lines = exercise.SOLUTION_SOURCE.splitlines()
    code = source_html("the exercise cell", lines, title="Solution: copy it into your cell above")
    _show(views.folded_solution_html(code, what="the completeness condition"))


def check_wiring() -> None:
    """02a's exercise: synthesize exercises/sns_wiring.py's wiring and compare; if complete, deploy it and try it."""
    from workshop_utils.teaching import wiring_exercise

    _warn_if_exercises_unlinked()
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
    if _deploy(SNS_STACK, sns_wiring="exercise") == "":
        _show(views.message_html(
            "CloudFormation had nothing to change: your wiring makes exactly the resources of the finished stack "
            "already deployed (notebook 02), so the stack running now is your version, resource for resource."))
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


def show_failure_records(*, since_ms: int, at_least: int = 0, timeout_s: float = 30.0,
                         about: str | None = None) -> list[dict]:
    """The OnFailure records (failed-invocations queue) since a time, waiting for `at_least` of them; with
    `about`, only the records that mention it (a request's uuid)."""
    records = _failure_records(since_ms, at_least, timeout_s, about)
    rows = [_failure_row(record) for record in records]
    if not rows:
        _show(views.message_html("No failure recorded since then."))
    for row, record in zip(rows, records, strict=True):
        _show(views.failure_record_html(row, record))
    return rows


def _failure_records(since_ms: int, at_least: int, timeout_s: float, about: str | None) -> list[dict]:
    def read() -> list[dict]:
        records = aggregates.failure_records(since_ms=since_ms)
        return [r for r in records if about is None or about in json.dumps(r)]

    give_up = time.monotonic() + timeout_s
    records = read()
    while len(records) < at_least and time.monotonic() < give_up:
        time.sleep(0.5)
        records = read()
    return records


def _request_failures(handle: triggers.SnsQuoteHandle, aggregate: dict) -> list[dict]:
    """This request's OnFailure records; when a vendor is missing, wait a little for Lambda to give up on it
    (the local cloud retries 0.2 s apart; AWS about 1 then 2 minutes apart, so there they come later)."""
    wanted = 1 if aggregate.get("missing_vendors") else 0
    wait_s = 30.0 if target.current() == "local" else 0.0
    return [_failure_row(r) for r in _failure_records(handle.sent_at_ms - 1000, wanted, wait_s, handle.uuid)]


def explain_sns_request(handle: triggers.SnsQuoteHandle, aggregate: dict) -> None:
    """Say what the SNS pattern did for this request: its aggregate, each vendor's attempts (counted from the
    responders' START lines), and its OnFailure records."""
    story = outcomes.sns_story(aggregate, aggregates.responder_attempts(handle), _request_failures(handle, aggregate))
    _show(views.story_html(story, kind="success" if aggregate.get("status") == "complete" else "error"))


def _failure_row(record: dict) -> dict:
    """A failure record's summary, its function named by role ("Responder · Hertz")."""
    row = aggregates.failure_summary(record)
    roles = {name: timelines.role_label(logical) for logical, name in aggregates.stack_functions(SNS_STACK).items()}
    row["function"] = roles.get(row["function"], row["function"])
    return row


def send_invalid_parallel(payload: object) -> triggers.ParallelExecution | None:
    """Start the Parallel state machine with a payload the form would refuse, and show how it ends (or, when Step
    Functions refuses the input itself, its one sentence)."""
    try:
        execution = triggers.run_parallel_payload(payload)
    except triggers.ExecutionInputRefused as refused:
        _show(views.message_html(str(refused), kind="error"))
        return None
    _show(views.parallel_result_html(execution))
    return execution


def send_invalid_sns(payload: object) -> triggers.SnsQuoteHandle:
    """Invoke the SNS requester with a payload the form would refuse (it answers 202 all the same)."""
    handle = triggers.send_sns_payload(payload)
    _show(views.message_html("Sent; Lambda answered 202 Accepted: the failure, if any, happens later."))
    return handle


def now_ms() -> int:
    """The current time in epoch milliseconds (to find what happened after it)."""
    from workshop_utils.cloud.logs import now_ms as current

    return current()


# ---------------------------------------------------------------- side by side


@dataclass
class Comparison:
    """The same request through both patterns: the execution, the aggregate, both timelines, and what the SNS
    side's logs and failed-invocations queue say about each vendor."""

    request: QuoteRequest
    parallel: triggers.ParallelExecution
    sns_handle: triggers.SnsQuoteHandle
    sns_aggregate: dict
    sns_lanes: list[tuple[str, float, float]]
    sns_attempts: dict[str, int]
    sns_failures: list[dict]


def compare(car_type: str = "XL", days: int | str = 7) -> Comparison:
    """Send the same request through both patterns (at the same time) and collect both timelines."""
    request = parse_quote_form(car_type, days)
    handle = triggers.request_sns_quote(request)
    parallel = triggers.request_parallel_quote(request)
    aggregate = aggregates.wait_for_aggregate(handle)
    failures = _request_failures(handle, aggregate)
    return Comparison(request, parallel, handle, aggregate, aggregates.invocation_lanes(handle),
                      aggregates.responder_attempts(handle), failures)


def show_comparison(comparison: Comparison) -> None:
    """Both timelines on one time axis, then each side's outcome, side by side where the width allows."""
    from workshop_utils.render._history import task_runs

    attempts = {name: run.attempts for name, run in task_runs(comparison.parallel.history).items()}
    lanes = {
        "Parallel (Step Functions)": timelines.execution_bars(comparison.parallel.history, attempts=attempts),
        "SNS (choreography)": comparison.sns_lanes,
    }
    _show(views.section("Timelines, same request (each lane from the start of its own request)",
                        timeline_svg(lanes)))
    aggregate = comparison.sns_aggregate
    complete = aggregate.get("status") == "complete"
    sns_story = outcomes.sns_story(aggregate, comparison.sns_attempts, comparison.sns_failures)
    sns_side = views.section(
        "SNS scatter-gather",
        views.story_html(sns_story, kind="success" if complete else "error")
        + quotes_html(aggregate.get("quotes", []), empty_text="No quotes: no vendor answered before the deadline."),
    )
    parallel_side = views.section("Parallel state", views.parallel_result_html(comparison.parallel, compact=True))
    _show(views.columns_html(parallel_side, sns_side))


def explain_diffs(diffs: dict[str, str]) -> None:
    """Say, resource by resource, what each `cdk diff` shown above would add, change and remove."""
    _show(views.story_html([outcomes.diff_story(stack, text) for stack, text in diffs.items()]))


def benchmark(rate: float | None = None, duration_s: float | None = None) -> dict:
    """Offer both deployed stacks the same open-loop load (`rate` requests a second for `duration_s` seconds);
    plot latencies, say what was measured and what the batching window costs, return the summaries."""
    from workshop_utils.measure import bench
    from workshop_utils.ui import plots

    rate = rate or bench.WORKSHOP_RATE
    duration_s = duration_s or bench.WORKSHOP_DURATION_S
    requests = bench.requests_for(rate, duration_s)
    runs = bench.run_patterns(requests, concurrency=bench.SENDERS, rate=rate)
    summaries = {name: run.summary() for name, run in runs.items()}
    figure = plots.latency_figure(
        {name: run.latencies_ms for name, run in runs.items()},
        {name: summary["throughput_rps"] for name, summary in summaries.items()},
    )
    _show(views.message_html(
        f"Both patterns were offered the same load: {requests} requests, {rate:g} a second for {duration_s:g} s, "
        "each sent on schedule whatever happened to the earlier ones (an open loop, as users arrive). Latency runs "
        "from sending a request to its result: the execution's end (Parallel) or the aggregator's `aggregate:` "
        "line (SNS)."
    ))
    _show(views.section("Latency per request", views.figure_html(figure)))
    rows = outcomes.benchmark_rows(summaries, f"{rate:g}/s for {duration_s:g} s")
    _show(views.section(f"{requests} requests per pattern, {rate:g} a second", views.rows_html(rows)))
    _show(views.message_html(bench.aggregator_batching().cost_sentence()))
    _show(views.story_html(outcomes.benchmark_story(summaries)))
    return summaries


def show_costs(vendor_counts: tuple[int, ...] = (1, 2, 3, 5, 10, 20)) -> list[dict]:
    """Dollars per million requests against the number of vendors, with the price table behind it."""
    from workshop_utils.measure import cost
    from workshop_utils.ui import plots

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


def quiz(notebook: str) -> None:
    """This notebook's questions, answered with a click (a static copy with the answers in HTML exports)."""
    from workshop_utils.teaching.quiz import quiz as build_quiz

    display(build_quiz(notebook))


def inventory() -> cleanup.Inventory:
    """Every resource the workshop stacks deployed, counted from their templates (take it before destroying)."""
    taken = cleanup.take_inventory()
    _show(views.message_html(cleanup.inventory_summary(taken)))
    if taken.resources:
        _show(cleanup_table_html(cleanup.inventory_rows(taken), title="Deployed now, by type"))
    return taken


def destroy_all() -> None:
    """Destroy both stacks, SNS first (nothing depends across them); a stack that is not deployed is said so."""
    for stack in (SNS_STACK, PARALLEL_STACK):
        if stacks.deployed_description(stack):
            _folded(f"cdk destroy {stack}", lambda on_line, stack=stack: cdk.destroy(stack, on_line=on_line))
        else:  # the CLI would report "destroyed" for a stack that never was
            _show(views.message_html(f"{stack} is not deployed on the {target.current()} target: nothing to destroy."))
    cdk.stop_warm_synth()  # nothing left to synthesize; a later deploy starts it again


def check_nothing_left(deployed: cleanup.Inventory) -> cleanup.CleanupReport:
    """Look every inventoried resource up through its own service's API, and check no workshop stack is left."""
    report = cleanup.check_gone(deployed)
    _show(cleanup_table_html(report.rows(), title="After the destroy, by type"))
    ok, sentence = cleanup.report_summary(report)
    _verdict(ok, sentence, sentence)
    return report


def show_what_remains(deployed: cleanup.Inventory, report: cleanup.CleanupReport) -> None:
    """What a destroy leaves on purpose (the KMS key's waiting period, the bootstrap stack), and what ends it."""
    rows = cleanup.what_remains(deployed, report, on_aws=not _on_local_cloud())
    _show(cleanup_table_html(rows, title=f"Kept after the destroy on the {target.current()} target"))


def _on_local_cloud() -> bool:
    return target.current() == "local" and not target.endpoint_override()


# A cell whose local cloud dies mid-call ends in one sentence (restart it, re-run the cell), not a traceback.
cloud_stopped.guard_module(globals())
