"""A learner's quote request, checked with the requester's own rules before anything is sent."""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from functools import cache
from types import ModuleType

from workshop_utils.repo import REPO_ROOT

_REQUESTER_RULES = REPO_ROOT / "lambdas" / "requester" / "quote_request.py"
CAR_TYPES = ("Economy", "Compact", "Midsize", "XL", "SUV", "Van")
# Only ASCII digits with an optional sign: str.isdigit() would accept "²", which int() refuses.
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)")  # quoted back bare; anything else in quotes
_SHOWN_CHARS = 30  # what a refusal quotes back of a long entry


class InvalidQuoteInput(ValueError):
    """A form value the requester would reject; the message says, in the form's words, what to change."""


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


def _as_typed(text: str) -> str:
    """What the learner typed, as the refusal quotes it back."""
    if not text:
        return "the box is empty"
    shown = text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 1] + "…"
    return f"you typed {shown}" if _DECIMAL.fullmatch(text) else f'you typed "{shown}"'


def days_refusal(days_text: str | int | float) -> str | None:
    """The sentence that refuses a Days entry, or None when it is a whole number in range."""
    rules = _requester_rules()
    text = str(days_text).strip()
    if _WHOLE_NUMBER.fullmatch(text) and rules.MIN_DAYS <= int(text) <= rules.MAX_DAYS:
        return None
    return f"Days must be a whole number from {rules.MIN_DAYS} to {rules.MAX_DAYS}; {_as_typed(text)}."


def parse_quote_form(car_type: str, days_text: str | int) -> QuoteRequest:
    """Turn the form's raw values into a QuoteRequest, or raise InvalidQuoteInput saying why in the form's words."""
    car = str(car_type or "").strip()
    if not car:
        raise InvalidQuoteInput(f"Choose a car type from the list ({', '.join(CAR_TYPES)}).")
    refusal = days_refusal(days_text)
    if refusal:
        raise InvalidQuoteInput(refusal)
    request = QuoteRequest(car_type=car, days_rental=int(str(days_text).strip()))
    rules = _requester_rules()
    try:  # the form's own checks above mirror these rules; this catches a rule added to the requester later
        rules.validate_request(request.payload())
    except rules.InvalidQuoteRequest:
        raise InvalidQuoteInput(
            f"The requester would refuse {car} for {request.days_rental} days: "
            "choose another car type or number of days, then send again."
        ) from None
    return request
