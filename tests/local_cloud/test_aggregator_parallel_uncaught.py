"""With `parallel_catch_failures=false` (the sample's behaviour) one failing vendor fails the whole execution."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_aggregator_support import PARALLEL, Deployment, deploy, history, run_execution  # noqa: E402

pytestmark = pytest.mark.slow

RECIPIENTS = {"Avis": {"base_rate": "99"}, "Flaky": {"base_rate": "100", "failure_rate": "1"}}


@pytest.fixture(scope="module")
def deployment(workshop_cloud, tmp_path_factory) -> Deployment:
    return deploy(workshop_cloud, tmp_path_factory.mktemp("cdk-parallel-uncaught"), [PARALLEL],
                  {"recipients": RECIPIENTS, "parallel_catch_failures": "false"})


def test_parallel_without_catch_fails_as_a_whole_at_the_first_vendor_error(deployment):
    execution = run_execution(deployment, {"data": {"car_type": "XL", "days_rental": 3}})

    assert execution["status"] == "FAILED"
    assert execution["error"] == "VendorUnavailableError"
    assert json.loads(execution["cause"])["errorMessage"].startswith("Vendor Flaky is unavailable")
    events = history(deployment, execution["executionArn"])
    assert len([e for e in events if e["type"] == "TaskFailed"]) == 1  # the sample retries service errors only
    assert [e for e in events if e["type"] == "ParallelStateFailed"]
