"""What the exercise and check cells show: each check's steps, then its verdict in one sentence."""

from __future__ import annotations

from workshop_utils.cloud.stacks import PARALLEL_STACK, SNS_STACK
from workshop_utils.deploy.context import default_recipients
from workshop_utils.quotes import aggregates, triggers
from workshop_utils.quotes.request import QuoteRequest
from workshop_utils.teaching import exercise, exercise_files, exercise_link, stack_checks, wiring_exercise
from workshop_utils.ui import cell_output, deploy_cells, quote_cells


def _warn_if_exercises_unlinked() -> None:
    # A copied checkout's notebooks/exercises is a folder of its own: edits there never reach the check.
    problem = exercise_link.problem()
    if problem:
        cell_output.message(problem, kind="error")


def show_verdict(verdict: stack_checks.Verdict) -> None:
    """A check's verdict, ticked or crossed."""
    cell_output.verdict(verdict.ok, verdict.sentence)


def check_vendors_exercise() -> None:
    """01's exercise: deploy the Parallel stack with exercises/vendors.py's vendors, send a request, count branches."""
    _warn_if_exercises_unlinked()
    try:
        vendors = exercise_files.load_vendors()
    except exercise_files.ExerciseFileError as error:
        return cell_output.verdict(False, str(error))
    problem = exercise_files.vendors_problem(vendors, default_recipients())
    if problem:
        return cell_output.verdict(False, problem)
    deploy_cells.deploy(PARALLEL_STACK, recipients=vendors)
    execution = triggers.request_parallel_quote(QuoteRequest("Compact", 3))
    quote_cells.show_graph(execution)
    branches = exercise_files.branch_vendors(execution.definition)
    ok = sorted(branches) == sorted(vendors) and len(execution.quotes) == len(vendors)
    cell_output.verdict(ok, (
        f"The state machine now has {len(branches)} branches ({', '.join(branches)}) and answered with "
        f"{len(execution.quotes)} quotes: adding a vendor meant changing the orchestrator's definition and "
        "redeploying it."
    ) if ok else (
        f"The state machine has branches for {', '.join(branches)} and answered with {len(execution.quotes)} "
        f"quotes, not one per vendor of exercises/vendors.py: run this cell again."
    ))


def check_wiring() -> None:
    """02a's exercise: synthesize exercises/sns_wiring.py's wiring and compare; if complete, deploy it and try it."""
    _warn_if_exercises_unlinked()
    cell_output.message("Synthesizing your stack from exercises/sns_wiring.py (about 20 s)...")
    report = wiring_exercise.check()
    if report.error:
        return cell_output.verdict(False, report.error)
    for problem in report.problems:
        cell_output.verdict(False, problem)
    if report.problems:
        return cell_output.message("Fix these in exercises/sns_wiring.py, save it, then run this cell again.")
    cell_output.verdict(True, "Your wiring has every piece: deploying your version of the stack.")
    if deploy_cells.deploy(SNS_STACK, sns_wiring="exercise") == "":
        cell_output.message(
            "CloudFormation had nothing to change: your wiring makes exactly the resources of the finished stack "
            "already deployed (notebook 02), so the stack running now is your version, resource for resource.")
    handle = triggers.request_sns_quote(QuoteRequest("Compact", 3))
    try:
        document = aggregates.wait_for_aggregate(handle)
    except triggers.QuoteTimeout as timeout:
        return cell_output.verdict(False, str(timeout))
    complete = document.get("status") == "complete"
    cell_output.verdict(complete, (
        f"Your stack gathered request {handle.uuid}: {len(document.get('quotes', []))} quotes, one aggregate."
    ) if complete else (
        f"Your stack's aggregate for {handle.uuid} is {document.get('status')}, missing "
        f"{', '.join(document.get('missing_vendors') or [])}: compare your wiring with the solution below."
    ))


def check_completeness_condition(condition: exercise.Condition) -> None:
    """02b's exercise: the condition on edge cases, then against a real request on the deployed stack."""
    result = stack_checks.completeness_condition(condition)
    if not result.attempted:
        return cell_output.message("Not written yet: replace `raise NotImplementedError` above, then run this cell.")
    cell_output.verdict(
        result.passed,
        "Your condition agrees with every edge case and with the deployed aggregator." if result.passed else
        "Not yet: " + "; ".join(result.failures) + ". Change the condition, then run this cell again.",
    )
