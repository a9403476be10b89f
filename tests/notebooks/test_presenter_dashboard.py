"""`make present`: Voila serves the presenter dashboard from the workshop's own template, and the dashboard
drives both deployed patterns: one click, the stage speed, the failing-vendor switch."""
import os
import re
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from workshop_utils.tools.run_notebooks import NOTEBOOK_DIR

pytestmark = pytest.mark.slow
TEMPLATES = Path(__file__).resolve().parents[2] / "share" / "jupyter"


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


def _present_recipe() -> str:
    makefile = (TEMPLATES.parents[1] / "Makefile").read_text()
    return re.search(r"^present:.*\n\t(?P<recipe>.+)$", makefile, re.MULTILINE)["recipe"]


def _refused(url: str) -> bool:
    """No dashboard at `url`: an HTTP error, or Voila's login page instead."""
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return "Scatter-gather, side by side" not in response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code in (401, 403)


def test_voila_serves_the_dashboard_from_the_workshop_template_to_its_token_only(workshop_cloud, free_port):
    # `make present` asks Voila for a token: the page drives the presenter's local cloud, and every user of the
    # machine shares its loopback.
    assert "--token" in _present_recipe().split() and "--Voila.ip=127.0.0.1" in _present_recipe()
    port, token = free_port(), secrets.token_hex(16)
    command = [
        sys.executable, "-m", "voila", str(NOTEBOOK_DIR / "presenter_dashboard.ipynb"), f"--port={port}",
        "--no-browser", "--Voila.ip=127.0.0.1", "--template=stage", f"--token={token}",
    ]  # fmt: skip
    env = os.environ | {"JUPYTER_PATH": str(TEMPLATES)}
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, env=env)
    try:
        page = _fetch(f"http://127.0.0.1:{port}/?token={token}")
        assert _refused(f"http://127.0.0.1:{port}/")
        assert _refused(f"http://127.0.0.1:{port}/?token={secrets.token_hex(16)}")
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert "Scatter-gather, side by side" in page
    assert "Traceback" not in page and "There was an error" not in page
    assert "cdn.jsdelivr.net" not in page  # the stage template drops Voila's Font Awesome links


def _frames(panel) -> list[str]:
    frames = [panel.value]
    panel.observe(lambda change: frames.append(change["new"]), names="value")
    return frames


def test_one_click_drives_both_deployed_patterns_then_the_levers_change_what_happens(workshop_cloud):
    from workshop_utils.cloud import stacks
    from workshop_utils.deploy import cdk
    from workshop_utils.stage.dashboard import PresenterDashboard, presenter_dashboard

    assert "Deploy" in presenter_dashboard().value  # nothing deployed yet: the page says what to do
    for stack in stacks.STACKS:
        cdk.deploy(stack, on_line=lambda _line: None)
    board = presenter_dashboard()
    assert isinstance(board, PresenterDashboard)
    board.button.click()
    board.wait_idle()
    for side in ("parallel", "sns"):
        counters = board.counters[side]
        assert (counters.in_flight, counters.done, counters.failed, counters.quotes) == (0, 1, 0, 2), side
        assert 'data-state="done"' in board.panels[side].value and 'data-quotes="2"' in board.panels[side].value
    assert "Responder · Avis" in board.panels["parallel"].value and "Responder · Avis" in board.panels["sns"].value
    assert "Aggregator (quotes)" in board.panels["sns"].value
    sns = board.panels["sns"].value  # the messages: the scatter to each vendor, each quote, the deadline's copy
    assert sns.count('data-kind="scatter"') == 2 and sns.count('data-kind="quote" ') == 2
    assert '<g class="message deadline" data-kind="deadline" data-from="Requester" data-to="Aggregator (deadline)" ' \
           'data-state="on-its-way">' in sns
    assert 'class="message' not in board.panels["parallel"].value

    # At stage speed every vendor takes 1.5 s: each side shows its states and invocations as they happen.
    board.speed.value = "1.5 s per vendor"
    board.wait_idle()
    frames = {side: _frames(board.panels[side]) for side in ("parallel", "sns")}
    board.button.click()
    board.wait_idle()
    for side, seen in frames.items():
        running = {frame for frame in seen if 'data-state="running"' in frame}
        assert len(running) >= 5, (side, len(running))
        assert 'data-state="done"' in seen[-1], side

    # One switch: Avis fails on both sides; the next request ends differently on each, and both count it failed.
    board.speed.value = "Normal"
    board.failing.value = "Avis"
    board.wait_idle()
    board.button.click()
    board.wait_idle()
    assert "Avis failed, caught" in board.panels["parallel"].value
    assert "TIMED OUT" in board.panels["sns"].value and "Avis: no quote" in board.panels["sns"].value
    assert board.counters["parallel"].failed == 1 and board.counters["sns"].failed == 1
    board.failing.value = "none"

    # The third-vendor switch redeploys both stacks; the next request asks three vendors on both sides.
    board.third_vendor.value = True
    board.wait_idle()
    assert "Hertz" in board.failing.options, board.note.value
    board.button.click()
    board.wait_idle()
    for side in ("parallel", "sns"):
        assert 'data-quotes="3"' in board.panels[side].value and "Responder · Hertz" in board.panels[side].value
    board.reset()
    assert board.counters["sns"].done == 0 and "Waiting for the first click" in board.panels["sns"].value
