"""The "check your understanding" checks on the deployed stacks, each ending in one verdict sentence."""

from __future__ import annotations

from typing import NamedTuple

from workshop_utils.cloud import stacks
from workshop_utils.cloud.stacks import PARALLEL_STACK, SNS_STACK
from workshop_utils.quotes import aggregates, triggers
from workshop_utils.quotes.request import QuoteRequest
from workshop_utils.teaching import exercise


class Verdict(NamedTuple):
    """Whether a check passed, and the sentence that says so (or what to do)."""

    ok: bool
    sentence: str


def parallel_stack() -> Verdict:
    """The Parallel stack is deployed and answers with one quote per branch."""
    if not stacks.is_deployed(PARALLEL_STACK):
        return Verdict(False, f"{PARALLEL_STACK} is not deployed: run the deploy cell above, then this one.")
    execution = triggers.request_parallel_quote(QuoteRequest("Compact", 3))
    branches = len(next(s for s in execution.definition["States"].values() if s["Type"] == "Parallel")["Branches"])
    if execution.status == "SUCCEEDED" and len(execution.quotes) == branches:
        return Verdict(True, f"The Parallel stack answered with {len(execution.quotes)} quotes, one per branch.")
    return Verdict(False, f"The execution ended {execution.status} with {len(execution.quotes)} of {branches} quotes: "
                          "look at its events in the cells above, then redeploy.")


def sns_stack() -> Verdict:
    """The SNS stack is deployed and every subscribed vendor's quote reaches the aggregator."""
    if not stacks.is_deployed(SNS_STACK):
        return Verdict(False, f"{SNS_STACK} is not deployed: run the deploy cell above, then this one.")
    try:
        result = triggers.wait_for_sns_quotes(triggers.request_sns_quote(QuoteRequest("Compact", 3)), timeout_s=20)
    except triggers.QuoteTimeout as timeout:
        return Verdict(False, str(timeout))
    quotes = len(result.quotes)
    return Verdict(True, f"The aggregator logged {quotes} quotes for one request, one per subscribed vendor.")


def completeness_condition(condition: exercise.Condition) -> exercise.ExerciseResult:
    """The condition on the edge cases, then, once they pass, against a real request on the deployed SNS stack."""
    result = exercise.check_edge_cases(condition)
    if not result.passed:
        return result
    handle = triggers.request_sns_quote(QuoteRequest("Compact", 2))
    document = aggregates.wait_for_aggregate(handle)
    answered = {item["vendor"] for item in aggregates.table_items(handle.uuid) if "vendor" in item}
    expected = {quote.get("vendor") for quote in document.get("quotes", [])} | set(document["missing_vendors"])
    return exercise.check_against_aggregate(condition, expected=expected, answered=answered, status=document["status"])
