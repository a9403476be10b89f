"""The "check your understanding" checks: one verdict sentence each, and the completeness check's real request."""

from __future__ import annotations

import pytest

from workshop_utils import notebook
from workshop_utils.cloud import stacks
from workshop_utils.quotes import aggregates, triggers
from workshop_utils.teaching import stack_checks
from workshop_utils.ui import cell_output

HANDLE = triggers.SnsQuoteHandle("u-1", "Requester", "r-1", 0, {})


def model_answer(expected: set[str], answered: set[str]) -> bool:
    return expected <= answered


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    outputs: list[str] = []
    monkeypatch.setattr(cell_output, "show", outputs.append)
    return outputs


@pytest.fixture
def deployed_aggregate(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The deployed SNS stack, faked: Avis answered, Alamo did not, so the aggregate timed out."""
    sent: list[object] = []

    def request(quote_request: object) -> triggers.SnsQuoteHandle:
        sent.append(quote_request)
        return HANDLE

    monkeypatch.setattr(triggers, "request_sns_quote", request)
    monkeypatch.setattr(aggregates, "wait_for_aggregate", lambda handle: {
        "status": "timed_out", "quotes": [{"vendor": "Avis"}], "missing_vendors": ["Alamo"]})
    monkeypatch.setattr(aggregates, "table_items", lambda uuid: [{"vendor": "Avis"}, {"uuid": uuid}])
    return sent


@pytest.mark.parametrize(("check", "stack"), [(stack_checks.parallel_stack, stacks.PARALLEL_STACK),
                                              (stack_checks.sns_stack, stacks.SNS_STACK)])
def test_a_stack_not_deployed_is_a_failed_verdict_that_says_what_to_run(monkeypatch, check, stack):
    monkeypatch.setattr(stacks, "is_deployed", lambda name: False)
    assert check() == (False, f"{stack} is not deployed: run the deploy cell above, then this one.")


def test_the_sns_check_passes_with_one_quote_per_vendor_and_its_timeout_is_the_fix(monkeypatch, shown):
    monkeypatch.setattr(stacks, "is_deployed", lambda name: True)
    monkeypatch.setattr(triggers, "request_sns_quote", lambda request: HANDLE)
    monkeypatch.setattr(triggers, "wait_for_sns_quotes", lambda handle, timeout_s: triggers.SnsQuoteResult(
        HANDLE, quotes=[{"vendor": "Avis"}, {"vendor": "Alamo"}], expected_vendors=2))
    notebook.check_sns_stack()
    assert "✔ The aggregator logged 2 quotes for one request" in shown[-1] and "check-failed" not in shown[-1]

    def too_late(handle, timeout_s):
        raise triggers.QuoteTimeout("No quote arrived within 20 s: look at the aggregator's log.")

    monkeypatch.setattr(triggers, "wait_for_sns_quotes", too_late)
    notebook.check_sns_stack()
    assert "✘ No quote arrived within 20 s" in shown[-1] and "check-failed" in shown[-1]


def test_an_unwritten_condition_sends_no_request_and_says_so(deployed_aggregate, shown):
    def placeholder(expected: set[str], answered: set[str]) -> bool:
        raise NotImplementedError

    assert not stack_checks.completeness_condition(placeholder).attempted
    notebook.check_completeness_condition(placeholder)
    assert deployed_aggregate == [] and len(shown) == 1 and "Not written yet" in shown[0]


def test_a_condition_failing_an_edge_case_sends_no_request(deployed_aggregate, shown):
    notebook.check_completeness_condition(lambda expected, answered: len(answered) >= len(expected))
    assert deployed_aggregate == []
    assert "✘ Not yet: " in shown[-1] and "Change the condition, then run this cell again." in shown[-1]


def test_a_condition_passing_the_edge_cases_is_compared_with_the_deployed_aggregator(deployed_aggregate, shown):
    notebook.check_completeness_condition(model_answer)
    assert len(deployed_aggregate) == 1
    assert "✔ Your condition agrees with every edge case and with the deployed aggregator." in shown[-1]
