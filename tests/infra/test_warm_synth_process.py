"""The real warm synth process: the CLI's assembly, many apps in one process, re-hashed assets, no process left."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

from workshop_utils.deploy import cdk, warm_synth
from workshop_utils.deploy.progress import NullProgress

REPO_ROOT = Path(__file__).resolve().parents[2]
THREE_VENDORS = {
    "recipients": {"Avis": {"base_rate": "99"}, "Alamo": {"base_rate": "120"}, "Hertz": {"base_rate": "70"}}
}
ENV = {
    **os.environ,
    # workshop_utils stays importable from a copy of the app (python -m puts the copy's folder first).
    "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])),
    "CDK_DEFAULT_ACCOUNT": "000000000000",
    "CDK_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
}


@pytest.fixture
def app_copy(tmp_path):
    """infra/, lambdas/ and cdk.json in a folder of their own, to change without touching the repo."""
    root = tmp_path / "app"
    for name in ("infra", "lambdas"):
        shutil.copytree(REPO_ROOT / name, root / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO_ROOT / "cdk.json", root / "cdk.json")
    return root


def _runner(root: Path, assembly: Path, warm: warm_synth.WarmSynth | None) -> cdk.CdkRunner:
    runner = cdk.CdkRunner(root=root, cli=REPO_ROOT / "node_modules" / ".bin" / "cdk", env=lambda: dict(ENV),
                           display=NullProgress, preflight=lambda verb: None, warm=warm)
    runner.assembly = assembly
    return runner


def _asset_hashes(assembly: Path, stack: str) -> set[str]:
    return set(json.loads((assembly / f"{stack}.assets.json").read_text())["files"])


def _gone(pids: list[int]) -> bool:
    processes = []
    for pid in pids:
        try:
            processes.append(psutil.Process(pid))
        except psutil.NoSuchProcess:
            continue
    _gone_ones, alive = psutil.wait_procs(processes, timeout=30)
    return not [process for process in alive if process.status() != psutil.STATUS_ZOMBIE]


@pytest.mark.slow
def test_the_warm_assembly_is_the_one_cdk_synth_writes(tmp_path):
    cli_runner = _runner(REPO_ROOT, tmp_path / "cli", None)
    warm = warm_synth.WarmSynth(root=REPO_ROOT)
    try:
        warm_runner = _runner(REPO_ROOT, tmp_path / "warm", warm)
        cli_runner.synth(THREE_VENDORS, on_line=lambda _line: None)
        warm_runner.synth(THREE_VENDORS, on_line=lambda _line: None)
    finally:
        warm.stop()
    stacks = [path.name for path in (tmp_path / "cli").glob("*.template.json")]
    assert len(stacks) == 2
    # Byte for byte, metadata included: the same context reaches the app by either path.
    for name in ("manifest.json", *stacks, *[s.replace(".template.", ".assets.") for s in stacks]):
        assert (tmp_path / "warm" / name).read_text() == (tmp_path / "cli" / name).read_text(), name


def test_one_process_synthesizes_each_context_and_re_hashes_a_changed_lambda(app_copy, tmp_path):
    warm = warm_synth.WarmSynth(root=app_copy)
    runner = _runner(app_copy, tmp_path / "out", warm)
    try:
        runner.synth(on_line=lambda _line: None)
        pid = warm._process.pid
        two = json.loads((tmp_path / "out" / "ScatterGatherWithParallelStack.template.json").read_text())
        runner.synth(THREE_VENDORS, on_line=lambda _line: None)
        three = json.loads((tmp_path / "out" / "ScatterGatherWithParallelStack.template.json").read_text())
        assert len(three["Resources"]) > len(two["Resources"])
        before = _asset_hashes(tmp_path / "out", "ScatterGatherWithParallelStack")

        handler = next((app_copy / "lambdas").glob("*/app.py"))
        handler.write_text(handler.read_text() + "\n# changed\n")
        runner.synth(THREE_VENDORS, on_line=lambda _line: None)
        after = _asset_hashes(tmp_path / "out", "ScatterGatherWithParallelStack")
        assert warm._process.pid == pid  # lambdas/ is read at each synth: no restart needed
        assert before != after and after - before

        (app_copy / "infra" / "config.py").write_text((app_copy / "infra" / "config.py").read_text() + "\n# new\n")
        runner.synth(THREE_VENDORS, on_line=lambda _line: None)
        assert warm._process.pid != pid  # infra/ is imported once: a new process imports the change
        assert _gone([pid])
    finally:
        warm.stop()


def test_a_bad_context_fails_with_the_apps_sentence_and_the_process_carries_on(app_copy, tmp_path):
    warm = warm_synth.WarmSynth(root=app_copy)
    runner = _runner(app_copy, tmp_path / "out", warm)
    try:
        with pytest.raises(cdk.CdkCommandFailed, match=r"^`cdk synth` failed: The 'recipients' context is invalid"):
            runner.synth({"recipients": {"Avis": {"base_rate": "abc"}}}, on_line=lambda _line: None)
        pid = warm._process.pid
        runner.synth(on_line=lambda _line: None)
        assert warm._process.pid == pid
    finally:
        warm.stop()


def test_the_process_ends_with_the_kernel_that_started_it(app_copy, tmp_path):
    kernel = subprocess.Popen(
        [sys.executable, "-c", (
            "import sys, time\n"
            "from pathlib import Path\n"
            "from workshop_utils.deploy.warm_synth import WarmSynth\n"
            f"warm = WarmSynth(root=Path({str(app_copy)!r}))\n"
            "import os; warm.start(dict(os.environ))\n"
            "print(warm._process.pid, flush=True)\n"
            "time.sleep(600)\n"
        )],
        env=ENV, stdout=subprocess.PIPE, text=True,
    )
    try:
        pid = int(kernel.stdout.readline())
        family = [pid, *(child.pid for child in psutil.Process(pid).children(recursive=True))]
        assert len(family) >= 2  # the synth process and jsii's node runtime
    finally:
        kernel.send_signal(signal.SIGKILL)  # a kernel that dies without cleaning up
        kernel.wait()
    assert _gone(family)
    assert not list((app_copy / warm_synth.REGISTRY).glob("*.json"))  # nor any record of it


def test_stop_all_ends_every_process_of_the_checkout(app_copy):
    warm = warm_synth.WarmSynth(root=app_copy)
    warm.start(ENV)
    pid = warm._process.pid
    family = [pid, *(child.pid for child in psutil.Process(pid).children(recursive=True))]
    assert warm_synth.stop_all(app_copy) == 1
    assert _gone(family)
    assert not list((app_copy / warm_synth.REGISTRY).glob("*.json"))
    warm.stop()  # the kernel's own handle on it: nothing left to do, and no error


def test_a_warm_up_readies_the_process_and_a_dead_one_is_replaced_transparently(app_copy, tmp_path):
    from workshop_utils.deploy.context import cli_context

    warm = warm_synth.WarmSynth(root=app_copy)
    try:
        thread = warm.warm_up(ENV, cli_context(app_copy, {}))
        thread.join(timeout=300)
        pid = warm.pid()
        assert pid is not None
        assert not list((app_copy / warm_synth.REGISTRY).glob("scratch-*"))
        assert warm.warm_up(ENV, cli_context(app_copy, {})) is None  # already warm: nothing to do

        family = [pid, *(child.pid for child in psutil.Process(pid).children(recursive=True))]
        psutil.Process(pid).kill()  # the out-of-memory killer, a learner's `kill`: jsii's node goes with it
        assert _gone(family)
        runner = _runner(app_copy, tmp_path / "out", warm)
        runner.synth(on_line=lambda _line: None)
        assert warm.pid() not in (None, pid)
        assert (tmp_path / "out" / "manifest.json").exists()
    finally:
        warm.stop()


def test_an_infra_that_does_not_import_is_synthesized_by_the_cli_for_its_traceback(app_copy, tmp_path):
    broken = app_copy / "infra" / "sns_stack.py"
    broken.write_text(broken.read_text() + "\nthis is not python\n")  # a NameError when imported
    warm = warm_synth.WarmSynth(root=app_copy)
    lines: list[str] = []
    try:
        # Python 3.13 adds a hint to the NameError ("Did you forget to import 'this'?"); the sentence keeps it.
        failed = r"^`cdk synth` failed: name 'this' is not defined[^;]*; fix it in"
        with pytest.raises(cdk.CdkCommandFailed, match=failed):
            _runner(app_copy, tmp_path / "out", warm).synth(on_line=lines.append)
    finally:
        warm.stop()
    assert lines[0].startswith("The warm synth is unavailable (the app did not import: NameError")
    assert lines[0].endswith("; synthesizing with the CDK CLI instead.")
