"""The wiring read from both stacks deployed on a private local cloud equals the synthesized template's, both ways.

One deployment for the module: cdk.json's two vendors first, then a third vendor (one more synth and update).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from workshop_utils.cloud import stacks, target
from workshop_utils.cloud.wiring import read_deployed
from workshop_utils.deploy import cdk
from workshop_utils.render import architecture_svg
from workshop_utils.wiring import Wiring, from_template

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_aggregator_support import require_cdk_cli  # noqa: E402

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
RECIPIENTS = json.loads((REPO / "cdk.json").read_text())["context"]["recipients"]
THREE = {**RECIPIENTS, "Hertz": {"base_rate": "105"}}
READ_FROM = {
    stacks.SNS_STACK: "the deployed subscriptions, destinations, event sources, redrive policies and IAM policies",
    stacks.PARALLEL_STACK: "the deployed destinations, event sources, state machine definitions and IAM policies",
}


@pytest.fixture(scope="module")
def runner(workshop_cloud, tmp_path_factory: pytest.TempPathFactory) -> Iterator[cdk.CdkRunner]:
    """workshop_utils.deploy.cdk as the notebooks call it, assembling into a folder of the module's own."""
    require_cdk_cli()
    assert workshop_cloud.healthy and workshop_cloud.port != target.LOCAL_CLOUD_DEFAULT_PORT
    work = tmp_path_factory.mktemp("cdk-wiring")
    runner = cdk.CdkRunner()
    runner.assembly, runner.build = work / "cdk.out", work / "build"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cdk, "_runner", runner)
        cdk.bootstrap()
        yield runner


def deploy_and_read(runner: cdk.CdkRunner, recipients: dict | None) -> dict[str, tuple[Wiring, Wiring]]:
    """Deploy both stacks; for each, (the wiring read from the deployment, the wiring of the template deployed)."""
    context = None if recipients is None else {"recipients": recipients}
    found = {}
    for stack in stacks.STACKS:
        cdk.deploy(stack, context)
        template = json.loads((runner.assembly / f"{stack}.template.json").read_text())
        found[stack] = (read_deployed(stack), from_template(template, stack))
    return found


@pytest.fixture(scope="module")
def two_vendors(runner: cdk.CdkRunner) -> dict[str, tuple[Wiring, Wiring]]:
    return deploy_and_read(runner, None)


@pytest.fixture(scope="module")
def three_vendors(runner: cdk.CdkRunner, two_vendors) -> dict[str, tuple[Wiring, Wiring]]:
    return deploy_and_read(runner, THREE)


def assert_same_wiring(deployed: Wiring, template: Wiring, vendors: int) -> None:
    labels = {node.key: node.label for node in template.nodes}
    missing = sorted(template.edge_set() - deployed.edge_set())
    extra = sorted(deployed.edge_set() - template.edge_set())
    assert not missing, f"in the template, not read from the deployment: {missing}"
    assert not extra, f"read from the deployment, not in the template: {extra}"
    assert {n.key: n.label for n in deployed.nodes} == labels
    assert [n.vendor for n in deployed.nodes if n.role == "responder"] == sorted(THREE if vendors == 3 else RECIPIENTS)
    assert all(node.name for node in deployed.nodes)  # the physical names, for the cards


@pytest.mark.parametrize("stack", stacks.STACKS)
def test_the_deployed_wiring_of_two_vendors_is_the_templates(two_vendors, stack):
    deployed, template = two_vendors[stack]
    assert_same_wiring(deployed, template, 2)
    assert len(deployed.edges) == (14 if stack == stacks.SNS_STACK else 3)
    assert deployed.read_from == READ_FROM[stack]  # the caption says what was read, and only that
    assert deployed.notes == []


def test_the_diagram_draws_the_deployed_edges(two_vendors):
    deployed, _template = two_vendors[stacks.SNS_STACK]
    svg = architecture_svg(deployed)
    assert svg.count('class="link"') == len(deployed.edges)


@pytest.mark.parametrize("stack", stacks.STACKS)
def test_the_deployed_wiring_of_three_vendors_is_the_templates(three_vendors, stack):
    deployed, template = three_vendors[stack]
    assert_same_wiring(deployed, template, 3)
    assert len(deployed.edges) == (17 if stack == stacks.SNS_STACK else 4)
