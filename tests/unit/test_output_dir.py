"""Where the checkout's cdk.out/ and build/ go: the checkout, or the folder WORKSHOP_OUTPUT_DIR names."""

from __future__ import annotations

from pathlib import Path

from workshop_utils.deploy import cdk, warm_synth
from workshop_utils.deploy.fingerprint import REPO_ROOT
from workshop_utils.deploy.output_dir import OUTPUT_DIR_ENV, output_dir


def test_by_default_the_checkout_holds_its_outputs(monkeypatch):
    monkeypatch.delenv(OUTPUT_DIR_ENV, raising=False)
    assert output_dir() == REPO_ROOT
    runner = cdk.CdkRunner()
    assert (runner.assembly, runner.build) == (REPO_ROOT / "cdk.out", REPO_ROOT / "build")
    assert warm_synth.WarmSynth().registry == REPO_ROOT / "build" / "warm-synth"


def test_the_setting_moves_the_checkouts_outputs_only(monkeypatch, tmp_path: Path):
    monkeypatch.setenv(OUTPUT_DIR_ENV, str(tmp_path / "outputs"))
    assert output_dir() == tmp_path / "outputs"
    runner = cdk.CdkRunner()
    assert (runner.assembly, runner.build) == (tmp_path / "outputs" / "cdk.out", tmp_path / "outputs" / "build")
    assert warm_synth.WarmSynth().registry == tmp_path / "outputs" / "build" / "warm-synth"

    other = tmp_path / "app-copy"  # a copy of the app, or a test's fake repo, keeps its outputs beside it
    assert output_dir(other) == other
    assert warm_synth.WarmSynth(root=other).registry == other / "build" / "warm-synth"


def test_stop_all_looks_in_the_moved_registry(monkeypatch, tmp_path: Path):
    monkeypatch.setenv(OUTPUT_DIR_ENV, str(tmp_path))
    registry = tmp_path / warm_synth.REGISTRY
    registry.mkdir(parents=True)
    (registry / "999999.json").write_text('{"pid": 999999, "create_time": 0}')  # a process long gone
    assert warm_synth.stop_all() == 0
    assert not list(registry.glob("*.json"))  # read, found gone, forgotten
