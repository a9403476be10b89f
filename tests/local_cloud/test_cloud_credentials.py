"""Only the cloud's own keys open its AWS API (SigV4 checked), /moto-api/ needs the token, a worker gets temporary
keys of its own, and a worker's Runtime API talks to that worker's process only."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import psutil
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from workshop_utils.local_cloud import service, state
from workshop_utils.local_cloud.config import repo_root


def client_with(cloud: service.Status, name: str, key: str, secret: str, token: str | None = None) -> Any:
    return boto3.client(name, endpoint_url=cloud.endpoint_url, region_name="us-east-1", aws_access_key_id=key,
                        aws_secret_access_key=secret, aws_session_token=token,
                        config=Config(retries={"total_max_attempts": 1}))


def error_code(call: Callable[[], Any]) -> str:
    with pytest.raises(ClientError) as refused:
        call()
    return refused.value.response["Error"]["Code"]


# One call a protocol: query (STS, CloudFormation), JSON (DynamoDB, Step Functions, Logs), REST-JSON (Lambda), S3.
CALLS: dict[str, Callable[[Any], Any]] = {
    "sts": lambda c: c.get_caller_identity(),
    "cloudformation": lambda c: c.delete_stack(StackName="anything"),
    "dynamodb": lambda c: c.list_tables(),
    "stepfunctions": lambda c: c.list_state_machines(),
    "logs": lambda c: c.describe_log_groups(),
    "lambda": lambda c: c.list_functions(),
    "s3": lambda c: c.list_buckets(),
}
UNKNOWN_KEY = {"sts": "InvalidClientTokenId", "cloudformation": "InvalidClientTokenId",
               "dynamodb": "UnrecognizedClientException", "stepfunctions": "UnrecognizedClientException",
               "logs": "UnrecognizedClientException", "lambda": "UnrecognizedClientException",
               "s3": "InvalidAccessKeyId"}
BAD_SIGNATURE = {"sts": "SignatureDoesNotMatch", "cloudformation": "SignatureDoesNotMatch",
                 "dynamodb": "InvalidSignatureException", "stepfunctions": "InvalidSignatureException",
                 "logs": "InvalidSignatureException", "lambda": "InvalidSignatureException",
                 "s3": "SignatureDoesNotMatch"}


@pytest.mark.parametrize("service_name", sorted(CALLS))
def test_other_keys_are_refused_with_the_error_aws_gives(cloud: service.Status, service_name: str) -> None:
    call = CALLS[service_name]
    assert cloud.access_key_id and cloud.secret_access_key

    made_up = client_with(cloud, service_name, "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    testing = client_with(cloud, service_name, "testing", "testing")
    right_key_wrong_secret = client_with(cloud, service_name, cloud.access_key_id, "not-the-secret")

    assert error_code(lambda: call(made_up)) == UNKNOWN_KEY[service_name]
    assert error_code(lambda: call(testing)) == UNKNOWN_KEY[service_name]
    assert error_code(lambda: call(right_key_wrong_secret)) == BAD_SIGNATURE[service_name]


def test_the_refusal_is_one_sentence_in_the_server_log(cloud: service.Status, cloud_home: Path) -> None:
    error_code(lambda: client_with(cloud, "dynamodb", "AKIAWHOEVERTHISIS123", "x").list_tables())

    lines = [line for line in service.read_log(home=cloud_home).splitlines() if "AKIAWHOEVERTHISIS123" in line]
    assert lines and lines[-1].endswith(
        "refused a request from 127.0.0.1: its access key id AKIAWHOEVERTHISIS123 is not this local cloud's "
        "(UnrecognizedClientException); only this local cloud's own keys, in its owner's state file, are accepted."
    )


def test_an_unsigned_request_is_refused(cloud: service.Status) -> None:
    request = urllib.request.Request(f"{cloud.endpoint_url}/2015-03-31/functions/", method="GET")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 403
    assert json.loads(refused.value.read())["__type"] == "MissingAuthenticationTokenException"


def test_the_own_keys_sign_through_paths_queries_and_bodies_of_every_shape(aws: Any, role_arn: str) -> None:
    """ARNs in a path (encoded twice when signed), spaces and non-ASCII in a query, S3 bodies and empty ones."""
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="signed-shapes")
    s3.put_object(Bucket="signed-shapes", Key="a folder/ünïcode key+plus.json", Body=b'{"x": 1}')
    listed = s3.list_objects_v2(Bucket="signed-shapes", Prefix="a folder/ü")["Contents"]
    lam = aws.client("lambda")

    assert [item["Key"] for item in listed] == ["a folder/ünïcode key+plus.json"]
    assert s3.get_object(Bucket="signed-shapes", Key="a folder/ünïcode key+plus.json")["Body"].read() == b'{"x": 1}'
    assert error_code(lambda: lam.get_function(
        FunctionName="arn:aws:lambda:us-east-1:123456789012:function:none-such")) == "ResourceNotFoundException"
    assert aws.client("iam").get_role(RoleName=role_arn.rsplit("/", 1)[1])["Role"]["Arn"] == role_arn


def test_moto_api_needs_the_token(cloud: service.Status, cloud_home: Path, aws: Any) -> None:
    """One unauthenticated POST /moto-api/reset used to empty a learner's whole cloud."""
    aws.client("sqs").create_queue(QueueName="survives-a-reset-attempt")
    record = state.read_record(cloud_home)
    assert record is not None

    for method, path in (("POST", "/moto-api/reset"), ("GET", "/moto-api/"), ("GET", "/moto-api/data.json")):
        request = urllib.request.Request(f"{cloud.endpoint_url}{path}", method=method,
                                         data=b"" if method == "POST" else None)
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        assert refused.value.code == 403, path
    # The owner passes with the token (the dashboard: data.json's dump depends on what other tests of this
    # session's cloud created, some of which moto cannot serialize).
    owner = urllib.request.Request(f"{cloud.endpoint_url}/moto-api/", headers={state.TOKEN_HEADER: record.token})
    with urllib.request.urlopen(owner, timeout=30) as response:
        assert response.status == 200

    assert any(url.endswith("/survives-a-reset-attempt") for url in aws.client("sqs").list_queues()["QueueUrls"])


