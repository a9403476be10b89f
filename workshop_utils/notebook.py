"""The one import of every notebook: each cell calls one or two of these, which show their result inline."""

from __future__ import annotations

from IPython.display import display

from workshop_utils.cloud import wiring
from workshop_utils.cloud.logs import now_ms as _now_ms
from workshop_utils.cloud.stacks import PARALLEL_STACK, SNS_STACK
from workshop_utils.deploy import context as cdk_context
from workshop_utils.quotes import comparison as _comparison
from workshop_utils.quotes import triggers
from workshop_utils.quotes.comparison import Comparison
from workshop_utils.teaching import exercise, readiness, stack_checks
from workshop_utils.teardown import cleanup
from workshop_utils.ui import (
    cleanup_cells,
    cloud_stopped,
    comparison_cells,
    deploy_cells,
    exercise_cells,
    log_cells,
    quote_cells,
    setup_cells,
    source_cells,
)
from workshop_utils.ui.widgets import DeployPanel, LogTail, QuoteForm

__all__ = ["PARALLEL_STACK", "SNS_STACK", "Comparison", "DeployPanel", "LogTail", "QuoteForm"]


# ---------------------------------------------------------------- set-up


def ready_for(notebook: str, *, deploy_on_aws: bool = False) -> None:
    """The first cell of every notebook: bring the target to what this notebook needs, and say what was done."""
    hint = f'ws.ready_for("{readiness.notebook_key(notebook)}", deploy_on_aws=True) in this cell'
    setup_cells.show_readiness(readiness.needs_of(notebook), deploy_on_aws, hint)


def ready(*stacks_needed: str, deploy_on_aws: bool = False) -> None:
    """Start the local cloud, bootstrap and deploy these stacks (default vendors) if missing; say what was done."""
    hint = f"ws.ready({', '.join(repr(stack) for stack in stacks_needed)}, deploy_on_aws=True) in this cell"
    setup_cells.show_readiness(readiness.Needs(stacks=tuple(stacks_needed)), deploy_on_aws, hint)


def show_prerequisites() -> None:
    """Show the prerequisites table, with the fix for each red row."""
    setup_cells.show_prerequisites()


def use_target(name: str = "local", *, endpoint_url: str | None = None) -> None:
    """Choose where the stacks deploy: "local" (the embedded local cloud) or "aws"."""
    setup_cells.use_target(name, endpoint_url=endpoint_url)


def start_local_cloud() -> None:
    """Start the local cloud if it is not running (idempotent) and show its status."""
    setup_cells.start_local_cloud()


def stop_local_cloud() -> None:
    """Stop the local cloud and every Lambda worker it started (nothing to do on another target)."""
    setup_cells.stop_local_cloud()


def check_target() -> None:
    """Check credentials, region and bootstrap (AWS) or the local cloud (local), and bootstrap if needed."""
    setup_cells.check_target()


# ---------------------------------------------------------------- deploy and inspect


def default_recipients() -> dict:
    """The vendors in cdk.json's `recipients` context."""
    return cdk_context.default_recipients()


def deploy(stack: str, *, recipients: dict | None = None, **context: object) -> None:
    """Deploy one stack (context overrides as keywords): one line once done, the CLI's output folded under it."""
    deploy_cells.deploy(stack, recipients=recipients, **context)


def show_diff(stack: str, *, recipients: dict | None = None, **context: object) -> str:
    """Show what `cdk diff` says would change with these recipients (and context overrides); return its text."""
    return deploy_cells.show_diff(stack, recipients=recipients, **context)


def explain_diffs(diffs: dict[str, str]) -> None:
    """Say, resource by resource, what each `cdk diff` shown above would add, change and remove."""
    deploy_cells.explain_diffs(diffs)


def show_architecture(stack: str) -> None:
    """Draw the stack as deployed: the edges its subscriptions, destinations, event sources and redrives make."""
    deploy_cells.show_architecture(stack, wiring.read_deployed(stack))



def use_finished_wiring() -> None:
    """Deploy the SNS stack with the finished wiring (infra/sns_wiring.py), whatever the exercise file holds."""
    deploy_cells.deploy(SNS_STACK, sns_wiring="finished")


