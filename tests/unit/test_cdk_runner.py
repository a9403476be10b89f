"""The CDK runner with a fake subprocess: command lines, the synth cache, outputs and failure messages."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from workshop_utils.cloud import target
from workshop_utils.deploy import cdk, stack_follower
from workshop_utils.deploy.progress import NullProgress, WidgetProgress, parse_progress
from workshop_utils.repo import REPO_ROOT

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "cdk_output"
LOCAL_ENV = {"PATH": os.environ.get("PATH", ""), "CDK_DEFAULT_ACCOUNT": "123456789012", "AWS_REGION": "us-east-1"}


class FakeCli:
    """Stands in for subprocess.Popen: records each command and replays canned output per verb."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.calls: list[dict] = []
        self.replies: dict[str, tuple[list[str], int]] = {}

    def reply(self, verb: str, fixture: str | list[str], returncode: int = 0) -> None:
        lines = fixture if isinstance(fixture, list) else (FIXTURES / fixture).read_text().splitlines()
        self.replies[verb] = (lines, returncode)

    def verbs(self) -> list[str]:
        return [call["argv"][1] for call in self.calls]

    def __call__(self, argv, **kwargs):
        self.calls.append({"argv": list(argv), **kwargs})
        verb = argv[1]
        lines, returncode = self.replies.get(verb, ([], 0))
        if verb == "synth" and returncode == 0:
            self._write_assembly(Path(argv[argv.index("--output") + 1]))
        if verb == "deploy" and returncode == 0:
            stack = argv[2]
            outputs = Path(argv[argv.index("--outputs-file") + 1])
            outputs.write_text(json.dumps({stack: {"QueueUrl": f"http://queue/{stack}"}}))
        return FakeProcess(lines, returncode)

    def _write_assembly(self, out: Path) -> None:
        out.mkdir(parents=True, exist_ok=True)
        artifacts = {}
        for stack, resources in (("StackA", 3), ("StackB", 1)):
            (out / f"{stack}.template.json").write_text(
                json.dumps({"Resources": {f"R{i}": {"Type": "AWS::SQS::Queue"} for i in range(resources)}})
            )
            artifacts[stack] = {
                "type": "aws:cloudformation:stack",
                "properties": {"templateFile": f"{stack}.template.json"},
            }
        (out / "manifest.json").write_text(json.dumps({"artifacts": artifacts}))


class FakeProcess:
    def __init__(self, lines: list[str], returncode: int) -> None:
        self.stdout = iter(line + "\n" for line in lines)
        self.returncode = returncode
        self.terminated = False

    def wait(self, timeout=None):
        return self.returncode

    def terminate(self):
        self.terminated = True

    def kill(self):
        self.terminated = True


@pytest.fixture(autouse=True)
def local_target(monkeypatch):
    for name in ("WORKSHOP_TARGET", "WORKSHOP_ENDPOINT_URL", "LOCAL_CLOUD_PORT"):
        monkeypatch.delenv(name, raising=False)
    target.reset()
    yield
    target.reset()


@pytest.fixture
def repo(tmp_path):
    """A repo root with an infra/ app, cdk.json and a CLI file (never executed: the subprocess is fake)."""
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "app.py").write_text("print('app')\n")
    (tmp_path / "lambdas" / "aggregator").mkdir(parents=True)
    (tmp_path / "lambdas" / "aggregator" / "app.py").write_text("def handler(e, c): return e\n")
    (tmp_path / "cdk.json").write_text(json.dumps({"context": {"recipients": {"Avis": {"base_rate": "99"}}}}))
    cli = tmp_path / "node_modules" / ".bin" / "cdk"
    cli.parent.mkdir(parents=True)
    cli.write_text("#!/usr/bin/env node\n")
    return tmp_path


@pytest.fixture
def fake(repo):
    return FakeCli(repo)


@pytest.fixture
def preflights():
    return []


