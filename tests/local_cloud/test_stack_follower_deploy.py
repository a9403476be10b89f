"""A real `cdk deploy` on a private local cloud, its progress display fed by the stack's own events: every event of
the deploy, once, oldest first, in the template's dependency order, ending at the count the CDK CLI ends at."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from workshop_utils.cloud import stacks, target
from workshop_utils.deploy import cdk
from workshop_utils.deploy.progress import NullProgress, Progress, parse_progress
from workshop_utils.render.deployment import resource_steps

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stack_events import assert_created_in_dependency_order, chronological, since_last  # noqa: E402
from test_aggregator_support import require_cdk_cli  # noqa: E402

pytestmark = pytest.mark.slow

STACK = stacks.PARALLEL_STACK
CONTEXT = json.loads((Path(__file__).resolve().parents[2] / "cdk.json").read_text())["context"]


class Recording(NullProgress):
    """A display that keeps what it is given."""

    def __init__(self) -> None:
        self.title, self.expected_total, self.events, self.finished = "", None, [], None

    def start(self, title: str, expected_total: int | None = None) -> None:
        self.title, self.expected_total = title, expected_total

    def update(self, event: Progress) -> None:
        self.events.append(event)

    def finish(self, ok: bool, summary: str) -> None:
        self.finished = (ok, summary)


@pytest.fixture(scope="module")
def deploy(workshop_cloud, tmp_path_factory: pytest.TempPathFactory):
    """Deploys STACK with deploy.cdk (assembled in a folder of the module's own); returns (display, lines)."""
    require_cdk_cli()
    displays: list[Recording] = []
    runner = cdk.CdkRunner(display=lambda: displays.append(Recording()) or displays[-1])
    work = tmp_path_factory.mktemp("cdk-follower")
    runner.assembly, runner.build = work / "cdk.out", work / "build"
    runner.ensure_bootstrapped(on_line=lambda _line: None)

    def run(context: dict[str, Any] | None = None) -> tuple[Recording, list[str]]:
        lines: list[str] = []
        runner.deploy(STACK, context, on_line=lines.append)
        (display,) = [d for d in displays if d.title == f"cdk deploy {STACK}"][-1:]
        return display, lines

    return run


def as_stack_events(events: list[Progress]) -> list[dict[str, Any]]:
    return [{"LogicalResourceId": e.logical_id, "ResourceStatus": e.status, "ResourceType": e.resource_type}
            for e in events]


def described(events: list[dict[str, Any]]) -> list[tuple[str, str, Any]]:
    return [(e["LogicalResourceId"], e["ResourceStatus"], e["Timestamp"]) for e in events]


def followed(events: list[Progress]) -> list[tuple[str, str, Any]]:
    return [(e.logical_id, e.status, e.timestamp) for e in events]


def template_resources() -> dict[str, Any]:
    body = target.client("cloudformation").get_template(StackName=STACK)["TemplateBody"]
    return (json.loads(body) if isinstance(body, str) else body)["Resources"]


def cli_counts(lines: list[str]) -> list[tuple[int, int | None]]:
    return [(e.done, e.total) for e in map(parse_progress, lines) if e is not None and e.done is not None]


def test_a_first_deploy_is_followed_event_by_event_in_dependency_order(deploy):
    display, lines = deploy()

    assert display.finished == (True, "done")
    assert followed(display.events) == described(chronological(target.client("cloudformation"), STACK))
    resources = template_resources()
    assert_created_in_dependency_order(as_stack_events(display.events), resources)
    last = display.events[-1]
    assert (last.status, last.done, last.total) == ("CREATE_COMPLETE", len(resources) + 1, len(resources) + 1)
    assert cli_counts(lines)[-1] == (last.done, last.total) == (display.expected_total,) * 2
    started = [e.logical_id for e in display.events if e.status == "CREATE_IN_PROGRESS" and not e.is_stack]
    assert [step.logical_id for step in resource_steps(display.events)] == started  # the view's order


def test_a_third_vendor_is_followed_from_the_updates_first_event_to_its_last(deploy):
    recipients = {**CONTEXT["recipients"], "Hertz": {"base_rate": "105"}}
    display, lines = deploy({"recipients": recipients})

    update = since_last(chronological(target.client("cloudformation"), STACK), "UPDATE_IN_PROGRESS")
    assert followed(display.events) == described(update)
    resources = template_resources()
    added = {logical_id for logical_id in resources if "Hertz" in logical_id}
    assert added and {e.logical_id for e in display.events if e.status == "CREATE_COMPLETE"} == added
    assert_created_in_dependency_order(as_stack_events(display.events), resources, added)
    last = display.events[-1]
    changed = {e.logical_id for e in display.events if not e.is_stack}
    assert (last.status, last.done, last.total) == ("UPDATE_COMPLETE", len(changed) + 1, len(changed) + 1)
    assert cli_counts(lines)[-1][0] == last.done  # the CLI counts alike (its total reserves one more for an update)
