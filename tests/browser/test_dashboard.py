"""A real browser: the presenter dashboard served as `make present` serves it, in headless Chromium with every
non-loopback request blocked, at projector sizes; one click, both sides and their quotes above the fold."""
from __future__ import annotations

import json
import os
import socket
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

from workshop_utils.tools.run_notebooks import NOTEBOOK_DIR

pytestmark = [pytest.mark.browser, pytest.mark.slow]
TEMPLATES = Path(__file__).resolve().parents[2] / "share" / "jupyter"
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
SIZES = [(1280, 720, "dark"), (1920, 1080, "dark"), (1280, 720, "light")]
VOILA_STARTED: list[float] = []  # when the fixture started Voila, for the presenter's "page ready" figure


def _listening(port: int) -> bool:
    # A connect, not a GET: every GET of the page would start (and leave) a kernel.
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def dashboard_url(workshop_cloud, free_port, tmp_path_factory, serve):
    """Both stacks deployed on a private local cloud, and Voila serving the dashboard with the stage template."""
    from workshop_utils.cloud import stacks
    from workshop_utils.deploy import cdk

    cdk.ensure_bootstrapped()
    for stack in stacks.STACKS:
        cdk.deploy(stack, on_line=lambda _line: None)
    port = free_port()
    command = [
        sys.executable, "-m", "voila", str(NOTEBOOK_DIR / "presenter_dashboard.ipynb"), f"--port={port}",
        "--no-browser", "--Voila.ip=127.0.0.1", "--template=stage",
    ]  # fmt: skip
    env = os.environ | {"JUPYTER_PATH": str(TEMPLATES)}
    VOILA_STARTED.append(time.monotonic())
    log_path = tmp_path_factory.mktemp("voila-log") / "voila.log"
    with serve("Voila", command, env=env, log_path=log_path, ready=lambda: _listening(port)):
        yield f"http://127.0.0.1:{port}/"


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


def _send_and_wait(page, outcome: str = "done") -> float:
    started = time.monotonic()
    page.locator("button", has_text="Send to both").click()
    for side in ("parallel", "sns"):
        page.wait_for_selector(f".stage-side[data-side='{side}'][data-state='{outcome}']", timeout=90_000)
    return time.monotonic() - started


# Every distinct picture of a running side the page shows, as the audience sees it (counted, not timed).
COUNT_FRAMES = """() => {
  window.stageFrames = {parallel: new Set(), sns: new Set()};
  new MutationObserver(() => {
    for (const side of ['parallel', 'sns']) {
      const panel = document.querySelector(`.stage-side[data-side='${side}']`);
      if (panel && panel.dataset.state === 'running') window.stageFrames[side].add(panel.outerHTML);
    }
  }).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


# The colour the room sees at the bottom of the screen, from the first element there that paints one.
BACKGROUND_BELOW_THE_DASHBOARD = """() => {
  for (let e = document.elementFromPoint(innerWidth / 2, innerHeight - 3); e; e = e.parentElement) {
    const colour = getComputedStyle(e).backgroundColor;
    if (colour !== 'rgba(0, 0, 0, 0)' && colour !== 'transparent') return [e.tagName + '.' + e.className, colour];
  }
  return ['html', getComputedStyle(document.documentElement).backgroundColor];
}"""


def _choose(page, lever: str, option: str, note: str) -> None:
    """Pick a lever's option and wait until the page says it is live."""
    page.locator(".widget-dropdown", has_text=lever).locator("select").select_option(label=option)
    page.wait_for_selector(f".stage-note.success:has-text({note!r})", timeout=60_000)


def _inside(box: dict | None, width: int, height: int) -> bool:
    return bool(box) and box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= width + 0.5 \
        and box["y"] + box["height"] <= height + 0.5


def _assert_both_sides_fit(page, width: int, height: int, *, quotes: int) -> None:
    """Both sides and their quotes inside the viewport, side by side, with nothing to scroll to."""
    for side in ("parallel", "sns"):
        panel = page.locator(f".stage-side[data-side='{side}']")
        chips = panel.locator(".stage-quotes")
        assert chips.get_attribute("data-quotes") == str(quotes), side
        assert _inside(panel.bounding_box(), width, height), (side, panel.bounding_box())
        assert _inside(chips.bounding_box(), width, height), (side, chips.bounding_box())
    left = page.locator(".stage-side[data-side='parallel']").bounding_box()
    right = page.locator(".stage-side[data-side='sns']").bounding_box()
    assert left["x"] + left["width"] <= right["x"]  # side by side, not stacked
    overflow = page.evaluate("[document.documentElement.scrollWidth - innerWidth, "
                             "document.documentElement.scrollHeight - innerHeight]")
    assert overflow[0] <= 0 and overflow[1] <= 0, overflow  # nothing to scroll to


