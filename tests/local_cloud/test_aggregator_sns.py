"""The SNS stack's Aggregator on the local cloud: concurrent requests, duplicate deliveries, and bad input."""

from __future__ import annotations

import json
import sys
import uuid as uuids
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_aggregator_support import (  # noqa: E402
    SNS,
    Deployment,
    aggregate_of,
    aggregates,
    aggregator_log,
    deploy,
    invoke_async,
    logged_json,
    queue_is_empty,
    receive_all,
    table_items,
    wait_for,
)

pytestmark = pytest.mark.slow

VENDORS = ["Avis", "Alamo"]
RATES = {"Avis": 99, "Alamo": 120}
# Long enough for 50 concurrent requests to be answered on a busy laptop (the local cloud's aggregator polls
# each queue with one poller); the failure tests use 3 s.
DEADLINE_SECONDS = 30
CONCURRENT_REQUESTS = 50


@pytest.fixture(scope="module")
def deployment(workshop_cloud, tmp_path_factory) -> Deployment:
    """The SNS stack with the default vendors, deployed once for this module."""
    return deploy(workshop_cloud, tmp_path_factory.mktemp("cdk-aggregator-sns"), [SNS],
                  {"aggregation_deadline_seconds": str(DEADLINE_SECONDS)})


def request(uuid: str, days: int = 2) -> dict:
    return {"data": {"car_type": "XL", "days_rental": days, "uuid": uuid}}


def new_uuid(label: str) -> str:
    return f"{label}-{uuids.uuid4()}"


def test_concurrent_requests_each_get_exactly_one_complete_aggregate(deployment):
    requester = deployment.output(SNS, "RequesterFunctionName")
    sent = [new_uuid(f"c{index}") for index in range(CONCURRENT_REQUESTS)]

    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(lambda u: invoke_async(deployment, requester, request(u))["StatusCode"], sent))
    assert statuses == [202] * CONCURRENT_REQUESTS

    found = wait_for(lambda: (a := aggregates(deployment)) and set(sent) <= set(a) and a,
                     what=f"{CONCURRENT_REQUESTS} aggregates")
    for uuid in sent:
        aggregate = found[uuid]
        assert aggregate["status"] == "complete"
        assert aggregate["missing_vendors"] == []
        assert [quote["vendor"] for quote in aggregate["quotes"]] == VENDORS
        assert {quote["uuid"] for quote in aggregate["quotes"]} == {uuid}
        assert [quote["price_quote"] for quote in aggregate["quotes"]] == [2 * RATES[v] for v in VENDORS]
        assert aggregate["best_quote"]["vendor"] == "Avis"

    # Every request's deadline passes too, and finds its request already aggregated: still one aggregate each.
    def every_deadline_passed() -> list[str] | None:
        log = aggregator_log(deployment)
        passed = {u for u in sent if any(f"deadline of request {u} passed: it was already aggregated" in m
                                         for m in log)}
        return log if passed == set(sent) else None

    every_deadline_passed_log = wait_for(every_deadline_passed, what="the deadline of every request")
    logged = [a for a in logged_json(every_deadline_passed_log, "aggregate: ") if a["uuid"] in sent]
    assert sorted(a["uuid"] for a in logged) == sorted(sent)
    batch_quotes = [q for line in logged_json(every_deadline_passed_log, "quotes: ") for q in line]
    assert {(q["uuid"], q["vendor"]) for q in batch_quotes if q["uuid"] in sent} == {
        (u, v) for u in sent for v in VENDORS}


def responder_record(quote: dict) -> str:
    """A responder's OnSuccess destination record, as the aggregation queue receives it."""
    return json.dumps({
        "version": "1.0",
        "timestamp": "2024-05-01T10:00:01.000Z",
        "requestContext": {"requestId": str(uuids.uuid4()), "condition": "Success", "approximateInvokeCount": 1,
                           "functionArn": f"arn:aws:lambda:us-east-1:123456789012:function:{quote['vendor']}:$LATEST"},
        "requestPayload": {"Records": []},
        "responseContext": {"statusCode": 200, "executedVersion": "$LATEST"},
        "responsePayload": {"statusCode": 200, "data": json.dumps(quote)},
    })


