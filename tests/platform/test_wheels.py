"""Every pinned requirement installs from a wheel on each platform and Python a learner may bring (needs the index)."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from wheels_support import TARGETS, Target, index_reachable, resolve_wheels

REPO_ROOT = Path(__file__).resolve().parents[2]

# pytest-timeout counts the shared fixture's set-up: a cold pip cache downloads every platform's wheels once.
pytestmark = [pytest.mark.platform, pytest.mark.timeout(1800)]


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _slug(target: Target) -> str:
    return "".join(ch if ch.isalnum() or ch == "." else "-" for ch in target.name)


@pytest.fixture(scope="module")
def problems_by_target(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """Each target resolved once, all at the same time (pip mostly waits on the network)."""
    if not index_reachable():
        message = (
            "The package index cannot be reached from this machine, and this test needs it: connect to the "
            "network (or point PIP_INDEX_URL at a reachable mirror) and run the test again."
        )
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    workdir = tmp_path_factory.mktemp("wheels")
    requirements, constraints = REPO_ROOT / "requirements-dev.txt", REPO_ROOT / "constraints.txt"
    with ThreadPoolExecutor(max_workers=len(TARGETS)) as pool:
        futures = {
            target.name: pool.submit(resolve_wheels, target, requirements, constraints, workdir / _slug(target))
            for target in TARGETS
        }
        return {name: future.result() for name, future in futures.items()}


@pytest.mark.parametrize("target", TARGETS, ids=lambda target: target.name)
def test_every_pin_installs_from_a_wheel(problems_by_target: dict[str, list[str]], target: Target) -> None:
    problems = problems_by_target[target.name]
    assert not problems, (
        f"{target.name} cannot install the pinned requirements from wheels only: {'; '.join(problems)}. "
        "Pin a version that publishes a wheel for it, or give the requirement an environment marker."
    )
