"""The workshop's two stacks on a private local cloud, deployed and destroyed through workshop_utils.deploy.cdk.

One deployment for the module, changed in file order: the default vendors first, then a failing vendor, then three
vendors, then destroy (each context change costs a synth, so there are only three).
"""

from __future__ import annotations

import json
import os
import re
import signal
import sys
import uuid as uuids
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from workshop_utils.cloud import stacks, target
from workshop_utils.cloud.logs import fetch_log_events, function_log_group
from workshop_utils.deploy import cdk
from workshop_utils.local_cloud import state
from workshop_utils.measure import bench
from workshop_utils.quotes import aggregates, triggers
from workshop_utils.quotes.request import QuoteRequest
from workshop_utils.teardown import cleanup

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stack_events import (  # noqa: E402
    assert_created_in_dependency_order,
    assert_deleted_dependents_first,
    assert_reads_as_on_aws,
    chronological,
    since_last,
    stack_statuses,
    statuses_of,
)
from test_aggregator_support import ACCOUNT, REGION, require_cdk_cli, wait_for  # noqa: E402

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
CONTEXT = json.loads((REPO / "cdk.json").read_text())["context"]
RATES = {vendor: int(settings["base_rate"]) for vendor, settings in CONTEXT["recipients"].items()}
FAILING_VENDOR = "Alamo"
THIRD_VENDOR, THIRD_RATE = "Hertz", 105
REQUEST = QuoteRequest(car_type="XL", days_rental=20)
WAIT_SECONDS = 120.0  # generous: the machine may be busy; the waits end as soon as the result is there
RECORD_KEYS = {"version", "timestamp", "requestContext", "requestPayload", "responseContext", "responsePayload"}
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


# ---------------------------------------------------------------- helpers


def expected_quotes(uuid: str, rates: dict[str, int], days: int = REQUEST.days_rental) -> list[dict[str, Any]]:
    """One quote per vendor, priced base_rate x days, sorted by vendor."""
    return [
        {"car_type": REQUEST.car_type, "days_rental": days, "uuid": uuid, "price_quote": rate * days, "vendor": vendor}
        for vendor, rate in sorted(rates.items())
    ]