def test_a_duplicated_sqs_message_is_counted_once(deployment):
    sqs, queue = deployment.client("sqs"), deployment.output(SNS, "AggregationQueueUrl")
    uuid = new_uuid("dup")
    quotes = {vendor: {"car_type": "XL", "days_rental": 2, "uuid": uuid, "price_quote": 2 * rate, "vendor": vendor}
              for vendor, rate in RATES.items()}

    # At-least-once delivery: the same Avis record arrives twice before Alamo answers.
    for _ in range(2):
        sqs.send_message(QueueUrl=queue, MessageBody=responder_record(quotes["Avis"]))
    wait_for(lambda: any(f"duplicate quote from Avis for request {uuid}: counted once" in m
                         for m in aggregator_log(deployment)), what="the duplicate Avis quote")
    assert aggregate_of(deployment, uuid) is None
    sqs.send_message(QueueUrl=queue, MessageBody=responder_record(quotes["Alamo"]))

    aggregate = wait_for(lambda: aggregate_of(deployment, uuid), what="the aggregate of the duplicated request")
    assert aggregate["status"] == "complete"
    assert aggregate["quotes"] == [quotes["Avis"], quotes["Alamo"]]
    assert sorted(item["sk"] for item in table_items(deployment, uuid)) == ["AGGREGATE", "QUOTE#Alamo", "QUOTE#Avis"]


BAD_REQUESTS = {
    "no data": ({}, "it has no 'data' object"),
    "days 0": ({"data": {"car_type": "XL", "days_rental": 0}}, "not 0;"),
    "days -1": ({"data": {"car_type": "XL", "days_rental": -1}}, "not -1;"),
    "days 366": ({"data": {"car_type": "XL", "days_rental": 366}}, "not 366;"),
    "days as text": ({"data": {"car_type": "XL", "days_rental": "20"}}, "not '20';"),
    "days null": ({"data": {"car_type": "XL", "days_rental": None}}, "not None;"),
    "days 10^9": ({"data": {"car_type": "XL", "days_rental": 10**9}}, "not 1000000000;"),
    "no car_type": ({"data": {"days_rental": 20}}, "'data.car_type' must be a non-empty string"),
    # Lambda accepts asynchronous payloads up to 1 MB; the requester refuses what no SNS message could carry.
    "over 256 KB": ({"data": {"car_type": "XL", "days_rental": 20, "notes": "x" * 300_000}},
                    "bytes of JSON, more than the 16384 that fit in a scatter message"),
}


def test_each_bad_request_is_recorded_as_a_failure_with_its_reason(deployment):
    requester = deployment.output(SNS, "RequesterFunctionName")
    before = set(aggregates(deployment))
    for case, (payload, _) in BAD_REQUESTS.items():
        assert invoke_async(deployment, requester, {**payload, "case": case})["StatusCode"] == 202

    failed_queue = deployment.output(SNS, "FailedInvocationsQueueUrl")
    records: dict[str, dict] = {}

    def all_recorded() -> bool:
        for record in receive_all(deployment, failed_queue):
            records[record["requestPayload"]["case"]] = record
        return set(records) >= set(BAD_REQUESTS)

    wait_for(all_recorded, what="a failure record for every bad request")
    assert set(records) == set(BAD_REQUESTS)
    for case, (payload, reason) in BAD_REQUESTS.items():
        record = records[case]
        assert record["requestContext"]["condition"] == "RetriesExhausted"
        assert record["requestContext"]["approximateInvokeCount"] == 1  # an invalid request is not retried
        assert record["requestContext"]["functionArn"].split(":")[6] == requester
        assert record["responseContext"]["functionError"] == "Unhandled"
        assert record["responsePayload"]["errorType"] == "InvalidQuoteRequest"
        message = record["responsePayload"]["errorMessage"]
        assert message.startswith("Invalid quote request: ") and reason in message, case
        assert record["requestPayload"] == {**payload, "case": case}
    # None of them reached the topic, so none started a deadline or an aggregate.
    assert set(aggregates(deployment)) == before


def test_a_payload_over_the_asynchronous_limit_is_refused_by_invoke(deployment):
    from botocore.exceptions import ClientError

    requester = deployment.output(SNS, "RequesterFunctionName")
    payload = {"data": {"car_type": "XL", "days_rental": 20, "notes": "x" * 1_100_000}}

    with pytest.raises(ClientError) as refused:
        invoke_async(deployment, requester, payload)

    assert refused.value.response["Error"]["Code"] == "RequestEntityTooLargeException"


def test_nothing_is_left_behind(deployment):
    for name in ("AggregationQueueUrl", "DeadlineQueueUrl"):
        wait_for(lambda name=name: queue_is_empty(deployment, deployment.output(SNS, name)),
                 what=f"draining {name}")
    assert receive_all(deployment, deployment.output(SNS, "AggregationDeadLetterQueueUrl")) == []
    requests = {item["uuid"] for item in table_items(deployment)}
    assert requests == set(aggregates(deployment))  # every request that left a trace has its aggregate
    assert not [line for line in aggregator_log(deployment) if "[ERROR]" in line]