@pytest.fixture
def runner(repo, fake, preflights, monkeypatch):
    monkeypatch.setattr(target, "local_cloud_status", lambda: None)
    return cdk.CdkRunner(
        root=repo,
        python="/opt/py 3/bin/python",
        popen=fake,
        env=lambda: dict(LOCAL_ENV),
        display=NullProgress,
        preflight=preflights.append,
    )


def quiet(_line: str) -> None:
    pass


# ---------------------------------------------------------------- command lines


def test_synth_runs_the_kernels_python_with_context_overrides_as_json(runner, fake, repo):
    runner.synth({"recipients": {"Avis": {"base_rate": "99"}}, "mode": "fast", "window": 2}, on_line=quiet)
    call = fake.calls[0]
    argv = call["argv"]
    assert argv[:2] == [str(repo / "node_modules" / ".bin" / "cdk"), "synth"]
    assert argv[argv.index("--app") + 1] == "'/opt/py 3/bin/python' -m infra.app"
    assert argv[argv.index("--output") + 1] == str(repo / "cdk.out")
    assert {"--quiet", "--ci", "--no-color", "--no-notices"} <= set(argv)
    contexts = [argv[i + 1] for i, arg in enumerate(argv) if arg == "-c"]
    assert contexts == ["mode=fast", 'recipients={"Avis":{"base_rate":"99"}}', "window=2"]
    assert call["cwd"] == str(repo)
    assert call["stderr"] == subprocess.STDOUT
    assert call["env"]["CDK_DEFAULT_ACCOUNT"] == "123456789012"
    assert call["env"]["CDK_DISABLE_VERSION_CHECK"] == "1"


def test_deploy_reuses_the_assembly_with_events_and_an_outputs_file(runner, fake, repo, preflights):
    outputs = runner.deploy("StackA", on_line=quiet)
    assert fake.verbs() == ["synth", "deploy"]
    argv = fake.calls[1]["argv"]
    assert argv[2] == "StackA"
    assert argv[argv.index("--app") + 1] == str(repo / "cdk.out")
    assert argv[argv.index("--progress") + 1] == "events"
    assert argv[argv.index("--require-approval") + 1] == "never"
    assert argv[argv.index("--outputs-file") + 1] == str(repo / "build" / "cdk-outputs-StackA.json")
    assert "-c" not in argv and "--method" not in argv
    assert outputs == {"QueueUrl": "http://queue/StackA"}
    assert preflights == ["deploy"]


def test_deploy_method_is_passed_through(runner, fake):
    runner.deploy("StackA", on_line=quiet, method="direct")
    argv = fake.calls[-1]["argv"]
    assert argv[argv.index("--method") + 1] == "direct"


def test_destroy_uses_the_existing_assembly_and_forces(runner, fake, repo):
    runner.synth(on_line=quiet)
    runner.destroy("StackB", on_line=quiet)
    assert fake.verbs() == ["synth", "destroy"]
    argv = fake.calls[-1]["argv"]
    assert argv[2] == "StackB" and "--force" in argv
    assert argv[argv.index("--app") + 1] == str(repo / "cdk.out")
    assert "--progress" not in argv  # destroy rejects it


def test_destroy_without_an_assembly_synthesizes_first(runner, fake):
    runner.destroy("StackA", on_line=quiet)
    assert fake.verbs() == ["synth", "destroy"]


def test_destroy_forgets_the_outputs_file(runner, fake, repo):
    runner.deploy("StackA", on_line=quiet)
    assert (repo / "build" / "cdk-outputs-StackA.json").exists()
    runner.destroy("StackA", on_line=quiet)
    assert not (repo / "build" / "cdk-outputs-StackA.json").exists()


def test_diff_returns_the_cli_text(runner, fake):
    fake.reply("diff", "diff.txt")
    text = runner.diff("StackA", {"extra": True}, on_line=quiet)
    assert "[+] AWS::SQS::Queue BrokenQueue BrokenQueue" in text
    assert "Number of stacks with differences: 1" in text
    assert fake.verbs() == ["synth", "diff"]
    assert "-c" in fake.calls[0]["argv"]
    argv = fake.calls[1]["argv"]
    assert argv[argv.index("--method") + 1] == "template"  # on an emulator


