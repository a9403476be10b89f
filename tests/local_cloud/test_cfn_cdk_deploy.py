"""`cdk bootstrap`, `cdk deploy --outputs-file` (twice) and `cdk destroy` of a tiny CDK app on the local cloud."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cfn_support import ACCOUNT, REGION, finished  # noqa: E402
from test_aggregator_support import CDK, cdk_environment  # noqa: E402

APP_DIR = Path(__file__).resolve().parent / "cdk_apps" / "quote_board"
STACK = "LocalCloudQuoteBoard"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CDK.exists(), reason="the CDK CLI is not installed: run `npm ci` in the repository first"),
]


def cdk(endpoint: str, work_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [
        str(CDK),
        *args,
        "--no-notices",
        "--app",
        f"{sys.executable} {APP_DIR / 'app.py'}",
        "--output",
        str(work_dir / "cdk.out"),
    ]
    result = subprocess.run(
        command, cwd=work_dir, env=cdk_environment(endpoint), capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, f"cdk {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result


def test_cdk_deploys_reports_outputs_and_destroys_everything(
    moto_endpoint: str, moto_client: Callable[[str], Any], tmp_path: Path
) -> None:
    cdk(moto_endpoint, tmp_path, "bootstrap", f"aws://{ACCOUNT}/{REGION}")
    outputs_file = tmp_path / "outputs.json"
    cdk(moto_endpoint, tmp_path, "deploy", STACK, "--require-approval", "never", "--outputs-file", str(outputs_file))

    outputs = json.loads(outputs_file.read_text())[STACK]
    assert set(outputs) == {
        "BoardTopicArn",
        "PremiumQueueUrl",
        "TallyStateMachineArn",
        "AnnouncerFunctionName",
        "AnnouncerLogGroupName",
    }
    sns, sqs, sfn, lam, logs = (moto_client(name) for name in ("sns", "sqs", "stepfunctions", "lambda", "logs"))

    # The filtered, raw SQS subscription delivers premium quotes only.
    (subscription,) = sns.list_subscriptions_by_topic(TopicArn=outputs["BoardTopicArn"])["Subscriptions"]
    attributes = sns.get_subscription_attributes(SubscriptionArn=subscription["SubscriptionArn"])["Attributes"]
    assert json.loads(attributes["FilterPolicy"]) == {"tier": ["premium"]}
    assert attributes["RawMessageDelivery"] == "true"
    for tier in ("standard", "premium"):
        sns.publish(
            TopicArn=outputs["BoardTopicArn"],
            Message=tier,
            MessageAttributes={"tier": {"DataType": "String", "StringValue": tier}},
        )
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
    execution = sfn.start_execution(
        stateMachineArn=outputs["TallyStateMachineArn"], input=json.dumps({"quotes": [{"price": 150}, {"price": 80}]})
    )
    described = finished(sfn, execution["executionArn"])
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {
        "tallied": [{"tier": "premium", "price": 150}, {"tier": "standard", "price": 80}]
    }

    # Redeploy with a third tier: the state machine gains a Choice branch, the filter policy a value.
    tiers = json.dumps({"luxury": 500, "premium": 100, "standard": 0})
    cdk(
        moto_endpoint,
        tmp_path,
        "deploy",
        STACK,
        "--require-approval",
        "never",
        "--outputs-file",
        str(outputs_file),
        "--context",
        f"tiers={tiers}",
    )
    updated = json.loads(outputs_file.read_text())[STACK]
    assert updated == outputs  # every resource was updated in place
    attributes = sns.get_subscription_attributes(SubscriptionArn=subscription["SubscriptionArn"])["Attributes"]
    assert json.loads(attributes["FilterPolicy"]) == {"tier": ["luxury", "premium"]}
    execution = sfn.start_execution(
        stateMachineArn=outputs["TallyStateMachineArn"],
        input=json.dumps({"quotes": [{"price": 600}, {"price": 150}, {"price": 80}]}),
    )
    described = finished(sfn, execution["executionArn"])
    assert [item["tier"] for item in json.loads(described["output"])["tallied"]] == ["luxury", "premium", "standard"]

    cdk(moto_endpoint, tmp_path, "destroy", STACK, "--force")
    cfn = moto_client("cloudformation")
    assert STACK not in [stack["StackName"] for stack in cfn.describe_stacks()["Stacks"]]
    assert outputs["BoardTopicArn"] not in [topic["TopicArn"] for topic in sns.list_topics()["Topics"]]
    assert not [s for s in sns.list_subscriptions()["Subscriptions"] if s["TopicArn"] == outputs["BoardTopicArn"]]
    queue_name = outputs["PremiumQueueUrl"].rsplit("/", 1)[-1]
    assert not [url for url in sqs.list_queues().get("QueueUrls", []) if url.endswith(queue_name)]
    assert outputs["TallyStateMachineArn"] not in [
        machine["stateMachineArn"] for machine in sfn.list_state_machines()["stateMachines"]
    ]
    assert function_name not in [f["FunctionName"] for f in lam.list_functions()["Functions"]]
    assert not logs.describe_log_groups(logGroupNamePrefix=outputs["AnnouncerLogGroupName"])["logGroups"]
