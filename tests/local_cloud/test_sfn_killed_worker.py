"""A Parallel branch whose Lambda worker is killed mid-invocation: Lambda's answer (Runtime.ExitError), and what
the Parallel stack's branches make of it (the same Retry and Catch as infra/parallel_stack.py)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil

from infra.parallel_stack import (
    LAMBDA_SERVICE_ERRORS,
    VENDOR_RETRIES,
    VENDOR_RETRY_BACKOFF,
    VENDOR_RETRY_INTERVAL,
    VENDOR_UNAVAILABLE,
)

# Writes its process id where the test can read it, then works long enough to be killed.
KILLABLE_VENDOR = """
import os, pathlib, time

def handler(event, context):
    if event.get("pid_file"):
        pathlib.Path(event["pid_file"]).write_text(str(os.getpid()))
        time.sleep(30)
    return {"vendor": event["vendor"], "price_quote": 99}
"""

KILLED = "Runtime exited with error: signal: killed"


def branch(vendor: str, function_arn: str, payload: dict[str, Any], *, catch: bool) -> dict[str, Any]:
    """One vendor's branch, shaped as the Parallel stack's: retry then catch, or (the sample's) neither."""
    task: dict[str, Any] = {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": function_arn, "Payload": payload},
        "ResultSelector": {"quote.$": "$.Payload"}, "End": True,
    }
    states = {f"Responder{vendor}": task}
    if catch:
        task["Retry"] = [{"ErrorEquals": [*LAMBDA_SERVICE_ERRORS, VENDOR_UNAVAILABLE], "MaxAttempts": VENDOR_RETRIES,
                          "IntervalSeconds": VENDOR_RETRY_INTERVAL.to_seconds(), "BackoffRate": VENDOR_RETRY_BACKOFF}]
        task["Catch"] = [{"ErrorEquals": ["States.ALL"], "Next": f"Responder{vendor}Failed"}]
        states[f"Responder{vendor}Failed"] = {"Type": "Pass", "End": True, "Parameters": {
            "error": {"vendor": vendor, "error.$": "$.Error", "cause.$": "$.Cause"}}}
    else:
        task["Retry"] = [{"ErrorEquals": list(LAMBDA_SERVICE_ERRORS), "IntervalSeconds": 2, "MaxAttempts": 6,
                          "BackoffRate": 2}]  # CDK's retryOnServiceExceptions
    return {"StartAt": f"Responder{vendor}", "States": states}


def run_with_a_killed_worker(aws: Any, make_function: Callable[..., str], role_arn: str, tmp_path: Path, *,
                             catch: bool) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Start a two-vendor Parallel execution, SIGKILL Avis's worker while it works, return the execution and events."""
    name = make_function(KILLABLE_VENDOR, Timeout=60)
    arn = aws.client("lambda").get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    pid_file = tmp_path / "avis.pid"
    definition = {"StartAt": "Vendors", "States": {"Vendors": {"Type": "Parallel", "End": True, "Branches": [
        branch("Avis", arn, {"vendor": "Avis", "pid_file": str(pid_file)}, catch=catch),
        branch("Alamo", arn, {"vendor": "Alamo"}, catch=catch),
    ]}}}
    sfn = aws.client("stepfunctions")
    machine = sfn.create_state_machine(name=f"{name}-sm", definition=json.dumps(definition), roleArn=role_arn)
    execution_arn = sfn.start_execution(stateMachineArn=machine["stateMachineArn"], input="{}")["executionArn"]

    pid = int(aws.wait_for(lambda: pid_file.exists() and pid_file.read_text()))
    psutil.Process(pid).kill()  # SIGKILL, as the OOM killer or a crash would

    def finished() -> dict[str, Any] | None:
        described = sfn.describe_execution(executionArn=execution_arn)
        return None if described["status"] == "RUNNING" else described

    described = aws.wait_for(finished, timeout=60)
    events = sfn.get_execution_history(executionArn=execution_arn)["events"]
    return described, events


def test_a_caught_branch_whose_worker_is_killed_says_its_quote_is_missing(
    aws: Any, make_function: Callable[..., str], role_arn: str, tmp_path: Path
) -> None:
    execution, events = run_with_a_killed_worker(aws, make_function, role_arn, tmp_path, catch=True)

    assert execution["status"] == "SUCCEEDED"
    avis, alamo = json.loads(execution["output"])
    assert alamo == {"quote": {"vendor": "Alamo", "price_quote": 99}}
    assert (avis["error"]["vendor"], avis["error"]["error"]) == ("Avis", "Runtime.ExitError")
    cause = json.loads(avis["error"]["cause"])
    assert cause["errorType"] == "Runtime.ExitError"
    assert cause["errorMessage"].startswith("RequestId: ") and cause["errorMessage"].endswith(f"Error: {KILLED}")
    # A function error, not one of Lambda's service errors: caught at once, as in AWS, not retried.
    (failed,) = [e for e in events if e["type"] == "TaskFailed"]
    assert failed["taskFailedEventDetails"]["error"] == "Runtime.ExitError"


def test_the_samples_branch_whose_worker_is_killed_fails_the_execution_naming_the_error(
    aws: Any, make_function: Callable[..., str], role_arn: str, tmp_path: Path
) -> None:
    execution, _ = run_with_a_killed_worker(aws, make_function, role_arn, tmp_path, catch=False)

    assert execution["status"] == "FAILED"
    assert execution["error"] == "Runtime.ExitError"
    assert json.loads(execution["cause"])["errorMessage"].endswith(f"Error: {KILLED}")


def test_invoke_answers_a_killed_worker_with_lambdas_exit_error_under_its_request_id(
    aws: Any, make_function: Callable[..., str], tmp_path: Path
) -> None:
    name = make_function(KILLABLE_VENDOR, Timeout=60)
    pid_file = tmp_path / "pid"
    answer: dict[str, Any] = {}
    payload = json.dumps({"vendor": "Avis", "pid_file": str(pid_file)}).encode()
    call = threading.Thread(target=lambda: answer.update(aws.client("lambda").invoke(FunctionName=name,
                                                                                      Payload=payload)))
    call.start()
    psutil.Process(int(aws.wait_for(lambda: pid_file.exists() and pid_file.read_text()))).kill()
    call.join(timeout=60)

    request_id = answer["ResponseMetadata"]["RequestId"]
    assert answer["FunctionError"] == "Unhandled"
    assert json.loads(answer["Payload"].read()) == {
        "errorType": "Runtime.ExitError", "errorMessage": f"RequestId: {request_id} Error: {KILLED}"}
