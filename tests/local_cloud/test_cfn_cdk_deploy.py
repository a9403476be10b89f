"""`cdk bootstrap`, `cdk deploy --outputs-file` (twice) and `cdk destroy` of a tiny CDK app on the local cloud."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from moto.server import ThreadedMotoServer

import workshop_utils.local_cloud.cloudformation  # noqa: F401  (installs the extensions)

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
CDK = REPO / "node_modules" / ".bin" / "cdk"
APP_DIR = Path(__file__).resolve().parent / "cdk_apps" / "quote_board"
STACK = "LocalCloudQuoteBoard"
REGION = "us-east-1"


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    """A moto server in this process with the local cloud's extensions installed."""
    if not CDK.exists():
        pytest.skip("the CDK CLI is not installed: run `npm ci` in the repository first")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MOTO_PORT", str(port))
        requests.post(f"{url}/moto-api/config", json={"stepfunctions": {"execute_state_machine": True}},
                      timeout=10)
        yield url
    server.stop()


@pytest.fixture(scope="module")
def client(endpoint: str) -> Callable[[str], Any]:
    return lambda service: boto3.client(service, endpoint_url=endpoint, region_name=REGION,
                                        aws_access_key_id="testing", aws_secret_access_key="testing")


def cdk(endpoint: str, work_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "CDK_DISABLE_CLI_TELEMETRY": "true",
        "JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION": "1",
    }
    command = [str(CDK), *args, "--no-notices", "--app", f"{sys.executable} {APP_DIR / 'app.py'}",
               "--output", str(work_dir / "cdk.out")]
    result = subprocess.run(command, cwd=work_dir, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"cdk {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result


def finished(sfn: Any, execution_arn: str) -> dict[str, Any]:
    for _ in range(600):
        described = sfn.describe_execution(executionArn=execution_arn)
        if described["status"] != "RUNNING":
            return described
        time.sleep(0.05)
    raise AssertionError(f"{execution_arn} is still running")


def test_cdk_deploys_reports_outputs_and_destroys_everything(
    endpoint: str, client: Callable[[str], Any], tmp_path: Path
) -> None:
    cdk(endpoint, tmp_path, "bootstrap", f"aws://123456789012/{REGION}")
    outputs_file = tmp_path / "outputs.json"
    cdk(endpoint, tmp_path, "deploy", STACK, "--require-approval", "never", "--outputs-file", str(outputs_file))

    outputs = json.loads(outputs_file.read_text())[STACK]
    assert set(outputs) == {"BoardTopicArn", "PremiumQueueUrl", "TallyStateMachineArn", "AnnouncerFunctionName",
                            "AnnouncerLogGroupName"}
    sns, sqs, sfn, lam, logs = (client(name) for name in ("sns", "sqs", "stepfunctions", "lambda", "logs"))

    # The filtered, raw SQS subscription delivers premium quotes only.
    (subscription,) = sns.list_subscriptions_by_topic(TopicArn=outputs["BoardTopicArn"])["Subscriptions"]
    attributes = sns.get_subscription_attributes(SubscriptionArn=subscription["SubscriptionArn"])["Attributes"]
    assert json.loads(attributes["FilterPolicy"]) == {"tier": ["premium"]}
    assert attributes["RawMessageDelivery"] == "true"
    for tier in ("standard", "premium"):
        sns.publish(TopicArn=outputs["BoardTopicArn"], Message=tier,
                    MessageAttributes={"tier": {"DataType": "String", "StringValue": tier}})
    received = sqs.receive_message(QueueUrl=outputs["PremiumQueueUrl"], MaxNumberOfMessages=10)
    assert [message["Body"] for message in received.get("Messages", [])] == ["premium"]

    # The function keeps its log group and its asynchronous invocation settings.
    function_name = outputs["AnnouncerFunctionName"]
    configuration = lam.get_function_configuration(FunctionName=function_name)
    assert configuration["LoggingConfig"]["LogGroup"] == outputs["AnnouncerLogGroupName"]
    invoke_config = lam.get_function_event_invoke_config(FunctionName=function_name)
    assert invoke_config["MaximumRetryAttempts"] == 0
    assert invoke_config["DestinationConfig"]["OnSuccess"]["Destination"] == outputs["BoardTopicArn"]
    (group,) = logs.describe_log_groups(logGroupNamePrefix=outputs["AnnouncerLogGroupName"])["logGroups"]
    assert group["retentionInDays"] == 7

    # The state machine runs, without an execution name, through the Step Functions API.
    execution = sfn.start_execution(stateMachineArn=outputs["TallyStateMachineArn"],
                                    input=json.dumps({"quotes": [{"price": 150}, {"price": 80}]}))
    described = finished(sfn, execution["executionArn"])
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"tallied": [{"tier": "premium", "price": 150},
                                                           {"tier": "standard", "price": 80}]}

    # Redeploy with a third tier: the state machine gains a Choice branch, the filter policy a value.
    tiers = json.dumps({"luxury": 500, "premium": 100, "standard": 0})
    cdk(endpoint, tmp_path, "deploy", STACK, "--require-approval", "never", "--outputs-file", str(outputs_file),
        "--context", f"tiers={tiers}")
    updated = json.loads(outputs_file.read_text())[STACK]
    assert updated == outputs  # every resource was updated in place
    attributes = sns.get_subscription_attributes(SubscriptionArn=subscription["SubscriptionArn"])["Attributes"]
    assert json.loads(attributes["FilterPolicy"]) == {"tier": ["luxury", "premium"]}
    execution = sfn.start_execution(stateMachineArn=outputs["TallyStateMachineArn"],
                                    input=json.dumps({"quotes": [{"price": 600}, {"price": 150}, {"price": 80}]}))
    described = finished(sfn, execution["executionArn"])
    assert [item["tier"] for item in json.loads(described["output"])["tallied"]] == ["luxury", "premium", "standard"]

    cdk(endpoint, tmp_path, "destroy", STACK, "--force")
    cfn = client("cloudformation")
    assert STACK not in [stack["StackName"] for stack in cfn.describe_stacks()["Stacks"]]
    assert outputs["BoardTopicArn"] not in [topic["TopicArn"] for topic in sns.list_topics()["Topics"]]
    assert not [s for s in sns.list_subscriptions()["Subscriptions"] if s["TopicArn"] == outputs["BoardTopicArn"]]
    queue_name = outputs["PremiumQueueUrl"].rsplit("/", 1)[-1]
    assert not [url for url in sqs.list_queues().get("QueueUrls", []) if url.endswith(queue_name)]
    assert outputs["TallyStateMachineArn"] not in [
        machine["stateMachineArn"] for machine in sfn.list_state_machines()["stateMachines"]]
    assert function_name not in [f["FunctionName"] for f in lam.list_functions()["Functions"]]
    assert not logs.describe_log_groups(logGroupNamePrefix=outputs["AnnouncerLogGroupName"])["logGroups"]
