"""The suite does not depend on the caller's shell: AWS variables a learner exported (as the README says, for an
AWS CLI against the local cloud) change no test's outcome."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
# A representative subset: moto in process (which exported endpoints would bypass), the target's own logic, the
# aggregator's store, and the CDK runner's environment.
SUBSET = (
    "tests/unit/test_wiring_deployed.py",
    "tests/unit/test_target.py",
    "tests/unit/test_lambdas_aggregation.py",
    "tests/unit/test_cleanup.py",
    "tests/unit/test_cdk_runner.py",
)
EXPORTED = {
    "AWS_ENDPOINT_URL": "http://127.0.0.1:9",  # the discard port: a test that uses it fails to connect
    "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:9",
    "AWS_ACCESS_KEY_ID": "dummy",
    "AWS_SECRET_ACCESS_KEY": "dummy",
    "AWS_REGION": "eu-west-3",
    "AWS_DEFAULT_REGION": "eu-west-3",
    "AWS_PROFILE": "a-profile-nobody-has",
    "WORKSHOP_TARGET": "aws",
    "LOCAL_CLOUD_PORT": "9",
}


def test_this_session_runs_without_the_callers_settings() -> None:
    left = [name for name in EXPORTED if name in os.environ and name != "AWS_DEFAULT_REGION"]
    assert not left
    assert os.environ["AWS_DEFAULT_REGION"] == "us-east-1"
    assert os.environ["AWS_CONFIG_FILE"] == os.devnull


@pytest.mark.timeout(900)
def test_a_subset_passes_with_aws_variables_exported(tmp_path: Path) -> None:
    env = {**os.environ, **EXPORTED}
    for name in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        env.pop(name, None)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "0", "-q", "-p", "no:cacheprovider", *SUBSET],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=850,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert " passed" in done.stdout.splitlines()[-1]
