"""A deploy in a notebook is one line: the CLI's output and the stack's outputs are folded under it."""

import re

import pytest

from workshop_utils import notebook
from workshop_utils.deploy import cdk, progress
from workshop_utils.deploy.progress import WidgetProgress
from workshop_utils.ui import cell_output, deploy_cells

STACK = "ScatterGatherWithParallelStack"
CLI_LINES = [
    f"{STACK} | 1/3 | 1:02:03 PM | CREATE_IN_PROGRESS   | AWS::CloudFormation::Stack | {STACK} User Initiated",
    f"{STACK} | 2/3 | 1:02:03 PM | CREATE_COMPLETE      | AWS::SQS::Queue            | Queue (Queue1)",
    f" ✅  {STACK}",
]


@pytest.fixture
def shown(monkeypatch):
    outputs: list[str] = []
    monkeypatch.setattr(cell_output, "show", outputs.append)
    monkeypatch.setattr(cdk, "ensure_bootstrapped", lambda **_options: False)
    return outputs


def fake_deploy(display: WidgetProgress | None):
    def deploy(stack, *, context=None, on_line):
        if display is not None:
            display.start(f"cdk deploy {stack}", 3)
        for line in CLI_LINES:
            on_line(line)
        if display is not None:
            display.finish(True, "done")
        return {"QueueUrl": "http://queue"}

    return deploy


def test_without_widgets_the_deploy_shows_one_folded_line(shown, monkeypatch):
    monkeypatch.setattr(cdk, "deploy", fake_deploy(None))
    notebook.deploy(STACK)
    assert len(shown) == 1
    html = shown[0]
    summary = html[html.index("<summary"):html.index("</summary>")]
    assert f"cdk deploy {STACK}" in summary and "http://queue" not in summary
    assert "http://queue" in html and "CREATE_COMPLETE" in html and "What the CDK CLI printed (" in html


def test_with_widgets_the_outputs_fold_under_the_progress_line_and_nothing_else_is_shown(shown, monkeypatch):
    display = WidgetProgress()
    monkeypatch.setattr(cdk, "deploy", fake_deploy(display))
    notebook.deploy(STACK)
    assert shown == []  # the bar's own line holds everything
    assert display.line_html.count("<details>") == 1 and "http://queue" in display.line_html
    assert progress.finished(f"cdk deploy {STACK}") is None  # taken once


def test_a_finished_synth_leaves_no_line_of_its_own():
    display = WidgetProgress()
    display.start("cdk synth")
    display.finish(True, "done")
    assert display.line_html == ""


@pytest.mark.parametrize(("built", "says_so"), [("", True), ("3 resources (1 created, 2 updated) in 0.02 s", False)])
def test_the_wiring_check_says_when_the_learners_version_changed_nothing(shown, monkeypatch, built, says_so):
    from workshop_utils.quotes import aggregates, triggers
    from workshop_utils.teaching import wiring_exercise

    monkeypatch.setattr(wiring_exercise, "check", lambda: wiring_exercise.WiringReport())
    monkeypatch.setattr(deploy_cells, "deploy", lambda stack, **context: built)
    handle = triggers.SnsQuoteHandle("u-1", "Requester", "r-1", 0, {})
    monkeypatch.setattr(triggers, "request_sns_quote", lambda request: handle)
    monkeypatch.setattr(aggregates, "wait_for_aggregate",
                        lambda handle: {"status": "complete", "quotes": [{"vendor": "Avis"}, {"vendor": "Alamo"}]})
    notebook.check_wiring()
    assert any("CloudFormation had nothing to change" in html for html in shown) is says_so
    assert "Your stack gathered request u-1: 2 quotes, one aggregate." in shown[-1]


def test_a_deploy_the_cli_calls_unchanged_says_so_on_its_line(shown, monkeypatch):
    display = WidgetProgress()
    deploy = fake_deploy(display)
    def unchanged(line: str) -> str:
        return line.replace(f"✅  {STACK}", f"✅  {STACK} (no changes)")

    monkeypatch.setattr(cdk, "deploy", lambda stack, *, context=None, on_line: deploy(
        stack, context=context, on_line=lambda line: on_line(unchanged(line))))
    assert deploy_cells.deploy(STACK) == ""
    assert f"cdk deploy {STACK} took " in display.line_html
    assert "no changes, the deployed stack already matches" in display.line_html


def test_a_destroy_is_one_line_too_and_a_stack_not_deployed_is_said_so(shown, monkeypatch):
    from workshop_utils.cloud import stacks

    destroyed = []

    def destroy(stack, *, on_line):
        destroyed.append(stack)
        on_line(f"{stack} |   1 | 1:02:03 PM | DELETE_COMPLETE      | AWS::SQS::Queue | Queue (Queue1)")

    monkeypatch.setattr(cdk, "destroy", destroy)
    monkeypatch.setattr(cdk, "stop_warm_synth", lambda: 0)
    monkeypatch.setattr(stacks, "deployed_description", lambda stack: {} if stack == STACK else {"StackName": stack})
    notebook.destroy_all()
    assert destroyed == ["ScatterGatherWithSNSStack"]
    folded = [html for html in shown if "<details>" in html]
    assert len(folded) == 1 and "DELETE_COMPLETE" in folded[0] and "cdk destroy ScatterGatherWithSNSStack" in folded[0]
    assert any(f"{STACK} is not deployed" in html for html in shown)


def test_the_cli_section_counts_its_lines_in_words(shown, monkeypatch):
    def one_line(stack, *, context=None, on_line):
        on_line(f" ✅  {stack} (no changes)")
        return {}

    monkeypatch.setattr(cdk, "deploy", one_line)
    notebook.deploy(STACK)
    assert "What the CDK CLI printed (1 line)" in shown[0]
    monkeypatch.setattr(cdk, "deploy", fake_deploy(None))
    notebook.deploy(STACK)
    many = re.search(r"What the CDK CLI printed \((\d+) lines\)", shown[1])
    assert many is not None and int(many.group(1)) > 1
