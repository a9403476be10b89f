"""Asynchronous invocation: 202 at once, retries, OnSuccess/OnFailure destinations, SNS to Lambda and SQS."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

QUOTE = """
def handler(event, context):
    print("quoting", event)
    return {"statusCode": 200, "quote": event["days"] * 10}
"""

ALWAYS_FAILS = """
def handler(event, context):
    raise RuntimeError("vendor unavailable")
"""

ECHO_SNS = """
def handler(event, context):
    return {"received": event["Records"][0]["Sns"]["Message"]}
"""


def destinations(aws: Any, name: str, *, on_success: str | None = None, on_failure: str | None = None,
                 **settings: Any) -> None:
    config: dict[str, Any] = {}
    if on_success:
        config["OnSuccess"] = {"Destination": on_success}
    if on_failure:
        config["OnFailure"] = {"Destination": on_failure}
    aws.client("lambda").put_function_event_invoke_config(FunctionName=name, DestinationConfig=config, **settings)


def function_arn(aws: Any, name: str) -> str:
    return aws.client("lambda").get_function(FunctionName=name)["Configuration"]["FunctionArn"]


def test_an_event_invocation_answers_202_and_sends_the_aws_record_to_on_success(
    aws: Any, make_function: Callable[..., str], make_queue: Callable[..., tuple[str, str]]
) -> None:
    queue_url, queue_arn = make_queue()
    name = make_function(QUOTE)
    destinations(aws, name, on_success=queue_arn)

    response = aws.client("lambda").invoke(FunctionName=name, InvocationType="Event",
                                           Payload=json.dumps({"days": 3}).encode())

    assert response["StatusCode"] == 202 and response["Payload"].read() == b""
    (record,) = aws.receive_json(queue_url)
    assert record["version"] == "1.0"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", record["timestamp"])
    context = record["requestContext"]
    assert context["functionArn"] == function_arn(aws, name) + ":$LATEST"
    assert context["condition"] == "Success" and context["approximateInvokeCount"] == 1
    assert context["requestId"]
    assert record["requestPayload"] == {"days": 3}
    assert record["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST"}
    assert record["responsePayload"] == {"statusCode": 200, "quote": 30}
    assert f"END RequestId: {context['requestId']}" in aws.log_messages(f"/aws/lambda/{name}")


def test_a_failing_event_is_retried_twice_then_goes_to_on_failure(
    aws: Any, make_function: Callable[..., str], make_queue: Callable[..., tuple[str, str]]
) -> None:
    success_url, success_arn = make_queue()
    failure_url, failure_arn = make_queue()
    name = make_function(ALWAYS_FAILS)
    destinations(aws, name, on_success=success_arn, on_failure=failure_arn)

    aws.client("lambda").invoke(FunctionName=name, InvocationType="Event", Payload=b'{"car_type": "XL"}')

    (record,) = aws.receive_json(failure_url)
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 3
    assert record["requestPayload"] == {"car_type": "XL"}
    assert record["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"}
    assert record["responsePayload"]["errorType"] == "RuntimeError"
    assert record["responsePayload"]["errorMessage"] == "vendor unavailable"
    starts = [m for m in aws.log_messages(f"/aws/lambda/{name}") if m.startswith("START RequestId: ")]
    assert starts == [f"START RequestId: {record['requestContext']['requestId']} Version: $LATEST"] * 3
    assert aws.queue_depth(success_url) == 0


def test_maximum_retry_attempts_zero_fails_after_one_attempt(
    aws: Any, make_function: Callable[..., str], make_queue: Callable[..., tuple[str, str]]
) -> None:
    failure_url, failure_arn = make_queue()
    name = make_function(ALWAYS_FAILS)
    destinations(aws, name, on_failure=failure_arn, MaximumRetryAttempts=0)

    aws.client("lambda").invoke(FunctionName=name, InvocationType="Event", Payload=b"{}")

    (record,) = aws.receive_json(failure_url)
    assert record["requestContext"]["approximateInvokeCount"] == 1


def test_a_lambda_destination_receives_the_record_asynchronously(
    aws: Any, make_function: Callable[..., str], make_queue: Callable[..., tuple[str, str]]
) -> None:
    queue_url, queue_arn = make_queue()
    target = make_function("""
import os, json, boto3

def handler(event, context):
    boto3.client("sqs").send_message(QueueUrl=os.environ["QUEUE_URL"], MessageBody=json.dumps(event))
