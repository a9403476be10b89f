"""A real browser: JupyterLab in headless Chromium runs 01_parallel_state and clicks the request button, then
a learner types the wiring into exercises/sns_wiring.py and 02a's check passes."""
from __future__ import annotations

import json
import os
import shutil
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from infra.config import EXERCISES_DIR, EXERCISES_DIR_ENV
from workshop_utils.cloud.stacks import PARALLEL_STACK, SNS_STACK
from workshop_utils.tools.run_notebooks import NOTEBOOK_DIR

pytestmark = [pytest.mark.browser, pytest.mark.slow]
REPO = Path(__file__).resolve().parents[2]

# What each CDK progress bar of the page shows (its count and its width, not its elapsed clock): `values`, every value
# the page took, one a widget update, painted or not; `painted`, those on screen at an animation frame.
WATCH_PROGRESS_BARS = """() => {
  window.progressBars = [];
  const seen = new WeakMap();
  const look = (key) => document.querySelectorAll('.cdk-progress').forEach(box => {
    if (!seen.has(box)) {
      seen.set(box, window.progressBars.length);
      window.progressBars.push({values: [], painted: []});
    }
    const bar = window.progressBars[seen.get(box)];
    const fill = box.querySelector('.progress-bar');
    bar.label = box.textContent;
    bar.title = bar.label.split(' · ')[0];
    const value = `${(bar.label.match(/\\d+\\/\\d+ resources/) || ['no count'])[0]} | ${fill ? fill.style.width : ''}`;
    if (bar[key][bar[key].length - 1] !== value) bar[key].push(value);
  });
  new MutationObserver(() => look('values')).observe(document.body, {subtree: true, childList: true,
      characterData: true, attributes: true, attributeFilter: ['style']});
  const frame = () => { look('painted'); requestAnimationFrame(frame); };
  requestAnimationFrame(frame);
}"""


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory, workshop_cloud, free_port, serve):
    """JupyterLab on a free port, serving a copy of the notebooks (its autosave must not touch the repo)."""
    from workshop_utils.deploy import cdk

    cdk.ensure_bootstrapped()
    notebooks = tmp_path_factory.mktemp("notebooks")
    for path in NOTEBOOK_DIR.glob("*.ipynb"):
        shutil.copy(path, notebooks / path.name)
    # The learner edits a copy of the exercises too, reached as in `make lab` (notebooks/exercises).
    shutil.copytree(EXERCISES_DIR, notebooks / "exercises", ignore=shutil.ignore_patterns("__pycache__"))
    settings = tmp_path_factory.mktemp("lab-settings")
    tracker = settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True)
    tracker.write_text(json.dumps({"windowingMode": "none"}))  # render every cell, so every output is in the DOM
    port = free_port()
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
        "--IdentityProvider.token=", "--ServerApp.password=", "--ServerApp.disable_check_xsrf=True",
        f"--ServerApp.root_dir={notebooks}",
        f"--LabApp.app_settings_dir={REPO / '.jupyterlab'}",  # make lab's: no news pop-up, no update check
        # Its own workspaces: tabs left open by an earlier run (or a learner) are not restored here.
        f"--LabApp.workspaces_dir={tmp_path_factory.mktemp('lab-workspaces')}",
    ]  # fmt: skip
    if os.geteuid() == 0:
        command.append("--allow-root")
    env = os.environ | {"JUPYTERLAB_SETTINGS_DIR": str(settings), EXERCISES_DIR_ENV: str(notebooks / "exercises")}
    log_path = tmp_path_factory.mktemp("lab-log") / "jupyterlab.log"
    url = f"http://127.0.0.1:{port}"
    with serve("JupyterLab", command, env=env, log_path=log_path, ready=lambda: _answers(f"{url}/api/status")):
        yield url, notebooks


