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
    deploy,
    history,
    invoke_async,
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
