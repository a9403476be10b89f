"""ready(): what each notebook needs, and what is started, bootstrapped or deployed to get there (fakes, no cloud)."""

from __future__ import annotations

from dataclasses import dataclass, field

import nbformat
import pytest

from workshop_utils.cloud import stacks, target
from workshop_utils.cloud.stacks import PARALLEL_STACK, SNS_STACK
from workshop_utils.deploy import cdk
from workshop_utils.local_cloud import service
from workshop_utils.teaching import readiness
from workshop_utils.teaching.readiness import NOTEBOOK_NEEDS, Needs, NotReady
from workshop_utils.tools.run_notebooks import NOTEBOOK_DIR


@dataclass
class FakeCloud:
    """The target as ready() sees it; records every start, bootstrap and deploy."""

    name: str = "local"
    running: bool = False
    bootstrapped: bool = False
    deployed: set[str] = field(default_factory=set)
    calls: list[str] = field(default_factory=list)
    check_error: str | None = None

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(target, "current", lambda: self.name)
        monkeypatch.setattr(target, "endpoint_override", lambda: None)
        monkeypatch.setattr(target, "check", self.check)
        monkeypatch.setattr(target, "describe", lambda: target.TargetInfo(self.name, None, "eu-west-1", "1"))
        monkeypatch.setattr(service, "status", lambda: service.Status(self.running, self.running))
        monkeypatch.setattr(service, "start", self.start)
        monkeypatch.setattr(cdk, "ensure_bootstrapped", self.ensure_bootstrapped)
        monkeypatch.setattr(cdk, "deploy", self.deploy)
        monkeypatch.setattr(stacks, "is_deployed", lambda stack: stack in self.deployed)

    def check(self, *, require_bootstrap: bool = True) -> None:
        if self.check_error:
            raise target.TargetNotReady(self.check_error)
        if require_bootstrap and not self.bootstrapped:
            raise target.TargetNotReady("Account 1 is not bootstrapped: run `npx cdk bootstrap aws://1/eu-west-1`.")

    def start(self, port: int, progress: object = None) -> service.Status:
        self.calls.append("start")
        self.running = True
        return service.Status(True, True)

    def ensure_bootstrapped(self, **_options: object) -> bool:
        if self.bootstrapped:
            return False
        self.calls.append("bootstrap")
        self.bootstrapped = True
        return True

    def deploy(self, stack: str, **_options: object) -> dict:
        self.calls.append(f"deploy {stack}")
        self.deployed.add(stack)
        return {}


@pytest.fixture
def cloud(monkeypatch):
    fake = FakeCloud()
    fake.install(monkeypatch)
    return fake


def test_cold_local_target_is_started_bootstrapped_and_deployed_and_says_so(cloud):
    said = []
    report = readiness.ready(readiness.needs_of("03_side_by_side"), say=said.append)
    assert cloud.calls == ["start", "bootstrap", f"deploy {PARALLEL_STACK}", f"deploy {SNS_STACK}"]
    line = report.summary()
    assert line.startswith("Target local: Local cloud started; bootstrapped; deployed ScatterGatherWithParallelStack (")
    assert f"deployed {SNS_STACK} (" in line and line.endswith(" s).")
    assert len(said) == 2 and all("default vendors" in text for text in said)


def test_nothing_is_done_when_all_is_in_place(cloud):
    cloud.running, cloud.bootstrapped, cloud.deployed = True, True, {PARALLEL_STACK, SNS_STACK}
    report = readiness.ready(readiness.needs_of("02b"), say=pytest.fail)
    assert cloud.calls == []
    assert report.summary() == (
        f"Target local: All in place (local cloud running, bootstrapped, {PARALLEL_STACK} deployed, "
        f"{SNS_STACK} deployed)."
    )


def test_a_missing_stack_is_deployed_alone(cloud):
    cloud.running, cloud.bootstrapped, cloud.deployed = True, True, {PARALLEL_STACK}
    readiness.ready(readiness.needs_of("03"), say=lambda _text: None)
    assert cloud.calls == [f"deploy {SNS_STACK}"]


