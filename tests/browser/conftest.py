"""What the browser tests share: Debian's Chromium (no browser download works offline) and its flags."""
from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
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


@contextmanager
def serving(
    name: str, command: Sequence[str], *, env: dict[str, str], log_path: Path, ready: Callable[[], bool],
    timeout_s: float = 90,
) -> Iterator[subprocess.Popen]:
    """A server process (JupyterLab, Voila) started, waited for until `ready()`, and stopped afterwards."""
    with log_path.open("w") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        try:
            deadline = time.monotonic() + timeout_s
            while not ready():
                if process.poll() is not None:
                    raise RuntimeError(f"{name} exited with {process.returncode} before serving; see {log_path}.")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{name} did not answer in {timeout_s:.0f} s; see {log_path}.")
                time.sleep(0.3)
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture(scope="session")
def serve() -> Callable[..., object]:
    """`serving`, for the browser tests' server fixtures (a fixture: conftest modules are not importable by name)."""
    return serving
