"""The Aggregator exercise's checks: edge cases, and agreement with a deployed aggregator's decision."""

from workshop_utils.teaching.exercise import check_against_aggregate, check_edge_cases


def model_answer(expected, answered):
    return expected <= answered


def test_the_model_answer_passes_every_edge_case():
    assert check_edge_cases(model_answer).passed


def test_an_unwritten_condition_is_not_attempted_rather_than_failed():
    def placeholder(expected, answered):
        raise NotImplementedError

    result = check_edge_cases(placeholder)
    assert not result.attempted and not result.passed and result.failures == []


def test_counting_answers_is_caught_by_the_unexpected_vendor_case():
    result = check_edge_cases(lambda expected, answered: len(answered) >= len(expected))
    assert not result.passed
    assert any("did not expect" in failure for failure in result.failures)


def test_a_crashing_condition_is_reported_not_raised():
    result = check_edge_cases(lambda expected, answered: 1 / 0)
    assert not result.passed and "ZeroDivisionError" in result.failures[0]


def test_agreement_with_the_deployed_aggregator():
    assert check_against_aggregate(
        model_answer, expected={"Avis", "Alamo"}, answered={"Avis", "Alamo"}, status="complete"
    ).passed
    always = check_against_aggregate(
        lambda e, a: True, expected={"Avis", "Alamo"}, answered={"Avis", "Alamo"}, status="complete"
    )
    assert not always.passed and "says complete" in always.failures[0]