def test_diff_on_aws_uses_the_clis_change_set_diff(runner, fake, monkeypatch):
    monkeypatch.setattr(target, "current", lambda: "aws")
    runner.diff("StackA", on_line=quiet)
    assert "--method" not in fake.calls[-1]["argv"]


def test_bootstrap_names_the_environment_and_runs_away_from_cdk_json(runner, fake, repo, monkeypatch):
    monkeypatch.setattr(target, "current", lambda: "local")
    fake.reply("bootstrap", "bootstrap.txt")
    runner.bootstrap(on_line=quiet)
    call = fake.calls[0]
    assert call["argv"][1:3] == ["bootstrap", "aws://123456789012/us-east-1"]
    assert "--app" not in call["argv"]
    assert not (Path(call["cwd"]) / "cdk.json").exists()


def test_deploys_destroys_and_bootstraps_are_followed_through_their_stacks_own_events(runner, fake, monkeypatch):
    monkeypatch.setattr(target, "current", lambda: "local")
    assert runner.follow is None  # a faked CLI: its canned lines move the bar
    followed: list[tuple[str, type]] = []

    def follow(display, stack):
        followed.append((stack, type(display)))
        return display

    runner.follow = follow
    runner.deploy("StackA", on_line=quiet)
    runner.diff("StackA", on_line=quiet)
    runner.destroy("StackA", on_line=quiet)
    runner.bootstrap(on_line=quiet)

    assert followed == [("StackA", NullProgress), ("StackA", NullProgress), ("CDKToolkit", NullProgress)]
    assert cdk.runner().follow is stack_follower.following  # the CLI run for real is followed


# ---------------------------------------------------------------- the synth cache


def test_synth_is_not_repeated_while_nothing_changed(runner, fake):
    runner.deploy("StackA", on_line=quiet)
    runner.deploy("StackB", on_line=quiet)
    runner.diff("StackA", on_line=quiet)
    runner.synth(on_line=quiet)
    assert fake.verbs().count("synth") == 1


@pytest.mark.parametrize(
    "change",
    [
        lambda repo: (repo / "infra" / "app.py").write_text("print('changed')\n"),
        lambda repo: (repo / "lambdas" / "aggregator" / "new.py").write_text("X = 1\n"),
        lambda repo: (repo / "cdk.json").write_text("{}"),
    ],
    ids=["infra", "lambdas", "cdk.json"],
)
def test_a_source_change_synthesizes_again(runner, fake, repo, change):
    runner.synth(on_line=quiet)
    change(repo)
    runner.deploy("StackA", on_line=quiet)
    assert fake.verbs() == ["synth", "synth", "deploy"]


def test_bytecode_caches_do_not_count_as_changes(runner, fake, repo):
    runner.synth(on_line=quiet)
    (repo / "infra" / "__pycache__").mkdir()
    (repo / "infra" / "__pycache__" / "app.cpython-311.pyc").write_bytes(b"\0")
    runner.synth(on_line=quiet)
    assert fake.verbs() == ["synth"]


def test_other_context_synthesizes_again_and_back_again(runner, fake):
    runner.deploy("StackA", {"recipients": {"Avis": {"base_rate": "99"}}}, on_line=quiet)
    runner.deploy("StackA", {"recipients": {"Avis": {"base_rate": "99"}}}, on_line=quiet)
    runner.deploy("StackA", {"recipients": {"Hertz": {"base_rate": "70"}}}, on_line=quiet)
    runner.deploy("StackA", on_line=quiet)
    assert fake.verbs().count("synth") == 3


def test_another_target_synthesizes_again(runner, fake, repo):
    runner.synth(on_line=quiet)
    runner._env = lambda: {"PATH": LOCAL_ENV["PATH"], "AWS_REGION": "eu-west-1"}
    runner.synth(on_line=quiet)
    assert fake.verbs() == ["synth", "synth"]