def by_vendor(quotes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(quotes, key=lambda quote: quote["vendor"])


def sns_output(name: str) -> str:
    return stacks.stack_outputs(stacks.SNS_STACK)[name]


def request_sns_quotes(vendors: int) -> triggers.SnsQuoteResult:
    """One request through the requester (asynchronous), waited for until every vendor's quote is logged."""
    handle = triggers.request_sns_quote(REQUEST)
    return triggers.wait_for_sns_quotes(handle, expected_vendors=vendors, timeout_s=WAIT_SECONDS)


def function_arn(function: str) -> str:
    return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{function}:$LATEST"


def assert_destination_record(record: dict[str, Any], *, function: str, condition: str, attempts: int) -> None:
    """A Lambda destination record with exactly the fields and formats AWS sends."""
    assert set(record) == RECORD_KEYS
    assert record["version"] == "1.0"
    assert TIMESTAMP.match(record["timestamp"]), record["timestamp"]
    context = record["requestContext"]
    assert set(context) == {"requestId", "functionArn", "condition", "approximateInvokeCount"}
    uuids.UUID(context["requestId"])
    assert context["functionArn"] == function_arn(function)
    assert (context["condition"], context["approximateInvokeCount"]) == (condition, attempts)
    response = record["responseContext"]
    assert (response["statusCode"], response["executedVersion"]) == (200, "$LATEST")
    assert response.get("functionError") == (None if condition == "Success" else "Unhandled")


def published_uuid(record: dict[str, Any]) -> str | None:
    """The request uuid inside a responder's event: SNS event -> requester's OnSuccess record -> its response body."""
    try:
        published = json.loads(record["Records"][0]["Sns"]["Message"])
        return json.loads(published["responsePayload"]["body"])["data"]["uuid"]
    except (KeyError, IndexError, TypeError, ValueError):  # not a responder's event (e.g. a requester's failure)
        return None


def worker_processes(endpoint: str) -> dict[int, str]:
    """The Lambda workers of the local cloud at `endpoint` ({pid: function name}), found through /proc."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
            if not any(b"runtime_client" in part for part in command):  # workers.CLIENT_COMMAND
                continue
            environ = dict(item.split("=", 1) for item in (entry / "environ").read_text().split("\0") if "=" in item)
        except OSError:  # gone meanwhile, or not ours to read
            continue
        if environ.get("AWS_ENDPOINT_URL") == endpoint and state.process_alive(int(entry.name)):
            found[int(entry.name)] = environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
    return found


def workers_of(endpoint: str, function: str) -> set[int]:
    return {pid for pid, name in worker_processes(endpoint).items() if name == function}


def template_resources(stack: str) -> dict[str, Any]:
    body = target.client("cloudformation").get_template(StackName=stack)["TemplateBody"]
    return (json.loads(body) if isinstance(body, str) else body)["Resources"]


def log_messages(resource: stacks.Resource) -> list[str]:
    """What a leftover log group holds (it tells who wrote to it after its deletion); [] for other resources."""
    if resource.resource_type != "AWS::Logs::LogGroup":
        return []
    return [event["message"] for event in fetch_log_events(resource.physical_id, start_ms=0)]


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def endpoint(workshop_cloud, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The module's local cloud; deploy.cdk assembles into a folder of the module's own, not the repo's."""
    require_cdk_cli()
    if not Path("/proc/self/environ").exists():
        pytest.skip("finding the local cloud's workers needs /proc (Linux)")
    assert workshop_cloud.healthy and workshop_cloud.port != target.LOCAL_CLOUD_DEFAULT_PORT
    work = tmp_path_factory.mktemp("cdk-project-stacks")
    runner = cdk.CdkRunner()
    runner.assembly, runner.build = work / "cdk.out", work / "build"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cdk, "_runner", runner)  # cdk.deploy() & co. as the notebooks call them, another cdk.out
        yield workshop_cloud.endpoint_url


@pytest.fixture(scope="module")
def deployed(endpoint: str) -> dict[str, dict[str, str]]:
    """`cdk bootstrap`, then both stacks deployed with cdk.json's context; their outputs by stack."""
    cdk.bootstrap()
    assert target.is_bootstrapped()
    return {stack: cdk.deploy(stack) for stack in stacks.STACKS}


@pytest.fixture(scope="module")
def warm(deployed: dict[str, dict[str, str]]) -> None:
    """Every SNS-stack function has a warm worker: a cold start may delay one vendor beyond the batching window."""
    request_sns_quotes(len(RATES))


# ---------------------------------------------------------------- the default configuration (cdk.json)


def test_both_stacks_are_deployed_with_their_outputs(deployed):
    assert all(stacks.is_deployed(stack) for stack in stacks.STACKS)
    assert {"StatemachineArn", "RequesterFunctionName"} <= set(deployed[stacks.PARALLEL_STACK])
    assert {
        "RequesterFunctionName",
        "AggregatorFunctionName",
        "ScatterTopicArn",
        "AggregationQueueUrl",
        "AggregatorLogGroupName",
        "FailedInvocationsQueueUrl",
    } <= set(deployed[stacks.SNS_STACK])
    assert {f"ResponderFunctionName{vendor}" for vendor in RATES} <= set(deployed[stacks.SNS_STACK])


def test_each_stack_was_created_resource_by_resource_in_its_templates_dependency_order(deployed):
    cfn = target.client("cloudformation")
    for stack in stacks.STACKS:
        resources, events = template_resources(stack), chronological(cfn, stack)
        assert_reads_as_on_aws(events)
        assert stack_statuses(events) == ["REVIEW_IN_PROGRESS", "CREATE_IN_PROGRESS", "CREATE_COMPLETE"], stack
        assert_created_in_dependency_order(events, resources)
        assert events[-1]["ResourceType"] == "AWS::CloudFormation::Stack"  # the stack completes last


