"""The aggregator handler: reads quotes from SQS records of responder results and logs them once."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

AGGREGATOR_DIR = Path(__file__).resolve().parents[2] / "lambdas" / "aggregator"


def _load_handler_module() -> ModuleType:
    # Each lambda folder is its own asset root (as in Lambda), so its folder goes on sys.path.
    sys.path.insert(0, str(AGGREGATOR_DIR))
    spec = importlib.util.spec_from_file_location("aggregator_app", AGGREGATOR_DIR / "app.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


aggregator = _load_handler_module()
from quote_records import UnsupportedRecord  # noqa: E402

AVIS = {"car_type": "XL", "days_rental": 20, "uuid": "u-1", "price_quote": 1980, "vendor": "Avis"}
ALAMO = {"car_type": "XL", "days_rental": 20, "uuid": "u-1", "price_quote": 2400, "vendor": "Alamo"}


def responder_destination_record(quote: dict) -> dict:
    """What a responder's OnSuccess destination writes to the aggregation queue."""
    return {
        "version": "1.0",
        "timestamp": "2024-05-01T10:00:01.000Z",
        "requestContext": {
            "requestId": "6b5d2f1e-1111-2222-3333-444455556666",
            "functionArn": f"arn:aws:lambda:us-east-1:123456789012:function:Responder{quote['vendor']}:$LATEST",
            "condition": "Success",
            "approximateInvokeCount": 1,
        },
        "requestPayload": {"Records": [{"EventSource": "aws:sns"}]},
        "responseContext": {"statusCode": 200, "executedVersion": "$LATEST"},
        "responsePayload": {"statusCode": 200, "data": json.dumps(quote)},
    }


def sqs_event(*bodies: object) -> dict:
    return {
        "Records": [
            {
                "messageId": f"00000000-0000-4000-8000-00000000000{index}",
                "receiptHandle": "AQEB...",
                "body": body if isinstance(body, str) else json.dumps(body),
                "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1714557601000"},
                "messageAttributes": {},
                "md5OfBody": "x",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:AggregationQueue",
                "awsRegion": "us-east-1",
            }
            for index, body in enumerate(bodies)
        ]
    }


def quotes_lines(caplog) -> list[str]:
    return [message for message in caplog.messages if message.startswith("quotes: ")]


def test_returns_and_logs_one_quote_per_record(caplog):
    event = sqs_event(responder_destination_record(AVIS), responder_destination_record(ALAMO))

    with caplog.at_level("INFO"):
        response = aggregator.lambda_handler(event, None)

    assert response == {"statusCode": 200, "body": json.dumps([AVIS, ALAMO])}
    lines = quotes_lines(caplog)
    assert len(lines) == 1
    assert json.loads(lines[0].removeprefix("quotes: ")) == [AVIS, ALAMO]


def test_the_quotes_line_is_the_only_line_mentioning_quotes(caplog):
    with caplog.at_level("DEBUG"):
        aggregator.lambda_handler(sqs_event(responder_destination_record(AVIS)), None)

    assert [message for message in caplog.messages if "quotes" in message] == quotes_lines(caplog)


def test_accepts_a_bare_responder_result_and_an_already_decoded_quote(caplog):
    event = sqs_event({"statusCode": 200, "data": json.dumps(AVIS)}, {"statusCode": 200, "data": ALAMO})

    with caplog.at_level("INFO"):
        response = aggregator.lambda_handler(event, None)

    assert json.loads(response["body"]) == [AVIS, ALAMO]


def test_an_empty_batch_gives_an_empty_list(caplog):
    with caplog.at_level("INFO"):
        response = aggregator.lambda_handler({"Records": []}, None)

    assert response["body"] == "[]"
    assert quotes_lines(caplog) == ["quotes: []"]


@pytest.mark.parametrize(
    ("event", "problem"),
    [
        ({}, "this event: it has no 'Records' list"),
        ([], "this event: it has no 'Records' list"),
        ({"Records": [{"messageId": "m"}]}, "record 0: it has no 'body'"),
        (sqs_event("not json"), "the body of record 0: it is not valid JSON"),
        (sqs_event({"responsePayload": {"statusCode": 200}}), "the body of record 0: it holds no responder result"),
        (sqs_event({"responsePayload": {"data": "[1, 2]"}}), "the body of record 0: its quote is not an object"),
        (sqs_event({"responsePayload": {"data": "{oops"}}), "the quote in the body of record 0: it is not valid"),
    ],
)
def test_rejects_what_it_cannot_read_with_a_reason(event, problem):
    with pytest.raises(UnsupportedRecord, match=f"^Aggregator cannot read {problem}") as raised:
        aggregator.lambda_handler(event, None)

    assert str(raised.value).endswith('"data": "<quote JSON>"}.')