@pytest.mark.parametrize("key", ["01", "02", "02a"])
def test_a_deploy_the_notebook_teaches_is_left_to_the_notebook(cloud, key):
    report = readiness.ready(readiness.needs_of(key), say=pytest.fail)
    assert cloud.calls == ["start", "bootstrap"]
    assert "this notebook's deploy cell deploys" in report.summary()


def test_setup_notebook_needs_nothing(cloud):
    report = readiness.ready(readiness.needs_of("00"))
    assert cloud.calls == []
    assert report.summary() == "Nothing to prepare: this notebook sets up the target itself."


def test_cleanup_starts_the_local_cloud_but_bootstraps_and_deploys_nothing(cloud):
    report = readiness.ready(readiness.needs_of("99"))
    assert cloud.calls == ["start"]
    assert report.summary() == "Target local: Local cloud started."


def test_on_aws_missing_stacks_are_named_with_the_call_that_deploys_them_and_nothing_is_deployed(cloud):
    cloud.name, cloud.bootstrapped, cloud.deployed = "aws", True, {PARALLEL_STACK}
    with pytest.raises(NotReady) as raised:
        readiness.ready(readiness.needs_of("03"), how_to_deploy='ws.ready_for("03", deploy_on_aws=True) in this cell')
    message = str(raised.value)
    assert message.startswith(f"{SNS_STACK} is not deployed on AWS") and "billable" in message
    assert message.endswith('run ws.ready_for("03", deploy_on_aws=True) in this cell.')
    assert cloud.calls == []
    assert raised.value._render_traceback_() == [f"NotReady: {message}"]


def test_on_aws_a_deploy_the_learner_asked_for_is_announced_first(cloud):
    cloud.name, cloud.bootstrapped = "aws", True
    said = []
    report = readiness.ready(Needs(stacks=(SNS_STACK,)), deploy_on_aws=True, say=said.append)
    assert said == [f"Deploying {SNS_STACK} with the default vendors to aws (eu-west-1)..."]
    assert cloud.calls == [f"deploy {SNS_STACK}"]
    assert report.summary().startswith(f"Target aws: Deployed {SNS_STACK} (")


def test_on_aws_the_learner_bootstraps(cloud):
    cloud.name = "aws"
    with pytest.raises(NotReady, match="npx cdk bootstrap"):
        readiness.ready(readiness.needs_of("03"))
    assert cloud.calls == []


def test_a_target_that_cannot_be_reached_ends_in_its_one_sentence(cloud):
    cloud.running = True
    cloud.check_error = "AWS cannot be reached: check the network connection and re-run this cell."
    with pytest.raises(NotReady, match="^AWS cannot be reached"):
        readiness.ready(readiness.needs_of("03"))


def test_unknown_notebook_names_the_known_ones():
    with pytest.raises(ValueError, match="pass one of 00, 01, 02, 02a, 02b, 03, 99"):
        readiness.needs_of("04_extra")
    assert readiness.notebook_key("notebooks/02b_aggregator_and_failures.ipynb") == "02b"


def test_every_notebook_first_code_cell_makes_itself_ready():
    for path in sorted(NOTEBOOK_DIR.glob("[0-9]*.ipynb")):
        key = path.stem.split("_", 1)[0]
        assert key in NOTEBOOK_NEEDS, path.name
        first = next(cell for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code")
        assert first.source.startswith("import workshop_utils.notebook as ws\n"), path.name
        assert f'ws.ready_for("{key}")' in first.source, path.name


def test_from_a_terminal_it_prints_the_line_or_the_sentence(cloud, capsys):
    cloud.running, cloud.bootstrapped, cloud.deployed = True, True, {PARALLEL_STACK, SNS_STACK}
    assert readiness.main(["03"]) == 0
    assert capsys.readouterr().out.startswith("Target local: All in place (")
    cloud.name, cloud.deployed = "aws", set()
    assert readiness.main(["03"]) == 1
    assert "run `python -m workshop_utils.teaching.readiness 03 --deploy-on-aws`." in capsys.readouterr().err