def test_the_parallel_execution_succeeds_with_one_correct_quote_per_vendor(deployed):
    frames: list[tuple[dict, list[dict]]] = []
    execution = triggers.request_parallel_quote(
        REQUEST, timeout_s=WAIT_SECONDS, watch=lambda definition, history: frames.append((definition, history)))

    assert execution.status == "SUCCEEDED", (execution.error, execution.cause)
    assert frames and frames[-1] == (execution.definition, execution.history)  # the last look saw it all
    assert execution.history[-1]["type"] == "ExecutionSucceeded"
    (uuid,) = {quote["uuid"] for quote in execution.quotes}
    assert by_vendor(execution.quotes) == expected_quotes(uuid, RATES)
    events = {event["type"] for event in execution.history}
    assert {"ParallelStateEntered", "ParallelStateSucceeded", "ParallelStateExited"} <= events
    assert len([e for e in execution.history if e["type"] == "TaskSucceeded"]) == 1 + len(RATES)


def test_an_asynchronous_request_gives_one_quotes_line_with_one_quote_per_vendor(warm):
    result = request_sns_quotes(len(RATES))

    assert len(result.log_events) == 1  # one aggregator invocation logged this request's quotes
    assert by_vendor(result.quotes) == expected_quotes(result.handle.uuid, RATES)


def test_the_batching_window_of_cdk_json_holds_one_requests_quotes_in_one_batch(warm):
    queue_arn = target.client("sqs").get_queue_attributes(
        QueueUrl=sns_output("AggregationQueueUrl"), AttributeNames=["QueueArn"]
    )["Attributes"]["QueueArn"]
    mappings = target.client("lambda").list_event_source_mappings(
        FunctionName=sns_output("AggregatorFunctionName"), EventSourceArn=queue_arn
    )["EventSourceMappings"]
    (mapping,) = mappings
    assert mapping["MaximumBatchingWindowInSeconds"] == CONTEXT["max_batching_window_seconds"]
    assert mapping["BatchSize"] == len(RATES)

    result = request_sns_quotes(len(RATES))
    assert len(result.log_events) == 1  # both vendors answered within the window: one batch, one `quotes:` line
    assert {quote["vendor"] for quote in result.quotes} == set(RATES)


def test_destination_records_have_the_aws_format(warm):
    result = request_sns_quotes(len(RATES))
    responder = sns_output("ResponderFunctionNameAvis")
    requester = sns_output("RequesterFunctionName")

    def received_record() -> dict[str, Any] | None:
        events = fetch_log_events(function_log_group(responder), start_ms=result.handle.sent_at_ms - 1000)
        for event in events:
            _, marker, tail = event["message"].partition("received event: ")
            if marker and published_uuid(sns := json.loads(tail)) == result.handle.uuid:
                return sns
        return None

    sns_event = wait_for(received_record, what="the responder's `received event:` line", timeout=WAIT_SECONDS)
    (delivery,) = sns_event["Records"]
    assert delivery["EventSource"] == "aws:sns"
    assert delivery["Sns"]["TopicArn"] == sns_output("ScatterTopicArn")
    record = json.loads(delivery["Sns"]["Message"])  # the requester's OnSuccess record, published to the topic
    assert_destination_record(record, function=requester, condition="Success", attempts=1)
    assert record["requestPayload"] == result.handle.request
    assert record["responsePayload"]["statusCode"] == 200
    assert json.loads(record["responsePayload"]["body"]) == {
        "data": {"car_type": REQUEST.car_type, "days_rental": REQUEST.days_rental, "uuid": result.handle.uuid}
    }


