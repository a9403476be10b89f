"""Fixtures for the CDK app tests: each app variant is synthesized once per session (jsii is slow to start)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
# The repo root (for `infra`) and this folder (for infra_test_support) must be importable whatever
# pytest's import mode.
for _path in (REPO_ROOT, Path(__file__).resolve().parent):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from infra_test_support import THREE_VENDORS, Synthesized, synthesize  # noqa: E402


@pytest.fixture(scope="session")
def two_vendors(tmp_path_factory) -> Synthesized:
    """The default context (as in cdk.json), with the cdk-nag checks on."""
    return synthesize(tmp_path_factory.mktemp("cdk-two"), None, ("Avis", "Alamo"), 1, 10, True)


@pytest.fixture(scope="session")
def three_vendors(tmp_path_factory) -> Synthesized:
    """Context as the CLI's `-c` passes it: strings; the Parallel state's branches do not catch failures."""
    context = {
        "recipients": json.dumps(THREE_VENDORS),
        "max_batching_window_seconds": "5",
        "aggregation_deadline_seconds": "7",
        "parallel_catch_failures": "false",
    }
    return synthesize(tmp_path_factory.mktemp("cdk-three"), context, ("Avis", "Alamo", "Hertz"), 5, 7, False)


@pytest.fixture(scope="session", params=["two_vendors", "three_vendors"])
def synthesized(request) -> Synthesized:
    return request.getfixturevalue(request.param)