# ---------------------------------------------------------------- requests, what they did, their logs



def request_form(pattern: str) -> QuoteForm:
    """Show the request form for "parallel" or "sns"; its latest result stays in the notebook as static HTML."""
    return quote_cells.request_form(pattern)


def send_parallel_request(car_type: str = "XL", days: int | str = 3) -> triggers.ParallelExecution:
    """Send one request through the Parallel state machine and show how it ended."""
    return quote_cells.send_parallel_request(car_type, days)


def send_sns_request(car_type: str = "XL", days: int | str = 7) -> triggers.SnsQuoteHandle:
    """Send one request through the SNS pattern and return at once with its uuid."""
    return quote_cells.send_sns_request(car_type, days)


def send_invalid_parallel(payload: object) -> triggers.ParallelExecution | None:
    """Start the Parallel state machine with a payload the form would refuse, and show how it ends."""
    return quote_cells.send_invalid_parallel(payload)


def send_invalid_sns(payload: object) -> triggers.SnsQuoteHandle:
    """Invoke the SNS requester with a payload the form would refuse (it answers 202 all the same)."""
    return quote_cells.send_invalid_sns(payload)



def show_quotes(result: triggers.ParallelExecution | triggers.SnsQuoteResult) -> None:
    """The quotes of a result, best price marked."""
    quote_cells.show_quotes(result)





def wait_for_aggregate(handle: triggers.SnsQuoteHandle) -> dict:
    """Wait for this request's one aggregate and show it."""
    return quote_cells.wait_for_aggregate(handle)


def show_table_items(handle: triggers.SnsQuoteHandle) -> None:
    """The aggregates table's items for one request."""
    quote_cells.show_table_items(handle)


def show_failure_records(*, since_ms: int, at_least: int = 0, timeout_s: float = 30.0,
                         about: str | None = None) -> list[dict]:
    """The OnFailure records since a time, waiting for `at_least`; with `about`, those that mention it (a uuid)."""
    return quote_cells.show_failure_records(since_ms=since_ms, at_least=at_least, timeout_s=timeout_s, about=about)


def explain_sns_request(handle: triggers.SnsQuoteHandle, aggregate: dict) -> None:
    """Say what the SNS pattern did for this request: its aggregate, each vendor's attempts, its OnFailures."""
    quote_cells.explain_sns_request(handle, aggregate)


def now_ms() -> int:
    """The current time in epoch milliseconds (to find what happened after it)."""
    return _now_ms()



def show_aggregator_tail() -> LogTail:
    """Show a live tail of the aggregator's log group; what it shows stays in the notebook as static HTML."""
    return log_cells.show_aggregator_tail()



def show_responder_logs(execution: triggers.ParallelExecution) -> None:
    """The Parallel stack's responders' logs since this execution started."""
    log_cells.show_responder_logs(execution)



def show_destination_record(handle: triggers.SnsQuoteHandle) -> dict | None:
    """The Lambda destination record a responder received through SNS for this request."""
    return log_cells.show_destination_record(handle)


# ---------------------------------------------------------------- the code on the page, and the exercises


def show_source(path: str, target: str | None = None, *, emphasise: tuple[int | str, ...] = (),
                title: str | None = None) -> None:
    """Show a function, class or `region:<name>` of a project file, read now, `emphasise`d lines marked."""
    source_cells.show_source(path, target, emphasise=emphasise, title=title)


def show_refactoring() -> None:
    """The Parallel state's definition and the wiring that replaces it side by side, then who does each job."""
    source_cells.show_refactoring()


def check_vendors_exercise() -> None:
    """01's exercise: deploy the Parallel stack with exercises/vendors.py's vendors, send a request, count branches."""
    exercise_cells.check_vendors_exercise()


def show_vendors_solution() -> None:
    """The vendors exercise, solved (the scaffold with the model answer on its marked line), folded until clicked."""
    source_cells.show_vendors_solution()


def check_wiring() -> None:
    """02a's exercise: synthesize exercises/sns_wiring.py's wiring and compare; if complete, deploy it and try it."""
    exercise_cells.check_wiring()


