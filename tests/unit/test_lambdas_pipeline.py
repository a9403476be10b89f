"""The three handlers chained through the SNS and SQS envelopes, as the SNS stack wires them."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

LAMBDAS_DIR = Path(__file__).resolve().parents[2] / "lambdas"


def _load(folder: str) -> ModuleType:
    sys.path.insert(0, str(LAMBDAS_DIR / folder))
    spec = importlib.util.spec_from_file_location(f"pipeline_{folder}_app", LAMBDAS_DIR / folder / "app.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


requester, responder, aggregator = _load("requester"), _load("responder"), _load("aggregator")
from aggregate_store import InMemoryAggregateStore  # noqa: E402

VENDORS = {"Avis": "99", "Alamo": "120"}


def on_success(request_payload: object, response_payload: object) -> str:
    """The JSON a Lambda OnSuccess destination delivers (SNS Message or SQS body)."""
    return json.dumps(
        {
            "version": "1.0",
            "timestamp": "2024-05-01T10:00:00.000Z",
            "requestContext": {"requestId": "r", "functionArn": "arn", "condition": "Success",
                               "approximateInvokeCount": 1},
            "requestPayload": request_payload,
            "responseContext": {"statusCode": 200, "executedVersion": "$LATEST"},
            "responsePayload": response_payload,
        }
    )


def test_a_request_scattered_over_sns_and_gathered_from_sqs_yields_one_quote_per_vendor(monkeypatch, caplog):
    store = InMemoryAggregateStore()
    monkeypatch.setattr(aggregator, "_store", store)
    monkeypatch.setenv("EXPECTED_VENDORS", ",".join(VENDORS))
    request = {"data": {"car_type": "XL", "days_rental": 20}}
    published = on_success(request, requester.lambda_handler(request, None))
    sns_event = {"Records": [{"EventSource": "aws:sns", "Sns": {"Message": published}}]}

    bodies = []
    for vendor, rate in VENDORS.items():
        monkeypatch.setenv("VENDOR", vendor)
        monkeypatch.setenv("BASE_RATE", rate)
        bodies.append(on_success(sns_event, responder.lambda_handler(sns_event, None)))
    with caplog.at_level("INFO"):
        result = aggregator.lambda_handler({"Records": [{"body": body} for body in bodies]}, None)

    quotes = json.loads(result["body"])
    assert [(quote["vendor"], quote["price_quote"]) for quote in quotes] == [("Avis", 1980), ("Alamo", 2400)]
    assert len({quote["uuid"] for quote in quotes}) == 1
    assert all(set(quote) == {"car_type", "days_rental", "uuid", "price_quote", "vendor"} for quote in quotes)
    aggregate = store.aggregate(quotes[0]["uuid"])
    assert (aggregate["status"], aggregate["best_quote"]["vendor"]) == ("complete", "Avis")


def test_the_deadline_queue_reads_the_message_the_topic_delivers_raw(monkeypatch, caplog):
    # The deadline queue's raw subscription delivers the SNS Message itself: the requester's OnSuccess record.
    store = InMemoryAggregateStore()
    monkeypatch.setattr(aggregator, "_store", store)
    monkeypatch.setenv("EXPECTED_VENDORS", ",".join(VENDORS))
    deadline_arn = "arn:aws:sqs:us-east-1:123456789012:Deadline"
    monkeypatch.setenv("DEADLINE_QUEUE_ARN", deadline_arn)
    request = {"data": {"car_type": "XL", "days_rental": 20}}
    published = on_success(request, requester.lambda_handler(request, None))

    with caplog.at_level("INFO"):
        result = aggregator.lambda_handler(
            {"Records": [{"messageId": "m", "body": published, "eventSourceARN": deadline_arn}]},
            None,
        )

    uuid = json.loads(json.loads(published)["responsePayload"]["body"])["data"]["uuid"]
    assert result["batchItemFailures"] == []
    assert store.aggregate(uuid)["missing_vendors"] == list(VENDORS)


@pytest.mark.parametrize("vendor", ["Avis", "Alamo"])
def test_the_parallel_branch_path_turns_the_requester_body_into_a_quote(monkeypatch, vendor):
    # Step Functions passes StringToJson($.Payload.body) to each branch, then StringToJson($.Payload.data).
    monkeypatch.setenv("VENDOR", vendor)
    monkeypatch.setenv("BASE_RATE", VENDORS[vendor])
    branch_input = json.loads(requester.lambda_handler({"data": {"car_type": "XL", "days_rental": 2}}, None)["body"])

    quote = json.loads(responder.lambda_handler(branch_input, None)["data"])

    assert quote["vendor"] == vendor
    assert quote["price_quote"] == 2 * int(VENDORS[vendor])
    assert quote["uuid"] == branch_input["data"]["uuid"]
