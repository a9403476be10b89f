"""The local Lambda runtime: synchronous Invoke, CloudWatch logs, errors, timeouts and the worker lifecycle."""

from __future__ import annotations

import base64
import json
import os
import signal
import threading
from collections.abc import Callable
from typing import Any

from workshop_utils.local_cloud import service, state

ECHO = """
import os

print("cold start of", os.environ["AWS_LAMBDA_FUNCTION_NAME"])

def handler(event, context):
    print("handling", event["n"])
    return {"n": event["n"], "pid": os.getpid(), "request_id": context.aws_request_id,
            "memory": os.environ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"], "region": os.environ["AWS_REGION"],
            "greeting": os.environ.get("GREETING"), "remaining_ms": context.get_remaining_time_in_millis()}
"""


def invoke(aws: Any, name: str, event: Any, **kwargs: Any) -> tuple[dict[str, Any], Any]:
    response = aws.client("lambda").invoke(FunctionName=name, Payload=json.dumps(event).encode(), **kwargs)
    return response, json.loads(response["Payload"].read())


def test_invoke_returns_the_result_and_logs_start_end_report_with_the_handlers_output(
    aws: Any, make_function: Callable[..., str]
) -> None:
    name = make_function(ECHO, Environment={"Variables": {"GREETING": "hi"}}, MemorySize=256)

    response, result = invoke(aws, name, {"n": 1}, LogType="Tail")

    assert response["StatusCode"] == 200 and "FunctionError" not in response
    assert response["ExecutedVersion"] == "$LATEST"
    assert result["n"] == 1 and result["greeting"] == "hi" and result["memory"] == "256"
    assert result["region"] == "us-east-1" and result["remaining_ms"] > 0
    request_id = result["request_id"]
    tail = base64.b64decode(response["LogResult"]).decode()
    assert f"START RequestId: {request_id} Version: $LATEST" in tail and "handling 1" in tail
    messages = aws.log_messages(f"/aws/lambda/{name}")
    start = messages.index(f"START RequestId: {request_id} Version: $LATEST")
    assert messages[start + 1] == "handling 1"
    assert messages[start + 2] == f"END RequestId: {request_id}"
    report = messages[start + 3]
    assert report.startswith(f"REPORT RequestId: {request_id}\tDuration: ")
    for field in ("Billed Duration: ", "Memory Size: 256 MB", "Max Memory Used: ", "Init Duration: "):
        assert field in report
    assert f"cold start of {name}" in messages[:start]


def test_each_invocations_lines_sit_between_its_start_and_end(aws: Any, make_function: Callable[..., str]) -> None:
    name = make_function("""
def handler(event, context):
    for i in range(50):
        print(f"{context.aws_request_id} line {i}")
    print("no newline at the end", end="")
    return context.aws_request_id
""")
    request_ids = [invoke(aws, name, {})[1] for _ in range(3)]

    messages = aws.log_messages(f"/aws/lambda/{name}")
    for request_id in request_ids:
        start = messages.index(f"START RequestId: {request_id} Version: $LATEST")
        end = messages.index(f"END RequestId: {request_id}")
        inside = messages[start + 1:end]
        assert inside == [f"{request_id} line {i}" for i in range(50)] + ["no newline at the end"]


def test_logs_go_to_the_log_group_of_logging_config(aws: Any, make_function: Callable[..., str]) -> None:
    group = "/test/custom-group"
    aws.client("logs").create_log_group(logGroupName=group)
    name = make_function(ECHO, LoggingConfig={"LogGroup": group, "LogFormat": "Text"})

    _, result = invoke(aws, name, {"n": 7})

    assert aws.client("lambda").get_function_configuration(FunctionName=name)["LoggingConfig"]["LogGroup"] == group
    streams = aws.client("logs").describe_log_streams(logGroupName=group)["logStreams"]
    assert len(streams) == 1 and "/[$LATEST]" in streams[0]["logStreamName"]
    assert f"END RequestId: {result['request_id']}" in aws.log_messages(group)


def test_a_handler_error_is_an_unhandled_function_error_with_awss_error_json(
    aws: Any, make_function: Callable[..., str]
) -> None:
    name = make_function("""
def handler(event, context):
    raise ValueError("no quote for " + event["car"])
""")

    response, error = invoke(aws, name, {"car": "XL"})

    assert response["StatusCode"] == 200 and response["FunctionError"] == "Unhandled"
    assert error["errorType"] == "ValueError" and error["errorMessage"] == "no quote for XL"
    assert isinstance(error["stackTrace"], list) and error["requestId"]
    assert any(m.startswith("[ERROR] ValueError: no quote for XL") for m in aws.log_messages(f"/aws/lambda/{name}"))


def test_an_import_error_is_reported_like_aws(aws: Any, make_function: Callable[..., str]) -> None:
    name = make_function("import not_installed_anywhere\n\ndef handler(event, context):\n    return 1\n")

    response, error = invoke(aws, name, {})

    assert response["FunctionError"] == "Unhandled"
    assert error["errorType"] == "Runtime.ImportModuleError"
    assert "not_installed_anywhere" in error["errorMessage"]


