"""What the browser tests share: Debian's Chromium (no browser download works offline) and its flags."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    """The system Chromium, or a skip (a failure in CI) saying how to install it."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path:
        return path
    reason = "Debian's chromium is not installed: `apt-get install chromium` (.ci/run does it) to run this test."
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"In CI the browser test cannot skip. {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser_artifacts() -> Path:
    """Where screenshots go, kept whether a test passes or fails."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def chromium_flags() -> list[str]:
    return list(CHROMIUM_FLAGS)
