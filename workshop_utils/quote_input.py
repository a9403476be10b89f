"""A learner's quote request, checked with the requester's own rules before anything is sent."""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType

_REQUESTER_RULES = Path(__file__).resolve().parent.parent / "lambdas" / "requester" / "quote_request.py"
CAR_TYPES = ("Economy", "Compact", "Midsize", "XL", "SUV", "Van")


class InvalidQuoteInput(ValueError):
    """A form value the requester would reject; the message says what to change."""


@cache
def _requester_rules() -> ModuleType:
    # The requester's validation is the single source of truth; load it from the Lambda asset by path
    # because each lambdas/<name> folder is a self-contained deployment package, not a Python package.
    spec = importlib.util.spec_from_file_location("requester_quote_request", _REQUESTER_RULES)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass(frozen=True)
class QuoteRequest:
    """What a learner asks for: a car type for a number of days."""

    car_type: str
    days_rental: int

    def payload(self, **extra: object) -> dict:
        """The JSON payload both patterns accept: {"data": {...}}."""
        return {"data": {"car_type": self.car_type, "days_rental": self.days_rental, **extra}}


def parse_quote_form(car_type: str, days_text: str | int) -> QuoteRequest:
    """Turn the form's raw values into a QuoteRequest, or raise InvalidQuoteInput saying why."""
    text = str(days_text).strip()
    if not re.fullmatch(r"-?[0-9]+", text):  # not str.isdigit: it accepts "²", which int() refuses
        raise InvalidQuoteInput(f"Days must be a whole number from 1 to 365, not {text!r}: type a number of days.")
    request = QuoteRequest(car_type=str(car_type).strip(), days_rental=int(text))
    rules = _requester_rules()
    try:
        rules.validate_request(request.payload())
    except rules.InvalidQuoteRequest as error:
        raise InvalidQuoteInput(str(error)) from None
    return request
