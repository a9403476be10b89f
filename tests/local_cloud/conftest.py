"""Fixtures: one local cloud for the session (free port, temporary home, always stopped) and small functions."""

from __future__ import annotations

import io
import json
import os
import textwrap
import time
import uuid
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from workshop_utils.local_cloud import service

# The session's server: two workers per function at most (so the cap is observable), quick retries.
SERVER_ENV = {"LOCAL_CLOUD_MAX_WORKERS": "2", "LOCAL_CLOUD_RETRY_DELAY": "0.2"}


@pytest.fixture(scope="session")
def cloud_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("local_cloud_home")


@pytest.fixture(scope="session")
def cloud(cloud_home: Path) -> Iterator[service.Status]:
    """The session's local cloud; its settings reach only its own process (other tests' clouds keep theirs)."""
    saved = {key: os.environ.get(key) for key in SERVER_ENV}
    try:
        os.environ.update(SERVER_ENV)
        try:
            status = service.start(port=0, home=cloud_home, progress=None)
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
        yield status
    finally:
        service.stop(home=cloud_home, progress=None)


def wait_for(produce: Callable[[], Any], *, timeout: float = 30.0, interval: float = 0.1) -> Any:
    """Poll until produce() returns something truthy (a wait, not a timing assertion)."""
    deadline = time.monotonic() + timeout
    while True:
        value = produce()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"nothing after waiting {timeout:.0f} s")
        time.sleep(interval)


class Aws:
    """boto3 clients pointed at the local cloud, plus the waits the tests share."""

    wait_for = staticmethod(wait_for)

    def __init__(self, cloud: service.Status) -> None:
        assert cloud.endpoint_url and cloud.access_key_id, "a running local cloud, read from its state file"
        self.cloud = cloud
        self.endpoint_url = cloud.endpoint_url
        self._clients: dict[str, Any] = {}

    def client(self, name: str) -> Any:
        """Signed with the cloud's own keys (from its Status): the only ones it accepts."""
        if name not in self._clients:
            self._clients[name] = boto3.client(
                name,
                endpoint_url=self.endpoint_url,
                region_name="us-east-1",
                aws_access_key_id=self.cloud.access_key_id,
                aws_secret_access_key=self.cloud.secret_access_key,
                config=Config(retries={"total_max_attempts": 1}, read_timeout=120),
            )
        return self._clients[name]

    def receive_json(self, queue_url: str, count: int = 1, timeout: float = 30.0) -> list[Any]:
        """Wait for `count` messages on a queue, delete them, return their bodies parsed as JSON."""
        sqs = self.client("sqs")
        bodies: list[Any] = []
        deadline = time.monotonic() + timeout
        while len(bodies) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"got {len(bodies)} of {count} messages on {queue_url}")
            response = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
            for message in response.get("Messages", []):
                bodies.append(json.loads(message["Body"]))
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        return bodies

    def log_messages(self, group: str) -> list[str]:
        """Every event of every stream in a log group, stream by stream."""
        logs = self.client("logs")
        messages = []
        for stream in logs.describe_log_streams(logGroupName=group)["logStreams"]:
            events = logs.get_log_events(logGroupName=group, logStreamName=stream["logStreamName"])["events"]
            messages.extend(event["message"] for event in events)
        return messages

    def queue_depth(self, queue_url: str) -> int:
        """Visible plus in-flight messages."""
        attributes = self.client("sqs").get_queue_attributes(
            QueueUrl=queue_url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


@pytest.fixture(scope="session")
def aws(cloud: service.Status) -> Aws:
    return Aws(cloud)


@pytest.fixture(scope="session")
def role_arn(aws: Aws) -> str:
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    role = aws.client("iam").create_role(RoleName="test-lambda-role", AssumeRolePolicyDocument=json.dumps(trust))
    return role["Role"]["Arn"]


def zip_source(source: str, file_name: str = "app.py") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(file_name, textwrap.dedent(source))
    return buffer.getvalue()


@pytest.fixture(scope="session")
def zip_code() -> Callable[[str], bytes]:
    """Build a deployment package holding app.py."""
    return zip_source


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def make_function(aws: Aws, role_arn: str) -> Iterator[Callable[..., str]]:
    """Create a Python function from handler source (module app.py, handler app.handler); deleted afterwards."""
    created: list[str] = []

    def _make(source: str, *, name: str | None = None, **settings: Any) -> str:
        name = name or unique("fn")
        aws.client("lambda").create_function(
            FunctionName=name,
            Runtime="python3.11",
            Role=role_arn,
            Handler="app.handler",
            Code={"ZipFile": zip_source(source)},
            **settings,
        )
        created.append(name)
        return name

    yield _make
    for name in created:
        try:
            aws.client("lambda").delete_function(FunctionName=name)
        except aws.client("lambda").exceptions.ResourceNotFoundException:
            pass


@pytest.fixture
def make_queue(aws: Aws) -> Callable[..., tuple[str, str]]:
    """Create an SQS queue; returns (url, arn)."""

    def _make(**attributes: str) -> tuple[str, str]:
        sqs = aws.client("sqs")
        url = sqs.create_queue(QueueName=unique("q"), Attributes=attributes)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        return url, arn

    return _make


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    """A moto server in this process with the local cloud's extensions installed (for the test_cfn_* modules)."""
    # Imported here, not at the top: installing the extensions patches moto in this process, which only the
    # tests using this server want (the others talk to a local cloud in its own process).
    import requests
    from moto.server import ThreadedMotoServer

    import workshop_utils.local_cloud.cloudformation.install  # noqa: F401  (installs the extensions)

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MOTO_PORT", str(port))
        for name, value in {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
        }.items():
            patch.setenv(name, value)
        requests.post(f"{url}/moto-api/config", json={"stepfunctions": {"execute_state_machine": True}}, timeout=10)
        yield url
    server.stop()


@pytest.fixture(scope="module")
def moto_client(moto_endpoint: str) -> Callable[[str], Any]:
    """boto3 clients for `moto_endpoint`, by service name."""
    return lambda service: boto3.client(
        service,
        endpoint_url=moto_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