ENVIRONMENT_KEYS = """
import os, boto3

def handler(event, context):
    identity = boto3.client("sts").get_caller_identity()
    return {"key": os.environ["AWS_ACCESS_KEY_ID"], "secret": os.environ["AWS_SECRET_ACCESS_KEY"],
            "token": os.environ.get("AWS_SESSION_TOKEN"), "account": identity["Account"],
            "runtime_secret": os.environ.get("LOCAL_CLOUD_RUNTIME_SECRET")}
"""


def test_a_worker_signs_with_temporary_keys_of_its_own_never_the_owners(
    cloud: service.Status, aws: Any, make_function: Callable[..., str]
) -> None:
    name = make_function(ENVIRONMENT_KEYS, Timeout=10)
    lam = aws.client("lambda")

    seen = json.loads(lam.invoke(FunctionName=name)["Payload"].read())

    assert seen["account"] == "123456789012"  # the handler's own boto3 call was accepted
    assert seen["runtime_secret"] is None  # the runtime client took its Runtime API secret out of the handler's reach
    assert seen["key"] != cloud.access_key_id and seen["secret"] != cloud.secret_access_key and seen["token"]
    other_token = client_with(cloud, "sts", seen["key"], seen["secret"], "not-its-token")
    assert error_code(other_token.get_caller_identity) == "InvalidClientTokenId"
    lam.delete_function(FunctionName=name)  # its workers go, and with them their keys
    gone = client_with(cloud, "sts", seen["key"], seen["secret"], seen["token"])
    assert error_code(gone.get_caller_identity) == "InvalidClientTokenId"


def runtime_api_address(worker_pid: int) -> tuple[str, int]:
    """The Runtime API a worker is connected to: on a shared host every user can see such a loopback port."""
    (connection,) = [c for c in psutil.Process(worker_pid).net_connections(kind="tcp4") if c.raddr]
    return connection.raddr.ip, connection.raddr.port


FORGE = """
import socket, sys
host, port = sys.argv[1], int(sys.argv[2])
outcomes = []
for request in (b"GET /2018-06-01/runtime/invocation/next HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n",
                b"POST /2018-06-01/runtime/invocation/any-id/response HTTP/1.1\\r\\nHost: x\\r\\n"
                b"Content-Length: 9\\r\\n\\r\\n\\"forged!\\"",
                b"POST /2018-06-01/runtime/init/error HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 2\\r\\n\\r\\n{}",
                b"GET /2018-06-01/runtime/invocation/next HTTP/1.1\\r\\nHost: x\\r\\n"
                b"X-Local-Cloud-Runtime-Secret: a-guess\\r\\n\\r\\n"):
    with socket.create_connection((host, port), timeout=10) as sock:
        try:
            sock.sendall(request)
            status_line = sock.recv(100).decode().split("\\r\\n")[0]
            outcomes.append(status_line.split()[1] if status_line else "closed")
        except OSError as error:
            outcomes.append("closed")
print("|".join(outcomes))
"""


def test_a_workers_runtime_api_answers_only_that_worker(
    cloud_home: Path, aws: Any, make_function: Callable[..., str]
) -> None:
    """Another process that found the port can neither take an invocation nor post a result, nor an init error."""
    name = make_function("def handler(event, context):\n    return 'genuine'\n", Timeout=10)
    lam = aws.client("lambda")
    assert json.loads(lam.invoke(FunctionName=name)["Payload"].read()) == "genuine"
    workers = service.server_info(home=cloud_home)["workers"]
    (pid,) = [w["pid"] for w in workers if w["function"] == name]  # type: ignore[union-attr,index]
    host, port = runtime_api_address(pid)

    forged = subprocess.run([sys.executable, "-c", FORGE, host, str(port)], capture_output=True, text=True,
                            timeout=60, check=True, cwd=repo_root())

    assert forged.stdout.strip() == "403|403|403|403"
    assert json.loads(lam.invoke(FunctionName=name)["Payload"].read()) == "genuine"  # the worker still serves