def _assert_painted_states_stay_apart_for_colour_blind_viewers(page) -> None:
    """The colours the page paints for each state (its CSS), simulated for colour-blind eyes and compared."""
    from workshop_utils.stage.colour_vision import SIMULATIONS, closest_pair

    painted = page.evaluate("""() => {
        const root = getComputedStyle(document.querySelector('.stage-root'));
        return Object.fromEntries(['running', 'done', 'failed', 'caught'].map(
            s => [s, root.getPropertyValue('--stage-' + s).trim()]));
    }""")
    assert all(colour.startswith("#") and len(colour) == 7 for colour in painted.values()), painted
    for vision in SIMULATIONS:
        difference, pair = closest_pair(painted, vision)
        assert difference >= 20, (vision, pair, round(difference, 1))


def _selected(page, lever: str) -> str:
    """The option a lever's list shows."""
    return page.evaluate(f"() => {{ const s = document.querySelector('.{lever} select'); "
                         "return s.options[s.selectedIndex].text; }").replace("\xa0", " ")


def _kernel_id(page) -> str:
    return json.loads(page.locator("#jupyter-config-data").text_content())["kernelId"]


def _kernel_gone(url: str, kernel_id: str, timeout_s: float = 30) -> bool:
    """Whether Voila no longer knows the kernel (its API answers 404), within `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{url}api/kernels/{kernel_id}", timeout=10).close()
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return True
        time.sleep(0.5)
    return False


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
        _assert_both_sides_fit(page, width, height, quotes=2)
        smallest = page.evaluate("""() => Math.min(...[...document.querySelectorAll(
            '.stage-root p, .stage-counter, .stage-quote, .stage-root button, .stage-root select, .stage-lanes text')]
            .filter(e => e.getClientRects().length && (e.textContent || '').trim())
            .map(e => parseFloat(getComputedStyle(e).fontSize) * (e.tagName === 'text'
                ? e.ownerSVGElement.getBoundingClientRect().width / e.ownerSVGElement.viewBox.baseVal.width : 1)))""")
        assert smallest >= 20, smallest  # 20 px text at 1280 wide (SVG text: its size times the SVG's scale)
        seen_below = page.evaluate(BACKGROUND_BELOW_THE_DASHBOARD)
        assert seen_below[1] == ("rgb(0, 0, 0)" if theme == "dark" else "rgb(255, 255, 255)"), seen_below
        assert attempts == [], attempts
    finally:
        if not shot.exists():
            page.screenshot(path=str(shot))
        context.close()


def test_messages_are_drawn_and_the_deadline_copy_shows_when_it_wakes_the_aggregator(
    dashboard_url, browser, browser_artifacts
):
    context, page, attempts = _offline_page(browser, 1280, 720)
    try:
        _open(page, dashboard_url, "dark")
        _send_and_wait(page)
        sns = page.locator(".stage-side[data-side='sns']")
        received = sns.locator(".message[data-state='received']")
        assert sorted(received.evaluate_all("gs => gs.map(g => g.dataset.kind + ' to ' + g.dataset.to)")) == [
            "quote to Aggregator (quotes)", "quote to Aggregator (quotes)",
            "scatter to Responder · Alamo", "scatter to Responder · Avis"]
        waiting = sns.locator(".message[data-state='on-its-way']")
        assert waiting.evaluate_all("gs => gs.map(g => g.dataset.kind)") == ["deadline"]
        assert page.locator(".stage-side[data-side='parallel'] .message").count() == 0  # no messages there
        page.screenshot(path=str(browser_artifacts / "dashboard-1280x720-messages.png"))
        # The deadline's copy of the request wakes the aggregator seconds later: named at its row's end.
        sns.locator(".lane.beyond[data-lane='Aggregator (deadline)']").wait_for(timeout=60_000)
        assert sns.locator(".message[data-kind='deadline']").get_attribute("data-state") == "received"
        page.screenshot(path=str(browser_artifacts / "dashboard-1280x720-deadline-after-the-answer.png"))
        assert attempts == [], attempts
    finally:
        context.close()


def test_stage_speed_shows_each_side_run_frame_by_frame(dashboard_url, browser, browser_artifacts):
    context, page, attempts = _offline_page(browser, 1280, 720)
    try:
        _open(page, dashboard_url, "dark")
        _choose(page, "Stage speed", "1.5 s per vendor", "1500 ms per vendor")
        page.evaluate(COUNT_FRAMES)
        took_s = _send_and_wait(page)
        frames = page.evaluate("() => [window.stageFrames.parallel.size, window.stageFrames.sns.size]")
        _record(browser_artifacts, f"1280x720 dark: click to both sides done {took_s:.2f} s (stage speed 1.5 s); "
                                   f"running frames drawn: parallel {frames[0]}, sns {frames[1]}")
        page.screenshot(path=str(browser_artifacts / "dashboard-1280x720-stage-speed.png"))
        assert min(frames) >= 5, frames

        # The replay redraws the same measured times five times slower, and says so on both sides.
        page.evaluate(COUNT_FRAMES.replace("'running'", "'replay'"))
        page.locator("select:has(option:text-is('×5 slower'))").select_option(label="×5 slower")
        page.locator("button.stage-replay").click()
        page.wait_for_selector(".stage-side[data-state='replay']", timeout=30_000)
        page.wait_for_timeout(2_000)  # into the replay, for the screenshot (not a measurement)
        page.screenshot(path=str(browser_artifacts / "dashboard-1280x720-replay.png"))
        assert "REPLAY ×5 of measured times" in page.locator(".stage-side[data-side='parallel']").inner_text()
        page.wait_for_selector(".stage-note.success:has-text('Replay over')", timeout=120_000)
        replayed = page.evaluate("() => [window.stageFrames.parallel.size, window.stageFrames.sns.size]")
        _record(browser_artifacts, f"replay x5: frames drawn: parallel {replayed[0]}, sns {replayed[1]}")
        assert min(replayed) >= 5, replayed
        assert attempts == [], attempts
    finally:
        _choose(page, "Stage speed", "Normal", "cdk.json's latency")
        context.close()


def test_the_failing_vendor_switch_changes_the_next_outcome_on_both_sides(dashboard_url, browser, browser_artifacts):
    context, page, attempts = _offline_page(browser, 1280, 720)
    try:
        _open(page, dashboard_url, "dark")
        _choose(page, "Failing vendor", "Avis", "failing: Avis")
        took_s = _send_and_wait(page, outcome="failed")
        _record(browser_artifacts, f"1280x720 dark: click to both sides ended {took_s:.2f} s (Avis failing)")
        page.screenshot(path=str(browser_artifacts / "dashboard-1280x720-failing-vendor.png"))
        parallel = page.locator(".stage-side[data-side='parallel']")
        sns = page.locator(".stage-side[data-side='sns']")
        assert "INCOMPLETE" in parallel.inner_text() and "Avis failed, caught" in parallel.inner_text()
        assert "TIMED OUT" in sns.inner_text()
        # Each state in its words as well as its colour: the caught vendor, the failed one, the timed-out deadline.
        assert parallel.locator(".lane-word[data-word='caught']").count() >= 1
        assert sns.locator(".lane-word[data-word='failed']").count() >= 1
        assert sns.locator(".lane-word[data-word='timed-out']").count() == 1
        _assert_painted_states_stay_apart_for_colour_blind_viewers(page)
        assert parallel.locator("[data-counter='failed'] b").inner_text() == "1"
        assert sns.locator("[data-counter='failed'] b").inner_text() == "1"
        # No quote message from Avis; the deadline's copy arrived on the axis and wrote the timed-out aggregate.
        quotes_from = sns.locator(".message[data-kind='quote']").evaluate_all("gs => gs.map(g => g.dataset.from)")
        assert quotes_from == ["Responder · Alamo"], quotes_from
        assert sns.locator(".message[data-kind='deadline']").get_attribute("data-state") == "received"
        assert sns.locator(".lane.beyond").count() == 0
        assert _inside(sns.locator(".stage-quotes").bounding_box(), 1280, 720)
        assert attempts == [], attempts
    finally:
        _choose(page, "Failing vendor", "none", "failing: none")
        context.close()


def test_a_reload_ends_the_old_pages_kernel_and_its_queued_levers_never_act(dashboard_url, browser):
    context, page, attempts = _offline_page(browser, 1280, 720)
    try:
        _open(page, dashboard_url, "dark")
        assert "Responder · Alamo" in page.locator(".stage-side[data-side='parallel']").inner_text()  # idle lanes
        old_kernel = _kernel_id(page)
        _choose(page, "Stage speed", "3 s per vendor", "3000 ms per vendor")
        page.locator("button", has_text="Send to both").click()
        page.wait_for_selector(".stage-side[data-side='parallel'][data-state='running']", timeout=30_000)
        # Queued behind the running request, then the nervous presenter reloads.
        page.locator(".widget-dropdown", has_text="Failing vendor").locator("select").select_option(label="Avis")
        page.wait_for_selector(".stage-note:has-text('after the current request')", timeout=10_000)
        page.reload()
        page.wait_for_selector(".stage-side[data-side='sns']", timeout=120_000)
        assert _kernel_gone(dashboard_url, old_kernel), "the reloaded page's old kernel is still running"
        assert _kernel_id(page) != old_kernel
        # The new page shows the levers as they are set (the old page's queued Avis never applied).
        assert _selected(page, "stage-failing") == "none"
        assert _selected(page, "stage-speed") == "3 s per vendor"
        page.wait_for_timeout(8_000)  # longer than the old request and its queued lever would have taken
        _choose(page, "Stage speed", "Normal", "cdk.json's latency")
        _send_and_wait(page, outcome="done")  # no vendor fails: what the page says is what happens
        assert page.locator(".stage-side[data-side='sns'] [data-counter='failed'] b").inner_text() == "0"
        assert attempts == [], attempts
    finally:
        context.close()


def test_keyboard_shortcuts_drive_the_stage_and_the_slides_are_one_key_away(dashboard_url, browser,
                                                                          browser_artifacts):
    context, page, attempts = _offline_page(browser, 1280, 720)
    try:
        _open(page, dashboard_url, "light")
        page.keyboard.press("2")
        page.wait_for_selector(".stage-note.success:has-text('1500 ms per vendor')", timeout=60_000)
        page.keyboard.press("1")
        page.wait_for_selector(".stage-note.success:has-text(\"cdk.json's latency\")", timeout=60_000)
        page.keyboard.press("f")
        page.wait_for_selector(".stage-note.success:has-text('failing: Avis')", timeout=60_000)
        assert _selected(page, "stage-failing") == "Avis"
        for _ in page.locator(".stage-failing select option").all()[2:]:  # round to "none" again
            page.keyboard.press("f")
        page.keyboard.press("f")
        page.wait_for_selector(".stage-note.success:has-text('failing: none')", timeout=60_000)
        page.keyboard.press("s")
        for side in ("parallel", "sns"):
            page.wait_for_selector(f".stage-side[data-side='{side}'][data-state='done']", timeout=90_000)
        page.keyboard.press("p")
        slide = page.locator(".stage-slide.current")
        slide.wait_for(state="visible")
        assert page.locator(".stage-side").first.is_hidden()
        page.screenshot(path=str(browser_artifacts / "dashboard-1280x720-slides.png"))
        page.keyboard.press("ArrowRight")
        assert page.locator(".stage-slide.current").get_attribute("data-slide") == "2"
        page.keyboard.press("d")
        page.locator(".stage-side").first.wait_for(state="visible")
        page.keyboard.press("r")
        page.wait_for_selector(".stage-note:has-text('Reset')", timeout=30_000)
        assert page.locator(".stage-side[data-side='sns'] [data-counter='done'] b").inner_text() == "0"
        assert attempts == [], attempts
    finally:
        context.close()


def test_a_double_click_sends_one_request(dashboard_url, browser):
    context, page, attempts = _offline_page(browser, 1280, 720)
    try:
        _open(page, dashboard_url, "dark")
        page.locator("button", has_text="Reset").click()
        page.locator("button", has_text="Send to both").dblclick()
        for side in ("parallel", "sns"):
            page.wait_for_selector(f".stage-side[data-side='{side}'][data-state='done']", timeout=90_000)
        page.wait_for_timeout(3_000)  # time for a second request to show, were there one
        for side in ("parallel", "sns"):
            panel = page.locator(f".stage-side[data-side='{side}']")
            assert panel.locator("[data-counter='done'] b").inner_text() == "1", side
            assert panel.locator("[data-counter='in-flight'] b").inner_text() == "0", side
        assert attempts == [], attempts
    finally:
        context.close()


def test_a_saved_run_replays_after_a_reload_and_from_its_file(dashboard_url, browser, browser_artifacts):
    context, page, attempts = _offline_page(browser, 1280, 720)
    try:
        _open(page, dashboard_url, "dark")
        _send_and_wait(page)
        # The deadline's copy wakes the aggregator seconds after the answer: the run on disk gets it too.
        page.locator(".stage-side[data-side='sns'] .lane.beyond[data-lane='Aggregator (deadline)']").wait_for(
            timeout=60_000)
        page.locator("button", has_text="Save run").click()
        saved = page.wait_for_selector(".stage-note.success:has-text('Saved:')", timeout=30_000).inner_text()
        path = Path(saved.removeprefix("Saved: ").split(". Replay it")[0])
        assert path.exists(), saved
        page.reload()  # a new kernel: the run in memory is gone, the one on disk is not
        page.wait_for_selector(".stage-side[data-side='sns']", timeout=120_000)
        page.locator(".stage-replay-factor select").select_option(label="×5 slower")
        page.keyboard.press("l")
        page.wait_for_selector(".stage-side[data-state='replay']", timeout=30_000)
        page.wait_for_selector(".stage-note.success:has-text('Replay over')", timeout=120_000)
        sns = page.locator(".stage-side[data-side='sns']")
        assert sns.locator(".lane").count() >= 3
        # Nothing drawn on its way that has arrived: the deadline's copy ends received, as measured.
        assert sns.locator(".message[data-state='on-its-way']").count() == 0
        assert sns.locator(".message[data-kind='deadline']").get_attribute("data-state") == "received"
        # The fallback on another machine: the saved file, opened in the page.
        page.locator("button", has_text="Reset").click()
        with page.expect_file_chooser() as chooser:
            page.locator(".stage-root .widget-upload").click()
        chooser.value.set_files(str(path))
        page.wait_for_selector(".stage-side[data-state='replay']", timeout=30_000)
        page.wait_for_selector(".stage-note.success:has-text('Replay over')", timeout=120_000)
        page.screenshot(path=str(browser_artifacts / "dashboard-1280x720-replayed-from-file.png"))
        assert sns.locator(".message[data-kind='deadline']").get_attribute("data-state") == "received"
        assert attempts == [], attempts
    finally:
        context.close()


def test_a_third_vendor_is_deployed_live_and_still_fits_above_the_fold(dashboard_url, browser, browser_artifacts):
    """Last in the module: it leaves three vendors deployed on this module's private cloud."""
    context, page, attempts = _offline_page(browser, 1280, 720)
    try:
        _open(page, dashboard_url, "dark")
        started = time.monotonic()
        page.get_by_text("Third vendor (Hertz)").click()
        page.wait_for_selector(".stage-note:has-text('Deploying side by side')", timeout=120_000)  # its progress
        note = page.wait_for_selector(".stage-note.success:has-text('Hertz added in')", timeout=300_000)
        _record(browser_artifacts, f"third vendor: both stacks redeployed in {time.monotonic() - started:.1f} s "
                                   f"({note.inner_text()})")
        assert "Parallel stack: a new state machine definition" in note.inner_text()
        assert ("SNS stack: one more subscription, and the aggregator's settings and the batch size updated"
                in note.inner_text())
        _send_and_wait(page)
        page.screenshot(path=str(browser_artifacts / "dashboard-1280x720-third-vendor.png"))
        _assert_both_sides_fit(page, 1280, 720, quotes=3)
        assert _inside(page.locator(".stage-footnote").bounding_box(), 1280, 720)
        assert "Responder · Hertz" in page.locator(".stage-side[data-side='sns']").inner_text()
        # A new page reads what is deployed: the box is ticked, and both sides show Hertz's lanes before a click.
        page.reload()
        page.wait_for_selector(".stage-side[data-side='sns']", timeout=120_000)
        assert page.get_by_label("Third vendor (Hertz)").is_checked()
        assert "Responder · Hertz" in page.locator(".stage-side[data-side='parallel']").inner_text()
        assert attempts == [], attempts
    finally:
        context.close()
