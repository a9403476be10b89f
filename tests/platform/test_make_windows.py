"""`make setup` and `make lab` stop on native Windows with one sentence that points to WSL2, and not elsewhere."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def _make(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["make", "--no-print-directory", *args], cwd=REPO_ROOT, capture_output=True, text=True,
                          timeout=60)


@pytest.mark.parametrize("variable", ["OS=Windows_NT", "UNAME_S=MINGW64_NT-10.0-19045", "UNAME_S=MSYS_NT-10.0",
                                      "UNAME_S=CYGWIN_NT-10.0"])
def test_native_windows_is_refused_with_a_pointer_to_wsl2(variable: str) -> None:
    done = _make("not-windows", variable)
    assert done.returncode != 0
    [sentence] = [line for line in done.stderr.splitlines() if not line.startswith("make")]
    assert sentence.startswith("Native Windows is not supported") and "WSL2" in sentence


@pytest.mark.parametrize("goal", ["setup", "lab"])
def test_setup_and_lab_check_first(goal: str) -> None:
    # A dry run lists the check's recipe before anything that would install or start.
    planned = _make("-n", goal, "OS=Windows_NT").stdout.splitlines()
    assert planned and "Native Windows is not supported" in planned[0]


@pytest.mark.parametrize("uname", ["Linux", "Darwin"])
def test_linux_macos_and_wsl2_pass(uname: str) -> None:
    assert _make("not-windows", f"UNAME_S={uname}", "OS=").returncode == 0
