"""The requester handler: adds a uuid to valid requests and rejects invalid ones with a reason."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

REQUESTER_DIR = Path(__file__).resolve().parents[2] / "lambdas" / "requester"


def _load_handler_module() -> ModuleType:
    # Each lambda folder is its own asset root (as in Lambda), so its folder goes on sys.path.
    sys.path.insert(0, str(REQUESTER_DIR))
    spec = importlib.util.spec_from_file_location("requester_app", REQUESTER_DIR / "app.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


requester = _load_handler_module()
from quote_request import InvalidQuoteRequest, build_quote_request  # noqa: E402


def request(**data: object) -> dict:
    return {"data": {"car_type": "XL", "days_rental": 20, **data}}


def test_adds_a_uuid_and_returns_the_request_as_a_json_body():
    response = requester.lambda_handler(request(), None)

    assert response["statusCode"] == 200
    body = json.loads(response["body"])
    assert body["data"]["car_type"] == "XL"
    assert body["data"]["days_rental"] == 20
    assert isinstance(body["data"]["uuid"], str) and len(body["data"]["uuid"]) == 36


def test_each_request_gets_its_own_uuid():
    first = json.loads(requester.lambda_handler(request(), None)["body"])
    second = json.loads(requester.lambda_handler(request(), None)["body"])

    assert first["data"]["uuid"] != second["data"]["uuid"]


def test_keeps_a_uuid_chosen_by_the_caller_and_other_fields():
    event = {"data": {"car_type": "XL", "days_rental": 3, "uuid": "my-id"}, "source": "notebook"}

    body = json.loads(requester.lambda_handler(event, None)["body"])

    assert body == {"data": {"car_type": "XL", "days_rental": 3, "uuid": "my-id"}, "source": "notebook"}


def test_does_not_modify_the_callers_event():
    event = request()

    requester.lambda_handler(event, None)

    assert event == request()


def test_build_quote_request_uses_the_given_id_factory():
    assert build_quote_request(request(), lambda: "fixed")["data"]["uuid"] == "fixed"


@pytest.mark.parametrize("days", [1, 365])
def test_accepts_the_bounds_of_days_rental(days):
    assert json.loads(requester.lambda_handler(request(days_rental=days), None)["body"])["data"]["days_rental"] == days


@pytest.mark.parametrize("days", [True, False, "20", None, 0, -1, 366, 10**9, 2.5, 20.0, [20]])
def test_rejects_days_rental_that_is_not_a_whole_number_from_1_to_365(days):
    with pytest.raises(InvalidQuoteRequest, match=r"days_rental' must be a whole number from 1 to 365"):
        requester.lambda_handler(request(days_rental=days), None)


def test_rejects_a_missing_days_rental():
    with pytest.raises(InvalidQuoteRequest, match="days_rental"):
        requester.lambda_handler({"data": {"car_type": "XL"}}, None)


@pytest.mark.parametrize("car_type", [None, "", "   ", 7])
def test_rejects_a_missing_or_empty_car_type(car_type):
    with pytest.raises(InvalidQuoteRequest, match=r"car_type' must be a non-empty string"):
        requester.lambda_handler(request(car_type=car_type), None)


def test_rejects_a_request_without_car_type_key():
    with pytest.raises(InvalidQuoteRequest, match="car_type"):
        requester.lambda_handler({"data": {"days_rental": 2}}, None)


@pytest.mark.parametrize("event", [{}, {"car_type": "XL", "days_rental": 20}, {"data": None}])
def test_rejects_a_request_without_data(event):
    with pytest.raises(InvalidQuoteRequest, match="no 'data' object"):
        requester.lambda_handler(event, None)


@pytest.mark.parametrize("event", [{"data": "XL"}, {"data": [1]}])
def test_rejects_data_that_is_not_an_object(event):
    with pytest.raises(InvalidQuoteRequest, match="'data' must be an object"):
        requester.lambda_handler(event, None)


@pytest.mark.parametrize("event", ["{}", None, [1, 2]])
def test_rejects_an_event_that_is_not_an_object(event):
    with pytest.raises(InvalidQuoteRequest, match="expected a JSON object"):
        requester.lambda_handler(event, None)


@pytest.mark.parametrize("uuid", ["", 5])
def test_rejects_a_caller_uuid_that_is_not_a_non_empty_string(uuid):
    with pytest.raises(InvalidQuoteRequest, match="uuid"):
        requester.lambda_handler(request(uuid=uuid), None)


def test_invalid_request_is_a_value_error_whose_message_is_one_sentence_with_an_example():
    with pytest.raises(ValueError) as raised:
        requester.lambda_handler({}, None)

    message = str(raised.value)
    assert message.startswith("Invalid quote request: ")
    assert message.endswith('send a request like {"data": {"car_type": "XL", "days_rental": 20}}.')


def test_logs_the_request_it_sends(caplog):
    with caplog.at_level("INFO"):
        requester.lambda_handler(request(), None)

    assert any(message.startswith("sending quote request: ") for message in caplog.messages)


def test_rejects_a_request_too_large_for_the_scatter_messages():
    from quote_request import MAX_REQUEST_BYTES

    with pytest.raises(InvalidQuoteRequest, match=rf"bytes of JSON, more than the {MAX_REQUEST_BYTES} that fit"):
        requester.lambda_handler(request(car_type="X" * MAX_REQUEST_BYTES), None)


def test_accepts_a_request_just_under_the_size_limit():
    from quote_request import MAX_REQUEST_BYTES

    padding = MAX_REQUEST_BYTES - len(json.dumps(request(notes="")))
    assert requester.lambda_handler(request(notes="n" * padding), None)["statusCode"] == 200
