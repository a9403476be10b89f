"""The warm synth seen from the runner: the context it passes, its failures in the CLI's sentences, its fallbacks."""

from __future__ import annotations

import json
import os
import sys
import types
from pathlib import Path

import pytest

from workshop_utils.cloud import target
from workshop_utils.deploy import cdk, warm_synth
from workshop_utils.deploy import context as cdk_context
from workshop_utils.deploy.progress import NullProgress

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "cdk_output"
RUNNER_TESTS = Path(__file__).resolve().parent / "test_cdk_runner.py"


def _runner_test_module():
    """The fake CLI of the runner's own tests (one fake, two test files)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("cdk_runner_fakes", RUNNER_TESTS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


fakes = _runner_test_module()
repo = fakes.repo
fake = fakes.fake
local_target = fakes.local_target
quiet = fakes.quiet


class FakeWarm:
    """Stands in for WarmSynth: records each request and writes an assembly (or replies with canned lines)."""

    def __init__(self, cli: fakes.FakeCli) -> None:
        self.cli = cli
        self.requests: list[dict] = []
        self.reply = warm_synth.SynthReply(True)
        self.unavailable = False
        self.stopped = 0
        self.warm_ups: list[dict] = []

    def synth(self, outdir, context, env):
        self.requests.append({"outdir": outdir, "context": dict(context), "env": dict(env)})
        if self.unavailable:
            raise warm_synth.WarmSynthUnavailable("the synth process exited")
        if self.reply.ok:
            self.cli._write_assembly(outdir)
        return self.reply

    def warm_up(self, env, context):
        self.warm_ups.append(dict(context))

    def wait_warm(self, timeout=None):
        self.waited = True

    def stop(self):
        self.stopped += 1


@pytest.fixture
def warm(fake):
    return FakeWarm(fake)


@pytest.fixture
def runner(repo, fake, warm, monkeypatch):
    monkeypatch.setattr(target, "local_cloud_status", lambda: None)
    return cdk.CdkRunner(
        root=repo, popen=fake, env=lambda: dict(fakes.LOCAL_ENV), display=NullProgress, preflight=lambda verb: None,
        warm=warm,
    )


# ---------------------------------------------------------------- the context, as the CLI computes it


def test_the_context_merges_like_the_cli_with_the_command_line_last(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / ".cdk.json").write_text(json.dumps({"context": {"from_user": "u", "shared": "user"}}))
    (tmp_path / "cdk.context.json").write_text(json.dumps({"shared": "context-file", "lookup": {"a": 1}}))
    (tmp_path / "cdk.json").write_text(json.dumps({
        "versionReporting": False, "context": {"shared": "cdk.json", "lookup": {"b": 2}, "recipients": {"A": {}}}}))

    context = cdk_context.cli_context(tmp_path, {"recipients": '{"Hertz":{"base_rate":"70"}}'}, home=home)

    assert context["from_user"] == "u" and context["shared"] == "cdk.json"
    assert context["lookup"] == {"a": 1, "b": 2}
    assert context["recipients"] == '{"Hertz":{"base_rate":"70"}}'  # a string, as `-c` passes it
    assert context["aws:cdk:disable-version-reporting"] is True and "aws:cdk:version-reporting" not in context
    assert context["aws:cdk:enable-path-metadata"] is True and context["aws:cdk:enable-asset-metadata"] is True
    assert context["aws:cdk:bundling-stacks"] == ["**"]


def test_the_switch_turns_it_off():
    assert warm_synth.enabled({})
    assert not warm_synth.enabled({warm_synth.SWITCH: "0"})
    assert not warm_synth.enabled({warm_synth.SWITCH: "off"})


def test_error_annotations_read_as_the_cli_prints_them(tmp_path):
    (tmp_path / "manifest.json").write_text(json.dumps({"artifacts": {"S": {"metadata": {
        "/S/Queue/Resource": [{"type": "aws:cdk:warning", "data": "just a warning"},
                              {"type": "aws:cdk:error", "data": "AwsSolutions-SQS3: no DLQ"}]}}}}))
    assert cdk_context.assembly_errors(tmp_path) == ["[Error at /S/Queue/Resource] AwsSolutions-SQS3: no DLQ"]
    (tmp_path / "manifest.json").write_text(json.dumps({"artifacts": {}}))
    assert cdk_context.assembly_errors(tmp_path) == []


# ---------------------------------------------------------------- the runner with a warm synth


def test_a_deploy_synthesizes_warm_then_deploys_the_assembly_with_the_cli(runner, fake, warm, repo):
    runner.deploy("StackA", {"recipients": {"Hertz": {"base_rate": "70"}}}, on_line=quiet)
    assert fake.verbs() == ["deploy"]
    request = warm.requests[0]
    assert request["outdir"] == repo / "cdk.out"
    assert request["context"]["recipients"] == '{"Hertz":{"base_rate":"70"}}'
    assert request["env"]["CDK_DEFAULT_ACCOUNT"] == "123456789012"
    argv = fake.calls[0]["argv"]
    assert argv[argv.index("--app") + 1] == str(repo / "cdk.out")


def test_the_fingerprint_cache_still_decides(runner, warm, repo):
    runner.deploy("StackA", on_line=quiet)
    runner.diff("StackA", on_line=quiet)
    assert len(warm.requests) == 1
    (repo / "lambdas" / "aggregator" / "app.py").write_text("def handler(e, c): return None\n")
    runner.deploy("StackA", on_line=quiet)
    assert len(warm.requests) == 2


def test_a_deploy_that_needs_no_synth_warms_the_process_up_for_the_next_change(runner, warm):
    runner.synth(on_line=quiet)
    assert warm.warm_ups == []
    runner.deploy("StackA", on_line=quiet)
    assert len(warm.requests) == 1
    assert warm.warm_ups and warm.warm_ups[0]["aws:cdk:enable-path-metadata"] is True


def _cli_failure(fake, repo, fixture: str, context) -> str:
    """The message the CLI path gives for the same failure."""
    fake.reply("synth", fixture, returncode=1)
    cli_runner = cdk.CdkRunner(root=repo, popen=fake, env=lambda: dict(fakes.LOCAL_ENV), display=NullProgress,
                               preflight=lambda verb: None)
    with pytest.raises(cdk.CdkCommandFailed) as raised:
        cli_runner.deploy("StackA", context, on_line=quiet)
    return str(raised.value)


def test_an_invalid_context_gives_the_same_sentence_as_the_cli(runner, fake, warm, repo):
    context = {"recipients": {"Avis": {"base_rate": "abc"}}}
    app_error = (FIXTURES / "synth_failed_recipients.txt").read_text().splitlines()[0]
    warm.reply = warm_synth.SynthReply(False, [app_error])
    seen: list[str] = []
    with pytest.raises(cdk.CdkCommandFailed) as raised:
        runner.deploy("StackA", context, on_line=seen.append)
    assert str(raised.value) == _cli_failure(fake, repo, "synth_failed_recipients.txt", context)
    assert seen == [app_error]
    assert not runner.is_synth_current(context)


def test_a_traceback_in_the_app_gives_the_same_sentence_as_the_cli(runner, fake, warm, repo):
    traceback = (FIXTURES / "synth_failed.txt").read_text().splitlines()[:-1]  # no CLI line: no CLI ran
    warm.reply = warm_synth.SynthReply(False, traceback)
    with pytest.raises(cdk.CdkCommandFailed) as raised:
        runner.synth(on_line=quiet)
    assert str(raised.value) == _cli_failure(fake, repo, "synth_failed.txt", None)
    assert str(raised.value).endswith("fix it in infra/, lambdas/ or cdk.json (or the context you passed), "
                                      "then re-run this cell.")


def test_an_error_annotation_fails_the_synth(runner, warm, repo, monkeypatch):
    monkeypatch.setattr(cdk_context, "assembly_errors", lambda assembly: ["[Error at /StackA/Q] no DLQ"])
    with pytest.raises(cdk.CdkCommandFailed, match=r"^`cdk synth` failed: \[Error at /StackA/Q\] no DLQ; fix it"):
        runner.synth(on_line=quiet)


def test_an_unavailable_warm_synth_falls_back_to_the_cli(runner, fake, warm):
    warm.unavailable = True
    seen: list[str] = []
    runner.deploy("StackA", on_line=seen.append)
    assert fake.verbs() == ["synth", "deploy"]
    assert seen[0].startswith("The warm synth is unavailable (the synth process exited); synthesizing with the CDK")
    assert runner.is_synth_current()


def test_switched_off_the_cli_synthesizes(runner, fake, warm):
    runner._env = lambda: {**fakes.LOCAL_ENV, warm_synth.SWITCH: "0"}
    runner.synth(on_line=quiet)
    assert fake.verbs() == ["synth"] and warm.requests == []


def test_a_missing_cli_is_said_before_synthesizing(runner, warm, repo):
    (repo / "node_modules" / ".bin" / "cdk").unlink()
    with pytest.raises(cdk.CdkCliMissing, match="run `make setup`"):
        runner.synth(on_line=quiet)
    assert warm.requests == []


# ---------------------------------------------------------------- the process's own rules


def test_another_clis_lock_on_the_assembly_is_refused_as_the_cli_refuses_it(tmp_path):
    assert warm_synth._cli_busy(tmp_path) is None
    (tmp_path / "read.999999999.1.lock").write_text("999999999")  # a reader that is gone: stale, ignored
    assert warm_synth._cli_busy(tmp_path) is None
    (tmp_path / f"read.{os.getppid()}.1.lock").write_text(str(os.getppid()))
    assert warm_synth._cli_busy(tmp_path) == (
        f"Other CLIs (PID={os.getppid()}) are currently reading from {tmp_path}. Invoke the CLI in sequence, "
        "or use '--output' to synth into different directories.")


def test_the_server_ends_when_its_kernel_closes_stdin_or_after_idling(monkeypatch):
    import io

    from workshop_utils.deploy import synth_server

    monkeypatch.setitem(sys.modules, "infra.app", types.SimpleNamespace(build_app=None))  # no need for the real one
    replies = io.StringIO()
    synth_server.serve(io.StringIO(""), replies)
    assert json.loads(replies.getvalue())["ready"] is True
    read_end, write_end = os.pipe()  # a kernel that keeps stdin open but sends nothing
    requests = os.fdopen(read_end)
    try:
        synth_server.serve(requests, io.StringIO(), idle_exit_s=0.2)
    finally:
        os.close(write_end)  # first: the server's reading thread gets EOF and lets go of the pipe


def test_runners_of_the_workshop_app_share_the_kernels_warm_synth(repo, fake):
    assert cdk.CdkRunner().warm is warm_synth.shared() is cdk.runner().warm
    assert cdk.CdkRunner(popen=fake).warm is None  # a faked CLI: no real process
    assert cdk.CdkRunner(root=repo).warm is None  # another app (no infra.app.build_app to call)


def test_an_app_that_does_not_import_is_not_served(monkeypatch):
    import io

    from workshop_utils.deploy import synth_server

    monkeypatch.setitem(sys.modules, "infra.app", None)  # what `import` raises ImportError for
    replies = io.StringIO()
    synth_server.serve(io.StringIO('{"outdir": "x", "context": {}}\n'), replies)
    hello = json.loads(replies.getvalue())
    assert hello["ready"] is False and hello["reason"].startswith(("ImportError", "ModuleNotFoundError"))


def test_make_clean_stops_them_by_command(monkeypatch, capsys):
    monkeypatch.setattr(warm_synth, "stop_all", lambda root=None: 2)
    assert warm_synth.main(["stop"]) == 0
    assert capsys.readouterr().out == "Stopped 2 warm synth processes.\n"
    assert warm_synth.main([]) == 2