def test_the_cache_survives_a_new_kernel(runner, fake, repo, preflights):
    runner.synth(on_line=quiet)
    again = cdk.CdkRunner(
        root=repo,
        python=runner.python,
        popen=fake,
        env=lambda: dict(LOCAL_ENV),
        display=NullProgress,
        preflight=preflights.append,
    )
    assert again.is_synth_current()
    again.synth(on_line=quiet)
    assert fake.verbs() == ["synth"]


def test_force_synthesizes_anyway(runner, fake):
    runner.synth(on_line=quiet)
    runner.synth(on_line=quiet, force=True)
    assert fake.verbs() == ["synth", "synth"]


def test_a_failed_synth_is_not_cached(runner, fake):
    fake.reply("synth", "synth_failed.txt", returncode=1)
    with pytest.raises(cdk.CdkCommandFailed):
        runner.synth(on_line=quiet)
    fake.reply("synth", [], returncode=0)
    runner.synth(on_line=quiet)
    assert fake.verbs() == ["synth", "synth"]


def test_the_expected_total_comes_from_the_template(runner):
    runner.synth(on_line=quiet)
    assert runner.expected_total("StackA") == 4  # 3 resources + the stack, as the CLI counts
    assert runner.expected_total("Missing") is None


# ---------------------------------------------------------------- streaming and failures


def test_every_line_is_streamed_as_it_comes(runner, fake):
    fake.reply("deploy", "deploy_ok.txt")
    seen = []
    runner.deploy("StackA", on_line=seen.append)
    expected = (FIXTURES / "deploy_ok.txt").read_text().splitlines()
    assert seen[-len(expected) :] == expected


def test_the_default_on_line_prints_what_a_learner_should_read(runner, fake, capsys):
    fake.reply("deploy", "deploy_ok.txt")
    runner.deploy("StackA")
    printed = capsys.readouterr().out
    assert "Time (UTC)" in printed and "01:51:04    CREATE_COMPLETE" in printed and "✅  TinyStack" in printed
    assert "feature flags" not in printed and "Stack ARN" not in printed and "Publishing" not in printed


def test_the_cli_runs_in_utc_whatever_the_machines_time_zone(runner, fake, monkeypatch):
    runner._env = lambda: {**LOCAL_ENV, "TZ": "Europe/Paris"}
    runner.synth(on_line=quiet)
    assert fake.calls[-1]["env"]["TZ"] == "UTC"


def test_a_failing_deploy_names_the_resource_and_reason(runner, fake):
    fake.reply("deploy", "deploy_failed_aws_style.txt", returncode=1)
    with pytest.raises(cdk.CdkCommandFailed) as raised:
        runner.deploy("ScatterGatherWithSNSStack", on_line=quiet)
    error = raised.value
    message = str(error)
    assert message.startswith(
        "`cdk deploy ScatterGatherWithSNSStack` failed: Aggregator (AWS::Lambda::Function) CREATE_FAILED: "
        "Resource handler returned message: \"Value python3.99 at 'runtime' failed to satisfy constraint"
    )
    assert message.endswith("; fix the cause, then re-run this cell.")
    assert error.returncode == 1
    assert error.failures[0].resource == "Aggregator"
    assert error.cause.startswith("Aggregator (AWS::Lambda::Function)")
    assert error.output[-1].startswith("‣ DeploymentError")


def test_a_deploy_refused_before_any_event_gives_the_cause(runner, fake):
    fake.reply("deploy", "deploy_failed.txt", returncode=1)
    with pytest.raises(cdk.CdkCommandFailed) as raised:
        runner.deploy("TinyFail", on_line=quiet)
    assert str(raised.value) == (
        "`cdk deploy TinyFail` failed: InvalidParameterValue: Queue name must end in .fifo for FIFO queues; "
        "fix the cause, then re-run this cell."
    )


def test_a_synth_failure_stops_the_deploy_with_the_apps_message(runner, fake):
    fake.reply("synth", "synth_failed_recipients.txt", returncode=1)
    with pytest.raises(cdk.CdkCommandFailed) as raised:
        runner.deploy("StackA", {"recipients": {"Avis": {"base_rate": "abc"}}}, on_line=quiet)
    message = str(raised.value)
    assert message.startswith("`cdk synth` failed: The 'recipients' context is invalid: vendor 'Avis'")
    assert message.count("fix it") == 1  # the app's own fix, not a second one
    assert fake.verbs() == ["synth"]