def test_the_aggregators_boto3_calls_reach_the_local_cloud(warm):
    result = request_sns_quotes(len(RATES))
    uuid = result.handle.uuid

    items = wait_for(
        lambda: (found := aggregates.table_items(uuid)) and any(i["sk"] == "AGGREGATE" for i in found) and found,
        what="the request's aggregate in DynamoDB",
        timeout=WAIT_SECONDS,
    )
    assert sorted(item["sk"] for item in items) == ["AGGREGATE", *sorted(f"QUOTE#{v}" for v in RATES)]
    (aggregate,) = [item["aggregate"] for item in items if item["sk"] == "AGGREGATE"]
    assert aggregate["status"] == "complete"
    assert by_vendor(aggregate["quotes"]) == expected_quotes(uuid, RATES)


def test_the_benchmark_measures_every_request_of_an_open_loop_run(warm):
    runs = {"parallel": bench.run_parallel(6, 3, rate=10.0), "sns": bench.run_sns(6, 3, rate=10.0)}

    for name, run in runs.items():
        summary = run.summary()
        assert (summary["completed"], summary["lost"], summary["failed"]) == (6, 0, 0), name
        assert all(latency > 0 for latency in run.latencies_ms), name
        assert summary["p50_ms"] <= summary["p95_ms"] <= summary["p99_ms"], name


def test_at_notebook_03s_offered_load_both_patterns_answer_within_a_second_at_the_median(warm):
    # The load notebook 03's benchmark cell offers (test_bench checks the cell uses these constants).
    requests = bench.requests_for(bench.WORKSHOP_RATE, bench.WORKSHOP_DURATION_S)
    runs = bench.run_patterns(requests, concurrency=bench.SENDERS, rate=bench.WORKSHOP_RATE)

    for name, run in runs.items():
        summary = run.summary()
        assert (summary["completed"], summary["lost"], summary["failed"]) == (requests, 0, 0), (name, summary)
        assert summary["p50_ms"] < 1000, (name, summary)  # the bar: both under a second, same load


def test_the_benchmark_measures_the_lambda_paths_overhead_over_a_bare_api_call(warm):
    figures = bench.measure_invocations(sns_output("RequesterFunctionName"), warm_samples=5)

    assert set(figures) == {"cold_start_ms", "warm_invoke_ms", "api_call_ms", "warm_overhead_ms"}
    assert figures["warm_invoke_ms"] > 0 and figures["api_call_ms"] > 0
    assert figures["warm_overhead_ms"] == pytest.approx(figures["warm_invoke_ms"] - figures["api_call_ms"], abs=0.02)


def test_a_killed_worker_is_replaced(endpoint, warm):
    responder = sns_output("ResponderFunctionNameAvis")
    killed = wait_for(lambda: workers_of(endpoint, responder), what="a warm Avis worker", timeout=WAIT_SECONDS)

    for pid in killed:
        os.kill(pid, signal.SIGKILL)
    wait_for(lambda: not any(state.process_alive(pid) for pid in killed), what="the killed workers' exit")
    result = request_sns_quotes(len(RATES))

    assert by_vendor(result.quotes) == expected_quotes(result.handle.uuid, RATES)
    assert workers_of(endpoint, responder) - killed  # a new worker answered for Avis


# ---------------------------------------------------------------- a failing vendor (context change)


def test_a_failing_vendor_is_retried_then_recorded_on_failure(deployed):
    failing = {**CONTEXT["recipients"], FAILING_VENDOR: {**CONTEXT["recipients"][FAILING_VENDOR], "failure_rate": "1"}}
    outputs = cdk.deploy(stacks.SNS_STACK, {"recipients": failing})
    handle = triggers.request_sns_quote(REQUEST)

    def failure_record() -> dict[str, Any] | None:
        records = aggregates.failure_records(since_ms=handle.sent_at_ms - 1000)
        mine = [r for r in records if published_uuid(r["requestPayload"]) == handle.uuid]
        return mine[0] if mine else None

    record = wait_for(failure_record, what="the failing vendor's OnFailure record", timeout=WAIT_SECONDS)
    responder = outputs[f"ResponderFunctionName{FAILING_VENDOR}"]
    assert_destination_record(record, function=responder, condition="RetriesExhausted", attempts=3)
    assert record["responsePayload"]["errorType"] == "VendorUnavailableError"
    assert record["responsePayload"]["errorMessage"].startswith(f"Vendor {FAILING_VENDOR} is unavailable")
    assert record["requestPayload"]["Records"][0]["Sns"]["TopicArn"] == outputs["ScatterTopicArn"]


