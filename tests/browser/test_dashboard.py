"""A real browser: the presenter dashboard served as `make present` serves it, in headless Chromium with every
non-loopback request blocked, at projector sizes; one click, both sides and their quotes above the fold."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

from workshop_utils.run_notebooks import NOTEBOOK_DIR

pytestmark = [pytest.mark.browser, pytest.mark.slow]
TEMPLATES = Path(__file__).resolve().parents[2] / "share" / "jupyter"
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
SIZES = [(1280, 720, "dark"), (1920, 1080, "dark"), (1280, 720, "light")]
VOILA_STARTED: list[float] = []  # when the fixture started Voila, for the presenter's "page ready" figure


def _wait_until_listening(port: int, process: subprocess.Popen, timeout_s: float = 90) -> None:
    # A connect, not a GET: every GET of the page would start (and leave) a kernel.
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Voila exited with {process.returncode} before serving.")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"Voila did not listen on port {port} in {timeout_s:.0f} s.")


@pytest.fixture(scope="module")
def dashboard_url(workshop_cloud, free_port, tmp_path_factory):
    """Both stacks deployed on a private local cloud, and Voila serving the dashboard with the stage template."""
    from workshop_utils import cdk, stacks

    cdk.ensure_bootstrapped()
    for stack in stacks.STACKS:
        cdk.deploy(stack, on_line=lambda _line: None)
    port = free_port()
    command = [
        sys.executable, "-m", "voila", str(NOTEBOOK_DIR / "presenter_dashboard.ipynb"), f"--port={port}",
        "--no-browser", "--Voila.ip=127.0.0.1", "--template=stage",
    ]  # fmt: skip
    log = (tmp_path_factory.mktemp("voila-log") / "voila.log").open("w")
    env = os.environ | {"JUPYTER_PATH": str(TEMPLATES)}
    VOILA_STARTED.append(time.monotonic())
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    try:
        _wait_until_listening(port, process)
        yield f"http://127.0.0.1:{port}/"
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture(scope="module")
def browser(chromium_executable, chromium_flags):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_executable, headless=True,
                                              args=chromium_flags)
        yield launched
        launched.close()


def _offline_page(browser, width: int, height: int):
    """A page whose every request off the loopback is aborted and recorded (the test fails on any)."""
    context = browser.new_context(viewport={"width": width, "height": height})
    attempts: list[str] = []

    def guard(route) -> None:
        url = urlparse(route.request.url)
        loopback = url.scheme in ("http", "https", "ws", "wss") and url.hostname in LOOPBACK
        if url.scheme in ("data", "blob") or loopback:
            route.continue_()
        else:
            attempts.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    return context, context.new_page(), attempts


def _open(page, url: str, theme: str) -> float:
    """Load the dashboard and wait until both sides are drawn; seconds from the request to that."""
    started = time.monotonic()
    page.goto(f"{url}?theme={theme}")
    page.wait_for_selector(".stage-side[data-side='sns']", timeout=120_000)
    return time.monotonic() - started


def _send_and_wait(page) -> float:
    started = time.monotonic()
    page.locator("button", has_text="Send to both").click()
    for side in ("parallel", "sns"):
        page.wait_for_selector(f".stage-side[data-side='{side}'][data-state='done']", timeout=90_000)
    return time.monotonic() - started


def _inside(box: dict | None, width: int, height: int) -> bool:
    return bool(box) and box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= width + 0.5 \
        and box["y"] + box["height"] <= height + 0.5


def _record(artifacts: Path, line: str) -> None:
    with (artifacts / "dashboard-timings.txt").open("a") as notes:  # measured, never asserted
        notes.write(line + "\n")


@pytest.mark.parametrize(("width", "height", "theme"), SIZES, ids=[f"{w}x{h}-{t}" for w, h, t in SIZES])
def test_one_click_shows_both_sides_and_their_quotes_above_the_fold_offline(
    dashboard_url, browser, browser_artifacts, width, height, theme
):
    context, page, attempts = _offline_page(browser, width, height)
    shot = browser_artifacts / f"dashboard-{width}x{height}-{theme}.png"
    try:
        ready_s = _open(page, dashboard_url, theme)
        if len(VOILA_STARTED) == 1:  # the first page since Voila started: what a presenter waits after starting it
            since_start = time.monotonic() - VOILA_STARTED[0]
            VOILA_STARTED.append(since_start)
            _record(browser_artifacts, f"Voila started to the first dashboard drawn: {since_start:.1f} s")
        took_s = _send_and_wait(page)
        _record(browser_artifacts, f"{width}x{height} {theme}: page ready {ready_s:.1f} s, "
                                   f"click to both sides done {took_s:.2f} s (normal speed)")
        page.screenshot(path=str(shot))
        for side in ("parallel", "sns"):
            panel = page.locator(f".stage-side[data-side='{side}']")
            quotes = panel.locator(".stage-quotes")
            assert quotes.get_attribute("data-quotes") == "2", side
            assert _inside(panel.bounding_box(), width, height), (side, panel.bounding_box())
            assert _inside(quotes.bounding_box(), width, height), (side, quotes.bounding_box())
        left = page.locator(".stage-side[data-side='parallel']").bounding_box()
        right = page.locator(".stage-side[data-side='sns']").bounding_box()
        assert left["x"] + left["width"] <= right["x"]  # side by side, not stacked
        overflow = page.evaluate("[document.documentElement.scrollWidth - innerWidth, "
                                 "document.documentElement.scrollHeight - innerHeight]")
        assert overflow[0] <= 0 and overflow[1] <= 0, overflow  # nothing to scroll to
        smallest = page.evaluate("""() => Math.min(...[...document.querySelectorAll(
            '.stage-root p, .stage-counter, .stage-quote, .stage-root button, .stage-root select, .stage-lanes text')]
            .filter(e => e.getClientRects().length && (e.textContent || '').trim())
            .map(e => parseFloat(getComputedStyle(e).fontSize) * (e.tagName === 'text'
                ? e.ownerSVGElement.getBoundingClientRect().width / e.ownerSVGElement.viewBox.baseVal.width : 1)))""")
        assert smallest >= 20, smallest  # 20 px text at 1280 wide (SVG text: its size times the SVG's scale)
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == ("rgb(0, 0, 0)" if theme == "dark" else "rgb(255, 255, 255)")
        assert attempts == [], attempts
    finally:
        if not shot.exists():
            page.screenshot(path=str(shot))
        context.close()


def test_stage_speed_slows_the_vendors_for_the_audience(dashboard_url, browser, browser_artifacts):
    context, page, attempts = _offline_page(browser, 1280, 720)
    try:
        _open(page, dashboard_url, "dark")
        page.locator(".stage-root select").nth(1).select_option(label="Stage: vendors take 1.5 s")
        page.wait_for_selector(".stage-note.success:has-text('1500 ms per vendor')", timeout=60_000)
        took_s = _send_and_wait(page)
        _record(browser_artifacts, f"1280x720 dark: click to both sides done {took_s:.2f} s (stage speed 1.5 s)")
        page.screenshot(path=str(browser_artifacts / "dashboard-1280x720-stage-speed.png"))
        assert attempts == [], attempts
    finally:
        page.locator(".stage-root select").nth(1).select_option(label="Normal")
        page.wait_for_selector(".stage-note.success:has-text(\"cdk.json's latency\")", timeout=60_000)
        context.close()