def test_a_function_running_past_its_timeout_is_stopped(aws: Any, make_function: Callable[..., str]) -> None:
    name = make_function("""
import os, time

def handler(event, context):
    if event.get("sleep"):
        time.sleep(event["sleep"])
    return os.getpid()
""", Timeout=1)
    _, slow_pid = invoke(aws, name, {})

    response, error = invoke(aws, name, {"sleep": 30})

    assert response["FunctionError"] == "Unhandled"
    assert error["errorMessage"].endswith("Task timed out after 1.00 seconds")
    assert aws.wait_for(lambda: not state.process_alive(slow_pid))
    _, fresh_pid = invoke(aws, name, {})  # the next invocation gets a new worker
    assert fresh_pid != slow_pid
    report = next(m for m in aws.log_messages(f"/aws/lambda/{name}") if "Status: timeout" in m)
    assert report.startswith("REPORT RequestId: ")


def test_a_killed_worker_is_replaced(aws: Any, make_function: Callable[..., str]) -> None:
    name = make_function("import os\n\ndef handler(event, context):\n    return os.getpid()\n")
    _, first_pid = invoke(aws, name, {})

    os.kill(first_pid, signal.SIGKILL)
    aws.wait_for(lambda: not state.process_alive(first_pid))
    response, second_pid = invoke(aws, name, {})

    assert "FunctionError" not in response
    assert second_pid != first_pid


def test_warm_workers_are_reused_and_busy_functions_get_more_up_to_the_cap(
    aws: Any, make_function: Callable[..., str]
) -> None:
    name = make_function("""
import os, time

def handler(event, context):
    time.sleep(event["sleep"])
    return os.getpid()
""", Timeout=30)
    sequential = {invoke(aws, name, {"sleep": 0})[1] for _ in range(3)}
    assert len(sequential) == 1

    results: list[int] = []
    threads = [threading.Thread(target=lambda: results.append(invoke(aws, name, {"sleep": 1})[1])) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(results) == 4
    assert len(set(results)) == 2  # LOCAL_CLOUD_MAX_WORKERS=2 in the test server


VERSIONED = """
import os

def handler(event, context):
    return {"version": "VERSION", "pid": os.getpid()}
"""


def test_new_code_retires_old_workers_and_delete_stops_them(
    aws: Any, make_function: Callable[..., str], zip_code: Callable[[str], bytes]
) -> None:
    name = make_function(VERSIONED.replace("VERSION", "v1"))
    _, first = invoke(aws, name, {})
    assert first["version"] == "v1"

    aws.client("lambda").update_function_configuration(FunctionName=name, Description="same code, same settings")
    assert invoke(aws, name, {})[1]["pid"] == first["pid"]  # nothing that matters changed: still warm

    aws.client("lambda").update_function_code(FunctionName=name, ZipFile=zip_code(VERSIONED.replace("VERSION", "v2")))
    assert aws.wait_for(lambda: not state.process_alive(first["pid"]))  # retired by the redeploy itself
    _, second = invoke(aws, name, {})

    assert second["version"] == "v2" and second["pid"] != first["pid"]
    aws.client("lambda").delete_function(FunctionName=name)
    assert aws.wait_for(lambda: not state.process_alive(second["pid"]))


def test_a_handlers_boto3_calls_reach_the_local_cloud(
    aws: Any, make_function: Callable[..., str], make_queue: Callable[..., tuple[str, str]]
) -> None:
    queue_url, _ = make_queue()
    name = make_function("""
import os, boto3

def handler(event, context):
    sqs = boto3.client("sqs")
    return sqs.send_message(QueueUrl=os.environ["QUEUE_URL"], MessageBody=event["text"])["MessageId"]
""", Environment={"Variables": {"QUEUE_URL": queue_url}}, Timeout=10)

    response, message_id = invoke(aws, name, {"text": "from inside a function"})

    assert "FunctionError" not in response
    message = aws.client("sqs").receive_message(QueueUrl=queue_url, WaitTimeSeconds=5)["Messages"][0]
    assert message["MessageId"] == message_id and message["Body"] == "from inside a function"


def test_status_lists_the_workers(cloud: service.Status, cloud_home: Any, aws: Any,
                                  make_function: Callable[..., str]) -> None:
    name = make_function(ECHO)
    _, result = invoke(aws, name, {"n": 2})

    workers = service.server_info(home=cloud_home)["workers"]

    assert {"function": name, "pid": result["pid"]}.items() <= next(
        w for w in workers if w["function"] == name).items()


def test_code_from_s3_runs_like_cloudformation_deploys_it(
    aws: Any, role_arn: str, zip_code: Callable[[str], bytes]
) -> None:
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="cdk-assets-test")
    s3.put_object(Bucket="cdk-assets-test", Key="asset.zip", Body=zip_code(VERSIONED.replace("VERSION", "s3")))
    aws.client("lambda").create_function(FunctionName="from-s3", Runtime="python3.11", Role=role_arn,
                                         Handler="app.handler",
                                         Code={"S3Bucket": "cdk-assets-test", "S3Key": "asset.zip"})
    try:
        _, result = invoke(aws, "from-s3", {})
    finally:
        aws.client("lambda").delete_function(FunctionName="from-s3")

    assert result["version"] == "s3"


def test_a_runtime_the_local_cloud_cannot_run_gets_a_clear_error(aws: Any, role_arn: str,
                                                                 zip_code: Callable[[str], bytes]) -> None:
    aws.client("lambda").create_function(FunctionName="node-fn", Runtime="nodejs20.x", Role=role_arn,
                                         Handler="index.handler", Code={"ZipFile": zip_code("x")})
    try:
        response, error = invoke(aws, "node-fn", {})
    finally:
        aws.client("lambda").delete_function(FunctionName="node-fn")

    assert response["FunctionError"] == "Unhandled" and error["errorType"] == "Runtime.InvalidRuntime"
    assert error["errorMessage"].endswith("so use a python3.x runtime.")
