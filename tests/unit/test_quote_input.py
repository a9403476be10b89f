"""The form's validation: the requester's own rules, refused in the form's words before anything is sent."""

import pytest

from workshop_utils.quotes.request import InvalidQuoteInput, QuoteRequest, days_refusal, parse_quote_form


def test_valid_form_values_make_a_request():
    request = parse_quote_form("XL", " 20 ")
    assert request == QuoteRequest("XL", 20)
    assert request.payload(uuid="u-1") == {"data": {"car_type": "XL", "days_rental": 20, "uuid": "u-1"}}


@pytest.mark.parametrize("days", ["1", "365", "+7", "007", 12])
def test_whole_numbers_in_range_are_accepted(days):
    assert days_refusal(days) is None
    assert parse_quote_form("Van", days).days_rental == int(str(days))


@pytest.mark.parametrize(
    ("days", "sentence"),
    [
        ("400", "Days must be a whole number from 1 to 365; you typed 400."),
        ("0", "Days must be a whole number from 1 to 365; you typed 0."),
        ("-3", "Days must be a whole number from 1 to 365; you typed -3."),
        ("366", "Days must be a whole number from 1 to 365; you typed 366."),
        ("2.5", "Days must be a whole number from 1 to 365; you typed 2.5."),
        ("abc", 'Days must be a whole number from 1 to 365; you typed "abc".'),
        ("20 days", 'Days must be a whole number from 1 to 365; you typed "20 days".'),
        ("²", 'Days must be a whole number from 1 to 365; you typed "²".'),
        ("--3", 'Days must be a whole number from 1 to 365; you typed "--3".'),
        ("", "Days must be a whole number from 1 to 365; the box is empty."),
        ("   ", "Days must be a whole number from 1 to 365; the box is empty."),
        ("1000000000", "Days must be a whole number from 1 to 365; you typed 1000000000."),
    ],
)
def test_each_kind_of_bad_days_is_refused_in_the_forms_words(days, sentence):
    with pytest.raises(InvalidQuoteInput) as refused:
        parse_quote_form("XL", days)
    assert str(refused.value) == sentence
    # never the API's wording: no JSON paths, no example payloads
    assert "data." not in sentence and "{" not in sentence


def test_a_long_entry_is_quoted_back_shortened():
    with pytest.raises(InvalidQuoteInput) as refused:
        parse_quote_form("XL", "x" * 200)
    assert len(str(refused.value)) < 100 and "…" in str(refused.value)


def test_an_empty_car_type_asks_to_choose_one():
    with pytest.raises(InvalidQuoteInput, match="Choose a car type from the list"):
        parse_quote_form("  ", "3")


def test_a_rule_the_form_does_not_know_is_still_refused_in_plain_words(monkeypatch):
    from workshop_utils.quotes import request as quote_input

    rules = quote_input._requester_rules()

    def stricter(event):
        raise rules.InvalidQuoteRequest("Invalid quote request: 'data.car_type' is sold out; send a request like {}.")

    monkeypatch.setattr(rules, "validate_request", stricter)
    with pytest.raises(InvalidQuoteInput) as refused:
        parse_quote_form("Van", "3")
    assert str(refused.value).startswith("The requester would refuse Van for 3 days")
    assert "data." not in str(refused.value)
