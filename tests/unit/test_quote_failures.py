"""wait_for_sns_quotes names where an incomplete request failed: its failed aggregate, the DLQ, the OnFailure queue."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from workshop_utils.cloud import stacks, target
from workshop_utils.quotes import failures as quote_failures
from workshop_utils.quotes import triggers

UUID = "u-42"
REQUEST = {"data": {"car_type": "XL", "days_rental": 2, "uuid": UUID}}


@pytest.fixture
def sqs(moto_aws, monkeypatch) -> Any:
    client = boto3.client("sqs", region_name="us-east-1")
    monkeypatch.setattr(target, "client", lambda name, config=None: client)
    return client


@pytest.fixture
def queues(sqs, monkeypatch) -> dict[str, str]:
    outputs = {
        "FailedInvocationsQueueUrl": sqs.create_queue(QueueName="Sns-FailedInvocations")["QueueUrl"],
        "AggregationDeadLetterQueueUrl": sqs.create_queue(QueueName="Sns-AggregationDLQ")["QueueUrl"],
        "AggregatorLogGroupName": "/aws/lambda/Sns-Aggregator",
    }
    monkeypatch.setattr(stacks, "stack_outputs", lambda stack: outputs)
    return outputs


def aggregator_log(monkeypatch, *messages: str) -> None:
    events = [{"timestamp": 1_000 + index, "message": message} for index, message in enumerate(messages)]
    monkeypatch.setattr(triggers, "fetch_log_events", lambda group, start_ms: events)


def quote_record(vendor: str) -> dict:
    quote = {**REQUEST["data"], "price_quote": 198, "vendor": vendor}
    return {"requestContext": {"functionArn": f"arn:aws:lambda:us-east-1:1:function:Sns-Responder{vendor}:$LATEST",
                               "condition": "Success", "approximateInvokeCount": 1},
            "responsePayload": {"statusCode": 200, "data": json.dumps(quote)}}


def failure_record(function: str, error: str, request: Any, attempts: int = 3) -> dict:
    return {"requestContext": {"functionArn": f"arn:aws:lambda:us-east-1:1:function:{function}:$LATEST",
                               "condition": "RetriesExhausted", "approximateInvokeCount": attempts},
            "requestPayload": request, "responsePayload": {"errorType": error, "errorMessage": "..."}}


def timeout_message(request: Any = REQUEST, uuid: str = UUID) -> str:
    handle = triggers.SnsQuoteHandle(uuid=uuid, requester_function="Sns-Requester", lambda_request_id="r",
                                     sent_at_ms=2_000, request=request)
    with pytest.raises(triggers.QuoteTimeout) as timed_out:
        triggers.wait_for_sns_quotes(handle, expected_vendors=2, timeout_s=0)
    return str(timed_out.value)


def test_a_quote_in_the_dead_letter_queue_is_named_with_its_queue(queues, sqs, monkeypatch):
    aggregator_log(monkeypatch)
    sqs.send_message(QueueUrl=queues["AggregationDeadLetterQueueUrl"], MessageBody=json.dumps(quote_record("Avis")))

    message = timeout_message()

    assert message == (
        "Only 0 of 2 quotes for request u-42 arrived in 0 s: the aggregator could not store Avis's quote: the record "
        "is in its dead-letter queue Sns-AggregationDLQ (read the aggregator's log for why, then redrive it)."
    )
    assert "responders" not in message


def test_a_quote_still_being_delivered_again_is_named_with_the_aggregators_error(queues, monkeypatch):
    aggregator_log(monkeypatch, "[ERROR]\t2026-01-01T00:00:00.000Z\tr\trecord m-1 (Alamo's quote for request u-42) "
                                "failed and will be delivered again (then dead-lettered): ResourceNotFoundException")

    message = timeout_message()

    assert message.endswith(
        ": the aggregator could not process Alamo's quote for request u-42 (ResourceNotFoundException): SQS delivers "
        "it again, then moves it to the dead-letter queue Sns-AggregationDLQ."
    )


def test_a_failed_aggregate_gives_its_reason(queues, monkeypatch):
    document = {"uuid": UUID, "status": "failed", "quotes": [], "best_quote": None,
                "missing_vendors": ["Avis", "Alamo"], "reason": "the aggregates table could not be written"}
    aggregator_log(monkeypatch, "aggregate: " + json.dumps(document))

    assert timeout_message().endswith(": the aggregator could not aggregate it: the aggregates table could not "
                                      "be written.")


def test_a_responders_on_failure_record_is_named_with_its_queue(queues, sqs, monkeypatch):
    aggregator_log(monkeypatch)
    sns_event = {"Records": [{"Sns": {"Message": json.dumps({"responsePayload": {"body": json.dumps(REQUEST)}})}}]}
    sqs.send_message(QueueUrl=queues["FailedInvocationsQueueUrl"],
                     MessageBody=json.dumps(failure_record("Sns-ResponderAlamo", "VendorUnavailableError", sns_event)))
    sqs.send_message(QueueUrl=queues["FailedInvocationsQueueUrl"],  # another request's failure is left out
                     MessageBody=json.dumps(failure_record("Sns-ResponderAvis", "Boom", {"data": {"uuid": "u-9"}})))

    assert timeout_message().endswith(
        ": Sns-ResponderAlamo failed with VendorUnavailableError (RetriesExhausted after 3 attempt(s)): its record "
        "is in the failed-invocations queue Sns-FailedInvocations."
    )


def test_a_request_the_requester_refused_is_found_by_its_payload(queues, sqs, monkeypatch):
    aggregator_log(monkeypatch)
    bad = {"data": {"car_type": "XL", "days_rental": 0}}
    sqs.send_message(QueueUrl=queues["FailedInvocationsQueueUrl"],
                     MessageBody=json.dumps(failure_record("Sns-Requester", "InvalidQuoteRequest", bad, attempts=1)))

    assert timeout_message(bad, uuid="").endswith(
        ": Sns-Requester failed with InvalidQuoteRequest (RetriesExhausted after 1 attempt(s)): its record is in "
        "the failed-invocations queue Sns-FailedInvocations."
    )


def test_peeking_leaves_the_records_in_their_queue(queues, sqs, monkeypatch):
    aggregator_log(monkeypatch)
    sqs.send_message(QueueUrl=queues["AggregationDeadLetterQueueUrl"], MessageBody=json.dumps(quote_record("Avis")))

    timeout_message()

    assert len(quote_failures.peek_messages(queues["AggregationDeadLetterQueueUrl"])) == 1


def test_with_no_record_anywhere_it_says_so_instead_of_blaming_a_responder(queues, monkeypatch):
    aggregator_log(monkeypatch)

    assert timeout_message() == (
        "Only 0 of 2 quotes for request u-42 arrived in 0 s, and neither the failed-invocations queue nor the "
        "aggregator's dead-letter queue holds a record of it yet: read the responders' and the aggregator's logs "
        "below, then send the request again."
    )
