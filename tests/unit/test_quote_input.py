"""The form's validation: the requester's own rules, applied before anything is sent."""

import pytest

from workshop_utils.quote_input import InvalidQuoteInput, QuoteRequest, parse_quote_form


def test_valid_form_values_make_a_request():
    request = parse_quote_form("XL", " 20 ")
    assert request == QuoteRequest("XL", 20)
    assert request.payload(uuid="u-1") == {"data": {"car_type": "XL", "days_rental": 20, "uuid": "u-1"}}


@pytest.mark.parametrize("days", ["0", "-1", "366", "1000000000"])
def test_days_out_of_range_are_refused_with_the_range(days):
    with pytest.raises(InvalidQuoteInput, match="1 to 365"):
        parse_quote_form("XL", days)


@pytest.mark.parametrize("days", ["", "abc", "2.5", "20 days", "²", "--3"])
def test_days_that_are_not_a_number_are_refused(days):
    with pytest.raises(InvalidQuoteInput, match="whole number"):
        parse_quote_form("XL", days)


def test_an_empty_car_type_is_refused():
    with pytest.raises(InvalidQuoteInput, match="car_type"):
        parse_quote_form("  ", "3")
