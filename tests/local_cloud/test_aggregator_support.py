"""Helpers of the aggregator's local-cloud tests: deploy with the real CDK CLI, poll for outcomes, read them back.

Imported by the test_aggregator_*.py modules (it holds no tests itself).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import boto3
import pytest

from workshop_utils.local_cloud import service

REPO = Path(__file__).resolve().parents[2]
CDK = REPO / "node_modules" / ".bin" / "cdk"
ACCOUNT, REGION = "123456789012", "us-east-1"
PARALLEL, SNS = "ScatterGatherWithParallelStack", "ScatterGatherWithSNSStack"
POLL_SECONDS = 0.25
T = TypeVar("T")


def client_keys(cloud: str | service.Status) -> dict[str, str]:
    """Endpoint and keys: a local cloud's own (from its Status), or any keys for a plain moto server's endpoint."""
    if isinstance(cloud, str):
        return {"AWS_ENDPOINT_URL": cloud, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    assert cloud.endpoint_url and cloud.access_key_id and cloud.secret_access_key
    return {"AWS_ENDPOINT_URL": cloud.endpoint_url, "AWS_ACCESS_KEY_ID": cloud.access_key_id,
            "AWS_SECRET_ACCESS_KEY": cloud.secret_access_key}


def cdk_environment(cloud: str | service.Status) -> dict[str, str]:
    return {
        **os.environ,
        **client_keys(cloud),
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "CDK_DISABLE_CLI_TELEMETRY": "true",
        "CDK_DISABLE_VERSION_CHECK": "1",
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
    }


def run_cdk(cloud: str | service.Status, work_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The CDK CLI in the repository (so cdk.json's app and context apply), assembling into `work_dir`."""
    command = [str(CDK), *args, "--no-notices", "--output", str(work_dir / "cdk.out")]
    result = subprocess.run(command, cwd=REPO, env=cdk_environment(cloud), capture_output=True, text=True,
                            timeout=900, check=False)
    assert result.returncode == 0, f"cdk {' '.join(args)} failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    return result


def require_cdk_cli() -> None:
    if not CDK.exists() or shutil.which("node") is None:
        pytest.skip("the CDK CLI is not installed: run `make setup` first")


@dataclass
class Deployment:
    """The workshop's stacks deployed to one local cloud, with their outputs and clients."""

    cloud: service.Status
    outputs: dict[str, dict[str, str]]
    _clients: dict[str, Any] = field(default_factory=dict)

    @property
    def endpoint(self) -> str:
        return str(self.cloud.endpoint_url)

    def client(self, name: str) -> Any:
        if name not in self._clients:
            keys = client_keys(self.cloud)
            self._clients[name] = boto3.client(
                name, endpoint_url=keys["AWS_ENDPOINT_URL"], region_name=REGION,
                aws_access_key_id=keys["AWS_ACCESS_KEY_ID"], aws_secret_access_key=keys["AWS_SECRET_ACCESS_KEY"],
            )
        return self._clients[name]

    def output(self, stack: str, name: str) -> str:
        return self.outputs[stack][name]


def deploy(cloud: service.Status, work_dir: Path, stacks: Iterable[str], context: dict[str, Any]) -> Deployment:
    """`cdk bootstrap`, then `cdk deploy` of `stacks` with `-c key=value` for each context entry."""
    require_cdk_cli()
    run_cdk(cloud, work_dir, "bootstrap", f"aws://{ACCOUNT}/{REGION}")
    context_args = []
    for key, value in context.items():
        text = value if isinstance(value, str) else json.dumps(value)
        context_args += ["-c", f"{key}={text}"]
    outputs_file = work_dir / "outputs.json"
    run_cdk(cloud, work_dir, "deploy", *stacks, "--require-approval", "never", "--outputs-file",
            str(outputs_file), *context_args)
    return Deployment(cloud=cloud, outputs=json.loads(outputs_file.read_text()))