def show_wiring_solution() -> None:
    """02a's solution: the function the finished stack uses (infra/sns_wiring.py), folded until clicked."""
    source_cells.show_wiring_solution()


def check_completeness_condition(condition: exercise.Condition) -> None:
    """Check a completeness condition on edge cases, then against a real request on the deployed stack."""
    exercise_cells.check_completeness_condition(condition)


def show_completeness_solution() -> None:
    """02b's solution: the model completeness condition, shown (never run) once the learner unfolds it."""
    source_cells.show_completeness_solution()


# ---------------------------------------------------------------- side by side


def compare(car_type: str = "XL", days: int | str = 7) -> Comparison:
    """Send the same request through both patterns (at the same time) and collect both timelines."""
    return _comparison.compare(car_type, days)


def show_comparison(comparison: Comparison) -> None:
    """Both timelines on one time axis, then each side's outcome, side by side where the width allows."""
    comparison_cells.show_comparison(comparison)


def benchmark(rate: float | None = None, duration_s: float | None = None) -> dict:
    """Both deployed stacks under the same open-loop load (`rate` a second for `duration_s` s), plotted and told."""
    from workshop_utils.measure import benchmark_cells  # lazily: matplotlib loads only for a notebook that plots

    return benchmark_cells.benchmark(rate, duration_s)


def show_costs(vendor_counts: tuple[int, ...] = (1, 2, 3, 5, 10, 20)) -> list[dict]:
    """Dollars per million requests against the number of vendors, with the price table behind it."""
    from workshop_utils.measure import benchmark_cells

    return benchmark_cells.show_costs(vendor_counts)


# ---------------------------------------------------------------- check your understanding, and clean up


def check_parallel_stack() -> None:
    """Verify the Parallel stack is deployed and answers with one quote per branch."""
    exercise_cells.show_verdict(stack_checks.parallel_stack())


def check_sns_stack() -> None:
    """Verify the SNS stack is deployed and every subscribed vendor's quote reaches the aggregator."""
    exercise_cells.show_verdict(stack_checks.sns_stack())


def quiz(notebook: str) -> None:
    """This notebook's questions, answered with a click (a static copy with the answers in HTML exports)."""
    from workshop_utils.teaching.quiz import quiz as build_quiz

    display(build_quiz(notebook))


def inventory() -> cleanup.Inventory:
    """Every resource the workshop stacks deployed, counted from their templates (take it before destroying)."""
    return cleanup_cells.inventory()


def destroy_all() -> None:
    """Destroy both stacks, SNS first (nothing depends across them); a stack that is not deployed is said so."""
    cleanup_cells.destroy_all()


def check_nothing_left(deployed: cleanup.Inventory) -> cleanup.CleanupReport:
    """Look every inventoried resource up through its own service's API, and check no workshop stack is left."""
    return cleanup_cells.check_nothing_left(deployed)


def show_what_remains(deployed: cleanup.Inventory, report: cleanup.CleanupReport) -> None:
    """What a destroy leaves on purpose (the KMS key's waiting period, the bootstrap stack), and what ends it."""
    cleanup_cells.show_what_remains(deployed, report)


# Also at hand for a learner's own cells (no notebook calls them), guarded like the rest: one view of a result each.
show_graph = cloud_stopped.guarded(quote_cells.show_graph)
show_output = cloud_stopped.guarded(quote_cells.show_output)
show_events = cloud_stopped.guarded(quote_cells.show_events)
show_sns_result = cloud_stopped.guarded(quote_cells.show_sns_result)
show_outputs = cloud_stopped.guarded(deploy_cells.show_outputs)
aggregator_tail = cloud_stopped.guarded(log_cells.aggregator_tail)
show_function_logs = cloud_stopped.guarded(log_cells.show_function_logs)
show_log_events = cloud_stopped.guarded(log_cells.show_log_events)
quote_form = QuoteForm  # the request form for "parallel" or "sns"; display it, then click (or call .submit())


# A cell whose local cloud dies mid-call ends in one sentence (restart it, re-run the cell), not a traceback.
cloud_stopped.guard_module(globals())