""", Environment={"Variables": {"QUEUE_URL": queue_url}}, Timeout=10)
    source = make_function(QUOTE)
    destinations(aws, source, on_success=function_arn(aws, target))

    aws.client("lambda").invoke(FunctionName=source, InvocationType="Event", Payload=b'{"days": 2}')

    (record,) = aws.receive_json(queue_url)
    assert record["requestContext"]["condition"] == "Success"
    assert record["responsePayload"]["quote"] == 20


def test_sns_delivers_a_real_sns_event_to_a_lambda_subscriber_whose_on_success_fires(
    aws: Any, make_function: Callable[..., str], make_queue: Callable[..., tuple[str, str]]
) -> None:
    queue_url, queue_arn = make_queue()
    name = make_function(ECHO_SNS)
    destinations(aws, name, on_success=queue_arn)
    sns = aws.client("sns")
    topic_arn = sns.create_topic(Name="quotes-topic")["TopicArn"]
    subscription_arn = sns.subscribe(TopicArn=topic_arn, Protocol="lambda",
                                     Endpoint=function_arn(aws, name))["SubscriptionArn"]

    message_id = sns.publish(
        TopicArn=topic_arn, Message='{"car_type": "XL"}', Subject="quote request",
        MessageAttributes={"vendor": {"DataType": "String", "StringValue": "Avis"}},
    )["MessageId"]

    (record,) = aws.receive_json(queue_url)
    assert record["requestContext"]["condition"] == "Success"
    assert record["responsePayload"] == {"received": '{"car_type": "XL"}'}
    (sns_record,) = record["requestPayload"]["Records"]
    assert sns_record["EventSource"] == "aws:sns" and sns_record["EventVersion"] == "1.0"
    assert sns_record["EventSubscriptionArn"] == subscription_arn
    notification = sns_record["Sns"]
    assert notification["Type"] == "Notification" and notification["MessageId"] == message_id
    assert notification["TopicArn"] == topic_arn and notification["Subject"] == "quote request"
    assert notification["Message"] == '{"car_type": "XL"}' and notification["SignatureVersion"] == "1"
    assert notification["Timestamp"].endswith("Z")
    assert notification["MessageAttributes"] == {"vendor": {"Type": "String", "Value": "Avis"}}


def test_sns_to_sqs_keeps_raw_delivery_and_filter_policies(
    aws: Any, make_queue: Callable[..., tuple[str, str]]
) -> None:
    sns, sqs = aws.client("sns"), aws.client("sqs")
    topic_arn = sns.create_topic(Name="fanout-topic")["TopicArn"]
    raw_url, raw_arn = make_queue()
    wrapped_url, wrapped_arn = make_queue()
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=raw_arn, ReturnSubscriptionArn=True,
                  Attributes={"RawMessageDelivery": "true", "FilterPolicy": json.dumps({"kind": ["keep"]})})
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=wrapped_arn)

    for kind in ("keep", "drop"):
        sns.publish(TopicArn=topic_arn, Message=f"{kind}-me",
                    MessageAttributes={"kind": {"DataType": "String", "StringValue": kind}})

    raw = sqs.receive_message(QueueUrl=raw_url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
    assert [m["Body"] for m in raw] == ["keep-me"]
    wrapped = aws.receive_json(wrapped_url, count=2)
    assert sorted(w["Message"] for w in wrapped) == ["drop-me", "keep-me"]
    assert all(w["Type"] == "Notification" and w["TopicArn"] == topic_arn for w in wrapped)


def test_the_scatter_gather_chain_event_to_sns_to_subscribers_to_sqs(
    aws: Any, make_function: Callable[..., str], make_queue: Callable[..., tuple[str, str]]
) -> None:
    """requester (Event) -> OnSuccess SNS topic -> two responders (async) -> their OnSuccess -> one SQS queue."""
    queue_url, queue_arn = make_queue()
    topic_arn = aws.client("sns").create_topic(Name="scatter")["TopicArn"]
    requester = make_function("def handler(event, context):\n    return {'days': event['days']}\n")
    destinations(aws, requester, on_success=topic_arn)
    responders = []
    for vendor, rate in (("Avis", 99), ("Alamo", 120)):
        responder = make_function(f"""
import json

def handler(event, context):
    request = json.loads(event["Records"][0]["Sns"]["Message"])["responsePayload"]
    return {{"vendor": "{vendor}", "price_quote": request["days"] * {rate}}}
""")
        destinations(aws, responder, on_success=queue_arn)
        aws.client("sns").subscribe(TopicArn=topic_arn, Protocol="lambda", Endpoint=function_arn(aws, responder))
        responders.append(responder)

    aws.client("lambda").invoke(FunctionName=requester, InvocationType="Event", Payload=b'{"days": 2}')

    records = aws.receive_json(queue_url, count=2)
    assert sorted((r["responsePayload"]["vendor"], r["responsePayload"]["price_quote"]) for r in records) == [
        ("Alamo", 240), ("Avis", 198)]
    assert {r["requestContext"]["functionArn"] for r in records} == {
        function_arn(aws, name) + ":$LATEST" for name in responders}


def test_an_event_over_the_asynchronous_payload_limit_is_refused(
    aws: Any, make_function: Callable[..., str]
) -> None:
    name = make_function(QUOTE)
    lam = aws.client("lambda")

    with pytest.raises(ClientError) as refused:
        lam.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps({"notes": "x" * 1_100_000}).encode())

    assert refused.value.response["Error"]["Code"] == "RequestEntityTooLargeException"
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 413