# ---------------------------------------------------------------- three vendors (context change)


def test_a_third_vendor_quotes_in_both_patterns(deployed):
    recipients = {**CONTEXT["recipients"], THIRD_VENDOR: {"base_rate": str(THIRD_RATE)}}
    rates = {**RATES, THIRD_VENDOR: THIRD_RATE}
    for stack in stacks.STACKS:
        cdk.deploy(stack, {"recipients": recipients})

    execution = triggers.request_parallel_quote(REQUEST, timeout_s=WAIT_SECONDS)
    assert execution.status == "SUCCEEDED", (execution.error, execution.cause)
    (uuid,) = {quote["uuid"] for quote in execution.quotes}
    assert by_vendor(execution.quotes) == expected_quotes(uuid, rates)

    result = request_sns_quotes(len(rates))
    assert by_vendor(result.quotes) == expected_quotes(result.handle.uuid, rates)


def test_adding_a_vendor_creates_only_its_resources_in_dependency_order(deployed):
    """The update of the previous test: the third vendor's resources are created, a few others changed, none of
    the rest touched; nothing is removed, so the cleanup phase is empty."""
    cfn = target.client("cloudformation")
    for stack in stacks.STACKS:
        resources = template_resources(stack)
        events = since_last(chronological(cfn, stack), "UPDATE_IN_PROGRESS")
        assert_reads_as_on_aws(events)
        assert stack_statuses(events) == [
            "UPDATE_IN_PROGRESS", "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", "UPDATE_COMPLETE"]
        added = {logical_id for logical_id in resources if THIRD_VENDOR in logical_id}
        assert added and {e["LogicalResourceId"] for e in events if e["ResourceStatus"] == "CREATE_COMPLETE"} == added
        assert_created_in_dependency_order(events, resources, added)
        updated = {e["LogicalResourceId"] for e in events if e["ResourceStatus"] == "UPDATE_COMPLETE"} - {stack}
        assert updated and len(updated) < len(resources) - len(added), stack
        for logical_id in updated:
            assert statuses_of(events, logical_id) == ["UPDATE_IN_PROGRESS", "UPDATE_COMPLETE"]
        assert not [e for e in events if e["ResourceStatus"].startswith("DELETE")]


# ---------------------------------------------------------------- destroy


def test_destroy_removes_everything(endpoint, deployed):
    inventory = cleanup.deployed_resources()
    assert {r.stack for r in inventory} == set(stacks.STACKS)
    assert {r.resource_type for r in inventory} >= {
        "AWS::Lambda::Function",
        "AWS::SNS::Topic",
        "AWS::SQS::Queue",
        "AWS::StepFunctions::StateMachine",
        "AWS::DynamoDB::Table",
        "AWS::Logs::LogGroup",
    }
    assert triggers.request_parallel_quote(REQUEST, timeout_s=WAIT_SECONDS).status == "SUCCEEDED"
    assert worker_processes(endpoint)  # so that their end below means something
    cfn = target.client("cloudformation")
    deployed_stacks = {stack: (cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackId"],
                               template_resources(stack)) for stack in stacks.STACKS}

    for stack in reversed(stacks.STACKS):
        cdk.destroy(stack)

    for stack, (stack_id, resources) in deployed_stacks.items():
        events = since_last(chronological(cfn, stack_id), "DELETE_IN_PROGRESS")
        assert_reads_as_on_aws(events)
        assert stack_statuses(events) == ["DELETE_IN_PROGRESS", "DELETE_COMPLETE"], stack
        assert_deleted_dependents_first(events, resources)

    left = cleanup.leftovers(inventory)
    assert left == [], [(resource, log_messages(resource)) for resource in left]
    wait_for(lambda: not worker_processes(endpoint), what="the exit of every worker of the local cloud")
