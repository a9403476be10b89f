"""A vendor that always fails, on both stacks: a timed-out aggregate and a failure record, or a partial result."""

from __future__ import annotations

import json
import sys
import uuid as uuids
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_aggregator_support import (  # noqa: E402
    PARALLEL,
    SNS,
    Deployment,
    aggregate_of,
    aggregator_log,
    deploy,
    history,
    invoke_async,
    logged_json,
    receive_all,
    run_execution,
    table_items,
    wait_for,
)

pytestmark = pytest.mark.slow

RECIPIENTS = {"Avis": {"base_rate": "99"}, "Flaky": {"base_rate": "100", "failure_rate": "1"}}


@pytest.fixture(scope="module")
def deployment(workshop_cloud, tmp_path_factory) -> Deployment:
    """Both stacks with a vendor that always fails, a 3 s deadline and (the default) caught branch failures."""
    return deploy(workshop_cloud, tmp_path_factory.mktemp("cdk-aggregator-failures"), [PARALLEL, SNS],
                  {"recipients": RECIPIENTS, "aggregation_deadline_seconds": "3"})


def test_sns_a_failing_vendor_gives_a_timed_out_aggregate_naming_it_and_a_failure_record(deployment):
    uuid = f"flaky-{uuids.uuid4()}"
    request = {"data": {"car_type": "XL", "days_rental": 2, "uuid": uuid}}

    invoke_async(deployment, deployment.output(SNS, "RequesterFunctionName"), request)

    aggregate = wait_for(lambda: aggregate_of(deployment, uuid), what="the aggregate at the deadline")
    avis = {"car_type": "XL", "days_rental": 2, "uuid": uuid, "price_quote": 198, "vendor": "Avis"}
    assert aggregate == {"uuid": uuid, "status": "timed_out", "quotes": [avis], "best_quote": avis,
                         "missing_vendors": ["Flaky"]}
    assert sorted(item["sk"] for item in table_items(deployment, uuid)) == ["AGGREGATE", "QUOTE#Avis"]

    failed_queue = deployment.output(SNS, "FailedInvocationsQueueUrl")
    records: list[dict] = []
    wait_for(lambda: records.extend(receive_all(deployment, failed_queue)) or records,
             what="the failing vendor's failure record")
    (record,) = records
    assert record["requestContext"]["functionArn"].split(":")[6] == deployment.output(SNS, "ResponderFunctionNameFlaky")
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 3  # the first attempt and two retries
    assert record["responsePayload"]["errorType"] == "VendorUnavailableError"
    assert record["responsePayload"]["errorMessage"].startswith("Vendor Flaky is unavailable")
    published = json.loads(record["requestPayload"]["Records"][0]["Sns"]["Message"])
    assert json.loads(published["responsePayload"]["body"])["data"]["uuid"] == uuid


def test_sns_waiting_for_the_quotes_names_the_failed_invocations_queue_holding_the_failure(deployment, monkeypatch):
    from workshop_utils.cloud import target
    from workshop_utils.quotes import failures as quote_failures
    from workshop_utils.quotes import triggers

    monkeypatch.setattr(target, "client", lambda name, config=None: deployment.client(name))
    uuid = f"flaky-wait-{uuids.uuid4()}"
    requester = deployment.output(SNS, "RequesterFunctionName")
    handle = triggers.send_sns_payload({"data": {"car_type": "XL", "days_rental": 2, "uuid": uuid}},
                                       requester_function=requester)
    failed_queue = deployment.output(SNS, "FailedInvocationsQueueUrl")
    wait_for(lambda: [m for m in quote_failures.peek_messages(failed_queue) if uuid in json.dumps(m["Body"])],
             what="the failing vendor's failure record")

    with pytest.raises(triggers.QuoteTimeout) as timed_out:
        triggers.wait_for_sns_quotes(handle, expected_vendors=2, timeout_s=0)

    flaky = deployment.output(SNS, "ResponderFunctionNameFlaky")
    assert str(timed_out.value).endswith(
        f": {flaky} failed with VendorUnavailableError (RetriesExhausted after 3 attempt(s)): its record is in the "
        f"failed-invocations queue {failed_queue.rsplit('/', 1)[-1]}."
    )


def test_parallel_a_failing_vendor_gives_a_partial_result_listing_the_error(deployment):
    execution = run_execution(deployment, {"data": {"car_type": "XL", "days_rental": 3}})

    assert execution["status"] == "SUCCEEDED"
    output = json.loads(execution["output"])
    (quote,) = output["quotes"]
    assert (quote["vendor"], quote["price_quote"]) == ("Avis", 297)
    (error,) = output["errors"]
    assert (error["vendor"], error["error"]) == ("Flaky", "VendorUnavailableError")
    assert json.loads(error["cause"])["errorMessage"].startswith("Vendor Flaky is unavailable")
    failures = [e for e in history(deployment, execution["executionArn"]) if e["type"] == "TaskFailed"]
    assert len(failures) == 3  # Flaky: the first attempt and two retries, then the catch


def test_parallel_an_invalid_request_fails_the_execution_with_its_cause_and_no_retry(deployment):
    execution = run_execution(deployment, {"data": {"car_type": "XL", "days_rental": 0}})

    assert execution["status"] == "FAILED"
    assert execution["error"] == "InvalidQuoteRequest"
    cause = json.loads(execution["cause"])
    assert cause["errorMessage"].startswith("Invalid quote request: 'data.days_rental' must be a whole number")
    events = history(deployment, execution["executionArn"])
    assert len([e for e in events if e["type"] == "TaskFailed"]) == 1
    assert not [e for e in events if e["type"] == "ParallelStateEntered"]


def test_sns_a_request_published_straight_to_the_topic_without_a_uuid_ends_in_one_failed_aggregate(deployment):
    # Last in this module: its failing vendor's OnFailure record would be counted by the first test.
    topic = deployment.output(SNS, "ScatterTopicArn")
    request = {"data": {"car_type": "XL", "days_rental": 2, "note": f"straight-{uuids.uuid4()}"}}

    deployment.client("sns").publish(TopicArn=topic, Message=json.dumps(request))

    def failed_aggregates() -> list[dict]:
        return [document for document in logged_json(aggregator_log(deployment), "aggregate: ")
                if document.get("status") == "failed"]

    (aggregate,) = wait_for(failed_aggregates, what="the failed aggregate at the deadline")
    assert (aggregate["uuid"], aggregate["quotes"], aggregate["missing_vendors"]) == (None, [], ["Avis", "Flaky"])
    assert "it holds no request with a 'data.uuid'" in aggregate["reason"]
