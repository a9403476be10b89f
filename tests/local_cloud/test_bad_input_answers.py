"""AWS's answers where the workshop meets them: Invoke's request id, StartExecution's refusals of bad input."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

REPORTS_ITS_REQUEST_ID = """
def handler(event, context):
    print("handling", context.aws_request_id)
    return {"request_id": context.aws_request_id}
"""

WAITS = """
def handler(event, context):
    return event
"""


def _request_ids_in_log(aws: Any, name: str) -> dict[str, set[str]] | None:
    """The request ids each START/END/REPORT line (and the handler's own line) names, by kind; None before REPORT."""
    found: dict[str, set[str]] = {"START": set(), "END": set(), "REPORT": set(), "handling": set()}
    try:
        messages = aws.log_messages(f"/aws/lambda/{name}")
    except aws.client("logs").exceptions.ResourceNotFoundException:
        return None  # an Event invocation may not have started yet
    for message in messages:
        for kind in found:
            match = re.match(rf"{kind} (?:RequestId: )?([0-9a-f-]{{36}})", message)
            if match:
                found[kind].add(match.group(1))
    return found if found["REPORT"] else None


def test_a_synchronous_invoke_answers_with_the_request_id_the_function_saw(
    aws: Any, make_function: Callable[..., str]
) -> None:
    name = make_function(REPORTS_ITS_REQUEST_ID)

    response = aws.client("lambda").invoke(FunctionName=name, Payload=b"{}")

    request_id = response["ResponseMetadata"]["RequestId"]
    assert json.loads(response["Payload"].read()) == {"request_id": request_id}
    assert response["ResponseMetadata"]["HTTPHeaders"]["x-amz-request-id"] == request_id
    seen = aws.wait_for(lambda: _request_ids_in_log(aws, name))
    assert seen == {"START": {request_id}, "END": {request_id}, "REPORT": {request_id}, "handling": {request_id}}


def test_an_event_invoke_answers_with_the_request_id_its_invocation_runs_with(
    aws: Any, make_function: Callable[..., str]
) -> None:
    name = make_function(REPORTS_ITS_REQUEST_ID)

    response = aws.client("lambda").invoke(FunctionName=name, InvocationType="Event", Payload=b"{}")

    assert response["StatusCode"] == 202
    request_id = response["ResponseMetadata"]["RequestId"]
    seen = aws.wait_for(lambda: _request_ids_in_log(aws, name))
    assert seen == {"START": {request_id}, "END": {request_id}, "REPORT": {request_id}, "handling": {request_id}}


@pytest.fixture
def state_machine(aws: Any, make_function: Callable[..., str], role_arn: str) -> str:
    name = make_function(WAITS)
    arn = aws.client("lambda").get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    definition = {"StartAt": "Echo", "States": {"Echo": {"Type": "Task", "Resource": arn, "End": True}}}
    created = aws.client("stepfunctions").create_state_machine(
        name=f"{name}-sm", definition=json.dumps(definition), roleArn=role_arn
    )
    return created["stateMachineArn"]


def _refusal(call: Callable[[], Any]) -> dict[str, Any]:
    with pytest.raises(ClientError) as refused:
        call()
    return refused.value.response


@pytest.mark.parametrize("text", ['{"data": {"days_rental": 2', "{data: 1}", "not json"])
def test_start_execution_refuses_malformed_json_with_invalid_execution_input(
    aws: Any, state_machine: str, text: str
) -> None:
    sfn = aws.client("stepfunctions")

    response = _refusal(lambda: sfn.start_execution(stateMachineArn=state_machine, input=text))

    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert response["Error"]["Code"] == "InvalidExecutionInput"
    assert response["Error"]["Message"].startswith("Invalid State Machine Execution Input: '")
    assert sfn.list_executions(stateMachineArn=state_machine)["executions"] == []


def test_start_execution_refuses_input_over_256_kib_as_aws_does(aws: Any, state_machine: str) -> None:
    sfn = aws.client("stepfunctions")
    # 262,144 bytes in UTF-8: "é" is two bytes, so this is under the limit in characters but over it in bytes.
    too_big = json.dumps({"notes": "é" * 131_070}, ensure_ascii=False)
    assert len(too_big) < 262_144 < len(too_big.encode())

    response = _refusal(lambda: sfn.start_execution(stateMachineArn=state_machine, input=too_big))

    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert response["Error"]["Code"] == "ValidationException"
    assert response["Error"]["Message"] == (
        "1 validation error detected: Value at 'input' failed to satisfy constraint: "
        "Member must have size less than or equal to 262144 bytes in UTF-8 encoding"
    )
    assert sfn.list_executions(stateMachineArn=state_machine)["executions"] == []


def test_start_execution_accepts_input_of_exactly_256_kib(aws: Any, state_machine: str) -> None:
    sfn = aws.client("stepfunctions")
    padding = 262_144 - len(json.dumps({"notes": ""}))
    largest = json.dumps({"notes": "x" * padding})
    assert len(largest.encode()) == 262_144

    started = sfn.start_execution(stateMachineArn=state_machine, input=largest)

    assert started["executionArn"].startswith("arn:aws:states:")


def test_the_workshop_says_in_one_sentence_why_its_input_was_refused(aws: Any, state_machine: str, monkeypatch) -> None:
    from workshop_utils.cloud import target
    from workshop_utils.quotes import triggers

    monkeypatch.setattr(target, "client", lambda name, config=None: aws.client(name))

    with pytest.raises(triggers.ExecutionInputRefused) as refused:
        triggers.start_execution(state_machine, json.dumps({"notes": "x" * 262_144}))

    assert str(refused.value) == (
        "Step Functions refused to start the execution (ValidationException: 1 validation error detected: Value at "
        "'input' failed to satisfy constraint: Member must have size less than or equal to 262144 bytes in UTF-8 "
        "encoding): send a JSON object of at most 262,144 bytes (256 KiB) in UTF-8."
    )