def _template_resources(stack: str) -> dict:
    from workshop_utils.cloud import target

    body = target.client("cloudformation").get_template(StackName=stack)["TemplateBody"]
    return (json.loads(body) if isinstance(body, str) else body)["Resources"]


def _check_the_first_deploys_progress(page, artifacts: Path) -> None:
    """The first deploy's bar ends at N/N, and its view, unfolded, lists every resource after those it refers to.

    How many values the bar showed on the way depends on timing: written down for the report, never asserted.
    """
    from workshop_utils.local_cloud.cloudformation.order import dependencies

    bars = page.evaluate("() => window.progressBars")
    deploys = [bar for bar in bars if bar["title"] == f"cdk deploy {PARALLEL_STACK}"]
    with (artifacts / "01_deploy_progress.txt").open("w") as notes:  # observed, never asserted
        for number, bar in enumerate(deploys, 1):
            notes.write(f"deploy {number} of {PARALLEL_STACK}: {len(bar['values'])} bar values in the page, "
                        f"{len(bar['painted'])} on screen at an animation frame: {bar['painted']}\n"
                        f"  every value in the page: {bar['values']}\n")
    resources = _template_resources(PARALLEL_STACK)  # cdk.json's vendors again, as at the first deploy
    total = len(resources)  # the bar counts the resources, as the line after it does (not the stack itself)
    first = deploys[0]
    assert f"{total}/{total} resources" in first["label"] and first["values"][-1].endswith("| 100%"), first

    # Once done, the bar is one line saying what was created; the resource-by-resource view unfolds under it.
    view = page.locator(f".cdk-command:has([data-stack='{PARALLEL_STACK}'])").first
    assert f"{total} resources created" in view.locator("summary").inner_text()
    view.locator("summary").click()
    deploy = view
    deploy.scroll_into_view_if_needed()
    drawn = view.locator("g.bar").evaluate_all(
        "bars => bars.map(b => [b.dataset.label, Number(b.dataset.start), Number(b.dataset.end)])")
    deploy.screenshot(path=str(artifacts / "01_deploy_progress.png"))
    order = [label.removeprefix("+ ") for label, _, _ in drawn]
    assert sorted(order) == sorted(resources) and all(label.startswith("+ ") for label, _, _ in drawn)
    times = {label.removeprefix("+ "): (start, end) for label, start, end in drawn}
    for logical_id, needs in dependencies(resources).items():
        for need in needs:
            assert order.index(need) < order.index(logical_id), f"{logical_id} is drawn before {need}"
            assert times[need][1] <= times[logical_id][0], f"{logical_id} started before {need} was complete"


def _template_edges(stack: str) -> set[tuple[str, str, str]]:
    """The edges of the stack's deployed template, read through CloudFormation (not through the diagram's reader)."""
    from workshop_utils.cloud import target
    from workshop_utils.wiring import from_template

    body = target.client("cloudformation").get_template(StackName=stack)["TemplateBody"]
    template = json.loads(body) if isinstance(body, str) else body
    return {(edge.source, edge.target, edge.kind) for edge in from_template(template, stack).edges}


def _accept_kernel_dialog(page) -> None:
    """A first open may ask which kernel to use; accept the proposed one."""
    try:
        page.locator(".jp-Dialog button.jp-mod-accept").click(timeout=15_000)
    except Exception:  # no dialog: the kernel was chosen from the notebook's metadata
        pass


def _run_all(page) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()


