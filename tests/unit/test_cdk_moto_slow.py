"""The real CDK CLI through cdk.deploy()/destroy() against a plain moto server, via the endpoint override."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from workshop_utils.cloud import target
from workshop_utils.deploy import cdk
from workshop_utils.deploy.progress import NullProgress

REPO_ROOT = Path(__file__).resolve().parents[2]
CLI = REPO_ROOT / "node_modules" / ".bin" / "cdk"
TINY_APP = Path(__file__).resolve().parents[1] / "fixtures" / "cdk_output" / "tiny_app"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CLI.exists() or shutil.which("node") is None, reason="needs Node and `make setup`"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def moto_endpoint(tmp_path):
    """A plain moto server of this test's own, stopped afterwards."""
    port = free_port()
    log = (tmp_path / "moto.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=log
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/moto-api/", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail(f"moto_server did not start: {(tmp_path / 'moto.log').read_text()}")
                time.sleep(0.2)
        # "localhost", not 127.0.0.1: plain moto only resolves a CloudFormation TemplateURL on localhost.
        yield f"http://localhost:{port}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


@pytest.fixture
def tiny_repo(tmp_path):
    root = tmp_path / "repo"
    shutil.copytree(TINY_APP, root)
    return root


def test_deploy_and_destroy_a_tiny_app_on_moto(moto_endpoint, tiny_repo, monkeypatch):
    for name in ("WORKSHOP_TARGET", "WORKSHOP_ENDPOINT_URL", "AWS_PROFILE", "CDK_DEFAULT_ACCOUNT"):
        monkeypatch.delenv(name, raising=False)
    target.use_target("local", endpoint_url=moto_endpoint)
    try:
        runner = cdk.CdkRunner(root=tiny_repo, cli=CLI, display=NullProgress)
        lines: list[str] = []

        assert runner.ensure_bootstrapped(on_line=lines.append) is True
        assert target.is_bootstrapped()
        assert runner.ensure_bootstrapped(on_line=lines.append) is False

        # --method direct: plain moto only fills in Outputs for stacks created directly.
        outputs = runner.deploy("TinyStack", on_line=lines.append, method="direct")
        assert set(outputs) == {"QueueUrl", "TopicArn"}
        assert outputs["TopicArn"].startswith("arn:aws:sns:us-east-1:123456789012:TinyStack-ScatterTopic")
        assert runner.outputs("TinyStack") == outputs
        stack = target.client("cloudformation").describe_stacks(StackName="TinyStack")["Stacks"][0]
        assert stack["StackStatus"] == "CREATE_COMPLETE"
        assert any(event.status == "CREATE_COMPLETE" for event in map(cdk.parse_progress, lines) if event)

        runner.destroy("TinyStack", on_line=lines.append)
        assert [s["StackName"] for s in target.client("cloudformation").describe_stacks()["Stacks"]] == ["CDKToolkit"]
        assert "✅  TinyStack: destroyed" in lines
        assert sum("cdk synth" in line or "Successfully synthesized" in line for line in lines) <= 1
        assert runner.is_synth_current()
    finally:
        target.reset()
