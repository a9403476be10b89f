"""`make present`: Voila serves the presenter dashboard, and the page renders without error."""
import os
import subprocess
import sys
import time
import urllib.request

import pytest

from workshop_utils.run_notebooks import NOTEBOOK_DIR

pytestmark = pytest.mark.slow


def _fetch(url: str, timeout_s: float = 120) -> str:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with urllib.request.urlopen(url, timeout=60) as response:
                return response.read().decode()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def test_voila_serves_the_dashboard(workshop_cloud, free_port):
    port = free_port()
    command = [
        sys.executable, "-m", "voila", str(NOTEBOOK_DIR / "presenter_dashboard.ipynb"), f"--port={port}",
        "--no-browser", "--Voila.ip=127.0.0.1",
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, env=os.environ.copy())
    try:
        page = _fetch(f"http://127.0.0.1:{port}/")
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert "Scatter-gather, side by side" in page
    assert "Traceback" not in page and "There was an error" not in page


def test_one_click_drives_both_deployed_patterns(workshop_cloud):
    from workshop_utils import cdk, stacks
    from workshop_utils.dashboard import PresenterDashboard, presenter_dashboard

    assert "Deploy" in presenter_dashboard().value  # nothing deployed yet: the page says what to do
    for stack in stacks.STACKS:
        cdk.deploy(stack, on_line=lambda _line: None)
    dashboard = presenter_dashboard()
    assert isinstance(dashboard, PresenterDashboard)
    dashboard.button.click()
    for side in ("parallel", "sns"):
        counters = dashboard.counters[side]
        assert (counters.requests, counters.quotes, counters.failures) == (1, 2, 0), side
        assert "<svg" in dashboard.panels[side].value
    assert "state status-succeeded" in dashboard.panels["parallel"].value
    assert "Aggregate complete" in dashboard.panels["sns"].value