def test_parallel_notebook_runs_in_a_real_browser(jupyterlab, chromium_executable, chromium_flags, browser_artifacts):
    from playwright.sync_api import sync_playwright

    jupyterlab, _folder = jupyterlab
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_executable, headless=True, args=chromium_flags)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            page.goto(f"{jupyterlab}/lab/tree/01_parallel_state.ipynb?reset")
            page.wait_for_selector(".jp-Notebook", timeout=60_000)
            _accept_kernel_dialog(page)
            page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']:visible", timeout=60_000)
            page.evaluate(WATCH_PROGRESS_BARS)
            _run_all(page)

            # The request cell clicks the button from code; then a learner clicks it in the page.
            page.wait_for_selector("svg .state", state="attached", timeout=240_000)
            page.wait_for_selector("table.quotes-table", state="attached", timeout=60_000)
            # A learner asks for 3 days and clicks: the new execution's output must say so.
            days = page.locator(".widget-text input").first
            days.scroll_into_view_if_needed()
            days.fill("3")
            page.locator("button", has_text="Request quotes").first.click()
            # The click is handled once Run All has finished the cells after the form (the exercise, a redeploy).
            page.wait_for_selector("pre:has-text('\"days_rental\": 3')", state="attached", timeout=300_000)

            assert page.locator("svg .state").count() >= 3  # requester, the Parallel state, a responder a vendor
            first_graph = page.locator("svg").filter(has=page.locator(".branch-lane")).first
            assert first_graph.locator(".branch-lane").count() == 2  # one lane per default vendor
            assert page.locator("table.quotes-table").count() >= 1
            errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.error']")
            assert errors.count() == 0, errors.first.inner_text()
            _check_the_first_deploys_progress(page, browser_artifacts)
        finally:
            page.screenshot(path=str(browser_artifacts / "01_parallel_state.png"), full_page=True)  # kept, pass or fail
            browser.close()


@pytest.mark.timeout(900)
def test_a_learner_types_the_wiring_and_the_check_passes(
    jupyterlab, chromium_executable, chromium_flags, browser_artifacts
):
    from playwright.sync_api import sync_playwright

    from workshop_utils.teaching.exercise_files import WIRING_FILE, wiring_solution

    url, folder = jupyterlab
    exercise = folder / "exercises" / WIRING_FILE
    answer = wiring_solution(exercise.read_text(encoding="utf-8"))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_executable, headless=True, args=chromium_flags)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            # The learner opens the exercise file from the file browser's folder and writes the wiring.
            page.goto(f"{url}/lab/tree/exercises/{WIRING_FILE}?reset")  # ?reset: no tabs of the test before
            editor = page.locator(".jp-FileEditor .cm-content").first
            editor.wait_for(timeout=60_000)
            editor.click()
            page.keyboard.press("Control+A")
            page.keyboard.insert_text(answer)  # as typed (no auto-indent), the whole function body
            page.keyboard.press("Control+S")
            deadline = time.monotonic() + 30
            while exercise.read_text(encoding="utf-8") != answer and time.monotonic() < deadline:
                time.sleep(0.5)
            assert exercise.read_text(encoding="utf-8") == answer

            page.goto(f"{url}/lab/tree/02a_make_the_refactoring.ipynb?reset")
            page.wait_for_selector(".jp-Notebook", timeout=60_000)
            _accept_kernel_dialog(page)
            page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']:visible", timeout=60_000)
            _run_all(page)
            # The check synthesizes the learner's stack, deploys it and waits for one aggregate.
            page.wait_for_selector(".workshop-message:has-text('Your wiring has every piece')", state="attached",
                                   timeout=300_000)
            page.wait_for_selector(".workshop-message:has-text('Your stack gathered request')", state="attached",
                                   timeout=300_000)
            assert page.locator(".check-failed").count() == 0, page.locator(".check-failed").first.inner_text()
            errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.error']")
            assert errors.count() == 0, errors.first.inner_text()
            # The architecture drawn last is the deployed SNS stack's: exactly the template's edges, none more.
            page.wait_for_selector("svg g.link", state="attached", timeout=120_000)
            drawn = page.eval_on_selector_all(
                "svg g.link", "links => links.map(l => [l.dataset.source, l.dataset.target, l.dataset.kind])"
            )
            assert {tuple(link) for link in drawn} == _template_edges(SNS_STACK)
        finally:
            page.screenshot(path=str(browser_artifacts / "02a_make_the_refactoring.png"), full_page=True)
            browser.close()