def wait_for(check: Callable[[], T | None], *, what: str, timeout: float = 180.0) -> T:
    """Poll `check` until it returns something truthy; fail with `what` if it never does."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout:.0f} s")
        time.sleep(POLL_SECONDS)


def invoke_async(deployment: Deployment, function: str, payload: Any) -> dict[str, Any]:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return deployment.client("lambda").invoke(FunctionName=function, InvocationType="Event", Payload=body)


def table_items(deployment: Deployment, uuid: str | None = None) -> list[dict[str, Any]]:
    """Items of the aggregates table (of one request, or all), with every attribute as plain text."""
    dynamodb, table = deployment.client("dynamodb"), deployment.output(SNS, "AggregatesTableName")
    pages = dynamodb.get_paginator("query" if uuid else "scan")
    arguments: dict[str, Any] = {"TableName": table, "ConsistentRead": True}
    if uuid:
        arguments |= {"KeyConditionExpression": "#u = :u", "ExpressionAttributeNames": {"#u": "uuid"},
                      "ExpressionAttributeValues": {":u": {"S": uuid}}}
    return [{name: next(iter(value.values())) for name, value in item.items()}
            for page in pages.paginate(**arguments) for item in page.get("Items", [])]


def aggregates(deployment: Deployment) -> dict[str, dict[str, Any]]:
    """The aggregate documents in the table, by uuid."""
    return {item["uuid"]: json.loads(item["aggregate"]) for item in table_items(deployment)
            if item["sk"] == "AGGREGATE"}


def aggregate_of(deployment: Deployment, uuid: str) -> dict[str, Any] | None:
    items = [item for item in table_items(deployment, uuid) if item["sk"] == "AGGREGATE"]
    return json.loads(items[0]["aggregate"]) if items else None


def aggregator_log(deployment: Deployment) -> list[str]:
    """Every message the aggregator has logged so far."""
    logs, group = deployment.client("logs"), deployment.output(SNS, "AggregatorLogGroupName")
    messages = []
    for page in logs.get_paginator("filter_log_events").paginate(logGroupName=group):
        messages += [event["message"] for event in page["events"]]
    return messages


def logged_json(messages: Iterable[str], prefix: str) -> list[Any]:
    """The JSON after `prefix` in each log line that has it (the Lambda runtime prefixes level, time, id)."""
    found = []
    for message in messages:
        head, separator, tail = message.partition(prefix)
        if separator and (not head or head.endswith("\t")):
            found.append(json.loads(tail))
    return found


def receive_all(deployment: Deployment, queue_url: str) -> list[dict[str, Any]]:
    """Receive (and delete) every message now visible in the queue; bodies parsed as JSON."""
    sqs = deployment.client("sqs")
    bodies: list[dict[str, Any]] = []
    while True:
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0,
                                       VisibilityTimeout=600).get("Messages", [])
        if not messages:
            return bodies
        for message in messages:
            bodies.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


def queue_is_empty(deployment: Deployment, queue_url: str) -> bool:
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
             "ApproximateNumberOfMessagesDelayed"]
    attributes = deployment.client("sqs").get_queue_attributes(QueueUrl=queue_url, AttributeNames=names)
    return all(int(attributes["Attributes"].get(name, 0)) == 0 for name in names)


def finished_execution(deployment: Deployment, execution_arn: str) -> dict[str, Any]:
    sfn = deployment.client("stepfunctions")
    return wait_for(
        lambda: (d := sfn.describe_execution(executionArn=execution_arn))["status"] != "RUNNING" and d,
        what=f"the end of execution {execution_arn}",
    )


def run_execution(deployment: Deployment, payload: Any) -> dict[str, Any]:
    """Start the Parallel stack's state machine with `payload` and return the finished execution."""
    sfn = deployment.client("stepfunctions")
    started = sfn.start_execution(stateMachineArn=deployment.output(PARALLEL, "StatemachineArn"),
                                  input=json.dumps(payload))
    return finished_execution(deployment, started["executionArn"])


def history(deployment: Deployment, execution_arn: str) -> list[dict[str, Any]]:
    pages = deployment.client("stepfunctions").get_paginator("get_execution_history")
    return [event for page in pages.paginate(executionArn=execution_arn) for event in page["events"]]