def test_a_traceback_synth_failure_adds_what_to_do(runner, fake):
    fake.reply("synth", "synth_failed.txt", returncode=1)
    with pytest.raises(cdk.CdkCommandFailed, match=r"vendor 'Avis' has no base_rate; fix it in infra/"):
        runner.synth(on_line=quiet)


def test_an_unexplained_failure_points_at_the_output(runner, fake):
    fake.reply("destroy", ["", "   "], returncode=3)
    with pytest.raises(cdk.CdkCommandFailed, match=r"\(exit code 3\); read the output above"):
        runner.destroy("StackA", on_line=quiet)


def test_an_unreachable_local_cloud_gives_the_start_command(runner, fake, monkeypatch):
    monkeypatch.setattr(target, "current", lambda: "local")
    monkeypatch.setattr(target, "endpoint_override", lambda: None)
    fake.reply("deploy", ["❌  StackA failed to deploy", "‣ Error: connect ECONNREFUSED 127.0.0.1:4566"], 1)
    with pytest.raises(cdk.CdkCommandFailed, match=r"the local cloud is not answering: run `make cloud-start`"):
        runner.deploy("StackA", on_line=quiet)


def test_a_missing_cli_says_to_run_make_setup(runner, repo):
    (repo / "node_modules" / ".bin" / "cdk").unlink()
    with pytest.raises(cdk.CdkCliMissing, match=r"node_modules/.bin/cdk\) is not installed: run `make setup`"):
        runner.synth(on_line=quiet)


def test_missing_node_says_to_install_it(runner):
    runner._env = lambda: {"PATH": "/nonexistent"}
    with pytest.raises(cdk.CdkCliMissing, match=r"^Node.js was not found on the PATH: install Node.js"):
        runner.synth(on_line=quiet)


def test_a_cli_notice_is_never_given_as_the_cause(runner, fake):
    fake.reply("deploy", ["85 feature flags are not configured. Run 'cdk flags --unstable=flags' to learn more.",
                          "Stack ARN:"], returncode=1)
    with pytest.raises(cdk.CdkCommandFailed) as raised:
        runner.deploy("StackA", on_line=quiet)
    assert "feature flags" not in str(raised.value)


def test_an_interrupted_command_stops_the_cli(runner, fake):
    processes = []

    def popen(argv, **kwargs):
        process = FakeProcess(["one", "two"], 0)
        processes.append(process)
        return process

    runner._popen = popen

    def interrupt(line):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        runner.synth(on_line=interrupt)
    assert processes[0].terminated


# ---------------------------------------------------------------- outputs


def test_outputs_come_from_the_file_the_deploy_wrote(runner, fake, monkeypatch):
    runner.deploy("StackA", on_line=quiet)

    def no_cloudformation(_service):
        raise AssertionError("the outputs file should have been enough")

    monkeypatch.setattr(target, "client", no_cloudformation)
    assert runner.outputs("StackA") == {"QueueUrl": "http://queue/StackA"}


class FakeCloudFormation:
    def __init__(self, outputs=None):
        self.outputs = outputs

    def describe_stacks(self, StackName):
        from botocore.exceptions import ClientError

        if self.outputs is None:
            raise ClientError(
                {"Error": {"Code": "ValidationError", "Message": f"Stack with id {StackName} does not exist"}},
                "DescribeStacks",
            )
        return {"Stacks": [{"StackName": StackName, "Outputs": self.outputs}]}


def test_outputs_fall_back_to_cloudformation(runner, monkeypatch):
    fake_cfn = FakeCloudFormation([{"OutputKey": "TopicArn", "OutputValue": "arn:aws:sns:us-east-1:1:t"}])
    monkeypatch.setattr(target, "client", lambda service: fake_cfn)
    assert runner.outputs("StackA") == {"TopicArn": "arn:aws:sns:us-east-1:1:t"}


