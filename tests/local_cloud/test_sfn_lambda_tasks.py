"""Step Functions' interpreter reaches the local Lambda runtime (it calls Lambda at localhost:$MOTO_PORT)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any


def test_a_parallel_state_runs_its_lambda_tasks_in_local_workers(
    aws: Any, make_function: Callable[..., str], role_arn: str
) -> None:
    name = make_function("def handler(event, context):\n    return {'quote': event['days'] * 10}\n")
    arn = aws.client("lambda").get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    definition = {"StartAt": "Quotes", "States": {"Quotes": {"Type": "Parallel", "End": True, "Branches": [
        {"StartAt": "Direct", "States": {"Direct": {"Type": "Task", "Resource": arn, "End": True}}},
        {"StartAt": "Invoke", "States": {"Invoke": {
            "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True,
            "Parameters": {"FunctionName": arn, "Payload.$": "$"}, "OutputPath": "$.Payload"}}},
    ]}}}
    sfn = aws.client("stepfunctions")
    machine = sfn.create_state_machine(name=f"{name}-sm", definition=json.dumps(definition), roleArn=role_arn)

    execution = sfn.start_execution(stateMachineArn=machine["stateMachineArn"], input=json.dumps({"days": 3}))

    def finished() -> dict[str, Any] | None:
        described = sfn.describe_execution(executionArn=execution["executionArn"])
        return None if described["status"] == "RUNNING" else described

    described = aws.wait_for(finished, timeout=60)
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == [{"quote": 30}, {"quote": 30}]
    starts = [m for m in aws.log_messages(f"/aws/lambda/{name}") if m.startswith("START RequestId: ")]
    assert len(starts) == 2
