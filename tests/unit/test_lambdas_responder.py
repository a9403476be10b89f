"""The responder handler: prices a request for its vendor from every event shape it receives."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

RESPONDER_DIR = Path(__file__).resolve().parents[2] / "lambdas" / "responder"


def _load_handler_module() -> ModuleType:
    # Each lambda folder is its own asset root (as in Lambda), so its folder goes on sys.path.
    sys.path.insert(0, str(RESPONDER_DIR))
    spec = importlib.util.spec_from_file_location("responder_app", RESPONDER_DIR / "app.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


responder = _load_handler_module()
from vendor_quote import (  # noqa: E402
    ResponderConfigError,
    UnsupportedEvent,
    VendorSettings,
    VendorUnavailableError,
)

REQUEST = {"data": {"car_type": "XL", "days_rental": 20, "uuid": "4c1b6b1e-0000-4000-8000-000000000001"}}
EXPECTED_QUOTE = {**REQUEST["data"], "price_quote": 1980, "vendor": "Avis"}


def destination_record(response_payload: object, request_payload: object = None) -> dict:
    """What Lambda sends to an OnSuccess destination after an asynchronous invocation."""
    return {
        "version": "1.0",
        "timestamp": "2024-05-01T10:00:00.000Z",
        "requestContext": {
            "requestId": "5a4c1f0e-1111-2222-3333-444455556666",
            "functionArn": "arn:aws:lambda:us-east-1:123456789012:function:Requester:$LATEST",
            "condition": "Success",
            "approximateInvokeCount": 1,
        },
        "requestPayload": request_payload,
        "responseContext": {"statusCode": 200, "executedVersion": "$LATEST"},
        "responsePayload": response_payload,
    }


def sns_event(message: str) -> dict:
    topic = "arn:aws:sns:us-east-1:123456789012:ScatterTopic"
    return {
        "Records": [
            {
                "EventSource": "aws:sns",
                "EventVersion": "1.0",
                "EventSubscriptionArn": f"{topic}:0d0b5c1e-0000-4000-8000-000000000000",
                "Sns": {
                    "Type": "Notification",
                    "MessageId": "95df01b4-ee98-5cb9-9903-4c221d41eb5e",
                    "TopicArn": topic,
                    "Subject": None,
                    "Message": message,
                    "Timestamp": "2024-05-01T10:00:00.100Z",
                    "SignatureVersion": "1",
                    "Signature": "EXAMPLE",
                    "SigningCertUrl": "https://sns.us-east-1.amazonaws.com/cert.pem",
                    "UnsubscribeUrl": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe",
                    "MessageAttributes": {},
                },
            }
        ]
    }


REQUESTER_RESPONSE = {"statusCode": 200, "body": json.dumps(REQUEST)}


@pytest.fixture(autouse=True)
def avis(monkeypatch):
    monkeypatch.setenv("VENDOR", "Avis")
    monkeypatch.setenv("BASE_RATE", "99")
    monkeypatch.delenv("LATENCY_MS", raising=False)
    monkeypatch.delenv("FAILURE_RATE", raising=False)


def quote_of(response: dict) -> dict:
    assert response["statusCode"] == 200
    assert isinstance(response["data"], str)
    return json.loads(response["data"])


def test_prices_a_direct_step_functions_payload():
    assert quote_of(responder.lambda_handler(REQUEST, None)) == EXPECTED_QUOTE


def test_prices_an_sns_event_carrying_the_requesters_destination_record():
    event = sns_event(json.dumps(destination_record(REQUESTER_RESPONSE, request_payload={"data": {}})))

    assert quote_of(responder.lambda_handler(event, None)) == EXPECTED_QUOTE


def test_prices_a_destination_record_whose_body_is_already_an_object():
    event = sns_event(json.dumps(destination_record({"statusCode": 200, "body": REQUEST})))

    assert quote_of(responder.lambda_handler(event, None)) == EXPECTED_QUOTE


def test_prices_the_requesters_return_value_and_a_bare_destination_record():
    assert quote_of(responder.lambda_handler(REQUESTER_RESPONSE, None)) == EXPECTED_QUOTE
    assert quote_of(responder.lambda_handler(destination_record(REQUESTER_RESPONSE), None)) == EXPECTED_QUOTE


def test_price_is_base_rate_times_days_for_the_configured_vendor(monkeypatch):
    monkeypatch.setenv("VENDOR", "Alamo")
    monkeypatch.setenv("BASE_RATE", "120")

    quote = quote_of(responder.lambda_handler({"data": {"car_type": "S", "days_rental": 3, "uuid": "u"}}, None))

    assert quote == {"car_type": "S", "days_rental": 3, "uuid": "u", "price_quote": 360, "vendor": "Alamo"}
    assert isinstance(quote["price_quote"], int)


def test_does_not_modify_the_callers_event():
    event = json.loads(json.dumps(REQUEST))

    responder.lambda_handler(event, None)

    assert event == REQUEST


@pytest.mark.parametrize(
    "event",
    [
        {},
        {"data": "XL"},
        {"body": "not json"},
        {"Records": []},
        {"Records": [{"Sns": {"Message": "{}"}}, {"Sns": {"Message": "{}"}}]},
        {"Records": [{"eventSource": "aws:sqs", "body": "{}"}]},
        sns_event("not json"),
        sns_event(json.dumps(destination_record({"statusCode": 200}))),
        "a string",
    ],
)
def test_rejects_events_it_cannot_read_with_a_reason(event):
    pattern = r"^Responder cannot read this event: .*subscribe it to the scatter topic\.$"
    with pytest.raises(UnsupportedEvent, match=pattern):
        responder.lambda_handler(event, None)


@pytest.mark.parametrize("days", ["20", None, True])
def test_rejects_a_days_rental_it_cannot_multiply(days):
    with pytest.raises(UnsupportedEvent, match="send requests through the requester"):
        responder.lambda_handler({"data": {"car_type": "XL", "days_rental": days}}, None)


@pytest.mark.parametrize(
    ("name", "value", "problem"),
    [
        ("VENDOR", "", "VENDOR is missing"),
        ("BASE_RATE", "", "BASE_RATE must be a whole number"),
        ("BASE_RATE", "abc", "BASE_RATE must be a whole number"),
        ("BASE_RATE", "0", "BASE_RATE must be at least 1"),
        ("LATENCY_MS", "-5", "LATENCY_MS must be at least 0"),
        ("FAILURE_RATE", "2", "FAILURE_RATE must be a number from 0 to 1"),
        ("FAILURE_RATE", "nan", "FAILURE_RATE must be a number from 0 to 1"),
        ("FAILURE_RATE", "often", "FAILURE_RATE must be a number from 0 to 1"),
    ],
)
def test_a_misconfigured_environment_says_what_to_fix(monkeypatch, name, value, problem):
    monkeypatch.setenv(name, value)

    with pytest.raises(ResponderConfigError, match=problem) as raised:
        responder.lambda_handler(REQUEST, None)

    assert str(raised.value).endswith("redeploy the stack with a valid 'recipients' context.")


def test_a_failure_rate_of_one_always_raises_vendor_unavailable(monkeypatch):
    monkeypatch.setenv("FAILURE_RATE", "1")

    with pytest.raises(VendorUnavailableError, match="Vendor Avis is unavailable"):
        responder.lambda_handler(REQUEST, None)


def test_a_failure_rate_of_zero_never_raises(monkeypatch):
    monkeypatch.setenv("FAILURE_RATE", "0")
    monkeypatch.setattr(responder.random, "random", lambda: 0.0)

    assert quote_of(responder.lambda_handler(REQUEST, None)) == EXPECTED_QUOTE


def test_failure_is_decided_by_the_draw():
    settings = VendorSettings(vendor="Avis", base_rate=99, failure_rate=0.25)

    assert settings.is_unavailable(0.1)
    assert not settings.is_unavailable(0.25)
    assert not settings.is_unavailable(0.9)


def test_latency_sleeps_for_latency_ms(monkeypatch):
    slept = []
    monkeypatch.setenv("LATENCY_MS", "250")
    monkeypatch.setattr(responder.time, "sleep", slept.append)

    responder.lambda_handler(REQUEST, None)

    assert slept == [0.25]


def test_no_latency_means_no_sleep(monkeypatch):
    monkeypatch.setenv("LATENCY_MS", "0")
    monkeypatch.setattr(responder.time, "sleep", lambda seconds: pytest.fail("slept"))

    responder.lambda_handler(REQUEST, None)


def test_settings_default_latency_and_failure_rate():
    assert VendorSettings.from_environ({"VENDOR": "Avis", "BASE_RATE": "99"}) == VendorSettings("Avis", 99, 0, 0.0)