def test_outputs_written_for_another_target_are_not_trusted(runner, fake, monkeypatch):
    runner.deploy("StackA", on_line=quiet)
    monkeypatch.setattr(target, "current", lambda: "aws")
    monkeypatch.setattr(target, "describe", lambda: target.TargetInfo("aws", None, "eu-west-1", "999999999999"))
    monkeypatch.setattr(target, "client", lambda service: FakeCloudFormation([]))
    assert runner.outputs("StackA") == {}


def test_outputs_of_a_stack_that_is_not_deployed_say_to_deploy_it(runner, monkeypatch):
    monkeypatch.setattr(target, "client", lambda service: FakeCloudFormation(None))
    with pytest.raises(cdk.StackNotDeployed, match=r"^StackA is not deployed on the local target: run its deploy cell"):
        runner.outputs("StackA")


# ---------------------------------------------------------------- bootstrap on demand


def test_ensure_bootstrapped_bootstraps_the_local_cloud_once(runner, fake, monkeypatch):
    state = {"bootstrapped": False}
    monkeypatch.setattr(target, "check", lambda **kwargs: target.describe())
    monkeypatch.setattr(target, "is_bootstrapped", lambda: state["bootstrapped"])
    fake.reply("bootstrap", "bootstrap.txt")
    assert runner.ensure_bootstrapped(on_line=quiet) is True
    state["bootstrapped"] = True
    assert runner.ensure_bootstrapped(on_line=quiet) is False
    assert fake.verbs() == ["bootstrap"]


def test_ensure_bootstrapped_never_bootstraps_a_real_account(runner, fake, monkeypatch):
    monkeypatch.setattr(target, "current", lambda: "aws")
    monkeypatch.setattr(target, "endpoint_override", lambda: None)
    monkeypatch.setattr(target, "is_bootstrapped", lambda: False)

    def check(require_bootstrap=True):
        if require_bootstrap:
            raise target.TargetNotReady("Account 1 is not bootstrapped in us-east-1: run `npx cdk bootstrap`.")
        return target.TargetInfo("aws", None, "us-east-1", "1")

    monkeypatch.setattr(target, "check", check)
    with pytest.raises(target.TargetNotReady, match="npx cdk bootstrap"):
        runner.ensure_bootstrapped(on_line=quiet)
    assert fake.calls == []


# ---------------------------------------------------------------- the widget display


def test_the_widget_bar_follows_the_counters_and_ends_green():
    display = WidgetProgress()
    display.start("cdk deploy TinyStack", expected_total=4)
    for line in (FIXTURES / "deploy_ok.txt").read_text().splitlines():
        event = parse_progress(line)
        if event:
            display.update(event)
    assert (display.bar.value, display.bar.max) == (1, 4)
    assert "cdk deploy TinyStack · 1/3 resources · 0:0" in display.label.value
    display.finish(True, "done")
    assert (display.bar.value, display.bar.bar_style) == (4, "success")


def test_a_command_without_resources_does_not_count_any():
    display = WidgetProgress()
    display.start("cdk synth")
    display.finish(True, "done")
    assert "resources" not in display.label.value
    assert display.label.value.startswith("cdk synth · 0:0") and display.label.value.endswith(" · done")
    assert display.bar.value == display.bar.max and display.bar.bar_style == "success"


def test_the_widget_bar_turns_red_with_the_cause():
    display = WidgetProgress()
    display.start("cdk deploy S")
    display.finish(False, "Aggregator (AWS::Lambda::Function) CREATE_FAILED: boom")
    assert display.bar.bar_style == "danger"
    assert display.label.value.endswith("Aggregator (AWS::Lambda::Function) CREATE_FAILED: boom")


def test_the_module_functions_use_the_pinned_cli_and_the_kernels_python():
    default = cdk.runner()
    assert default.cli == REPO_ROOT / "node_modules" / ".bin" / "cdk"
    assert default.app_command() == f"{sys.executable} -m infra.app"
