"""The bundle's own logic: targets, markers judged for each target, the layer-by-layer walk (no network)."""

from __future__ import annotations

import json
import subprocess
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from workshop_utils.tools import bundle

MAC = bundle.macos_arm64("3.11.5")
LINUX = bundle.linux("x86_64", "3.13.0")


def test_targets_are_every_learner_platform_with_every_supported_python():
    names = {target.name for target in bundle.TARGETS}
    for label in ("macOS arm64", "macOS x86_64", "Linux x86_64", "Linux aarch64"):
        for python in ("3.11.5", "3.12.0", "3.13.0"):
            assert f"{label}, Python {python}" in names
    assert len(bundle.TARGETS) == 12


def test_wheel_tags_reach_back_to_older_systems_and_stop_at_the_ceiling():
    assert {"macosx_11_0_arm64", "macosx_14_0_arm64", "macosx_10_9_universal2"} <= set(MAC.platforms)
    assert "macosx_15_0_arm64" not in MAC.platforms
    intel = bundle.macos_x86_64("3.12.0")
    assert {"macosx_10_9_x86_64", "macosx_14_0_x86_64", "macosx_10_9_universal2"} <= set(intel.platforms)
    assert not any(tag.endswith("_arm64") for tag in intel.platforms) and "macosx_15_0_x86_64" not in intel.platforms
    assert {"manylinux_2_17_x86_64", "manylinux2014_x86_64", "manylinux1_x86_64"} <= set(LINUX.platforms)
    assert "manylinux_2_36_x86_64" not in LINUX.platforms
    assert all(tag.endswith("_aarch64") for tag in bundle.linux("aarch64", "3.12.0").platforms)


def test_markers_are_judged_for_the_target_not_this_machine():
    darwin_only = Requirement('appnope; sys_platform == "darwin"')
    assert bundle.applies(darwin_only, MAC) and not bundle.applies(darwin_only, LINUX)
    old_python = Requirement('tomli; python_version < "3.12"')
    assert bundle.applies(old_python, MAC) and not bundle.applies(old_python, LINUX)
    server_extra = Requirement('flask; extra == "server"')
    assert not bundle.applies(server_extra, LINUX) and bundle.applies(server_extra, LINUX, {"", "server"})


def test_pip_output_names_the_wheels_it_picked():
    output = (
        "Collecting moto==5.2.5\n  Saved /b/wheels/moto-5.2.5-py3-none-any.whl\n"
        "  File was already downloaded /b/wheels/boto3-1.0-py3-none-any.whl\nSuccessfully downloaded moto\n"
    )
    assert bundle.picked_wheels(output) == [
        Path("/b/wheels/moto-5.2.5-py3-none-any.whl"),
        Path("/b/wheels/boto3-1.0-py3-none-any.whl"),
    ]


def _wheel(folder: Path, name: str, version: str, *requires: str) -> Path:
    path = folder / f"{name}-{version}-py3-none-any.whl"
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    metadata += "".join(f"Requires-Dist: {line}\n" for line in requires)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(f"{name}-{version}.dist-info/METADATA", metadata)
    return path


INDEX = {  # what the fake pip "finds": name -> Requires-Dist
    "workshop": ("moto[server]", 'appnope; sys_platform == "darwin"', 'tomli; python_version < "3.12"'),
    "moto": ("boto3", 'flask; extra == "server"'),
    "boto3": (),
    "flask": ("boto3",),
    "appnope": (),
    "tomli": (),
    "setuptools": (),
}


class FakePip:
    """Answers `pip download --no-deps` the way pip prints it, and records each layer it was asked for."""

    def __init__(self) -> None:
        self.layers: list[list[str]] = []

    def __call__(self, command: list[str], **_kwargs) -> subprocess.CompletedProcess:
        dest = Path(command[command.index("--dest") + 1])
        lines = Path(command[command.index("-r") + 1]).read_text().split()
        self.layers.append(sorted(lines))
        saved = []
        for line in lines:
            name = Requirement(line).name
            saved.append(f"  Saved {_wheel(dest, name, '1.0', *INDEX[name])}")
        return subprocess.CompletedProcess(command, 0, "\n".join(saved), "")


def test_download_walks_the_tree_layer_by_layer_with_the_targets_markers_and_extras(tmp_path):
    (tmp_path / "requirements.txt").write_text("workshop==1.0\n")
    (tmp_path / "constraints.txt").write_text('workshop==1.0\nboto3==1.0; sys_platform == "linux"\n')
    pip = FakePip()
    picked = bundle.download_wheels(
        MAC, tmp_path / "requirements.txt", tmp_path / "constraints.txt", tmp_path / "wheels", run=pip
    )
    assert sorted(picked) == ["appnope", "boto3", "flask", "moto", "setuptools", "tomli", "workshop"]
    assert pip.layers == [["setuptools>=68", "workshop==1.0"], ["appnope", "moto", "tomli"], ["boto3", "flask"]]

    linux = bundle.download_wheels(
        LINUX, tmp_path / "requirements.txt", tmp_path / "constraints.txt", tmp_path / "wheels", run=FakePip()
    )
    assert sorted(linux) == ["boto3", "flask", "moto", "setuptools", "workshop"]


def test_pip_gets_the_target_and_pins_whose_markers_would_fail_here(tmp_path):
    (tmp_path / "requirements.txt").write_text("boto3\n")
    (tmp_path / "constraints.txt").write_text('boto3==1.0; sys_platform == "darwin"\n')
    seen = {}

    def pip(command, **kwargs):
        seen["command"] = command
        seen["constraints"] = Path(command[command.index("-c") + 1]).read_text()
        return FakePip()(command, **kwargs)

    bundle.download_wheels(LINUX, tmp_path / "requirements.txt", tmp_path / "constraints.txt", tmp_path / "w", run=pip)
    command = seen["command"]
    assert command[command.index("--python-version") + 1] == "3.13.0"
    assert "--only-binary=:all:" in command and "--no-deps" in command
    assert "manylinux2014_x86_64" in command
    assert seen["constraints"] == "boto3==1.0\n"


def test_a_platform_without_a_wheel_ends_in_a_sentence_that_says_what_to_do(tmp_path):
    (tmp_path / "requirements.txt").write_text("boto3\n")
    (tmp_path / "constraints.txt").write_text("")

    def no_wheel(command, **_kwargs):
        return subprocess.CompletedProcess(command, 1, "", "ERROR: No matching distribution found for boto3\n")

    with pytest.raises(bundle.BundleError, match=r"No wheel for Linux x86_64.*run `make bundle` again\.$"):
        bundle.download_wheels(
            LINUX, tmp_path / "requirements.txt", tmp_path / "constraints.txt", tmp_path / "w", run=no_wheel
        )


def test_npm_cache_gets_every_package_of_the_lock(tmp_path, monkeypatch):
    lock = tmp_path / "package-lock.json"
    lock.write_text(json.dumps({"packages": {
        "": {"name": "workshop"},
        "node_modules/aws-cdk": {"version": "2.1148.1"},
        "node_modules/aws-cdk/node_modules/fsevents": {"version": "2.3.2", "optional": True},
    }}))
    monkeypatch.setattr(bundle.shutil, "which", lambda _name: "/usr/bin/npm")
    calls = []

    def npm(command, **_kwargs):
        calls.append(command)
        return subprocess.CompletedProcess(command, 0, "", "")

    specs = bundle.cache_npm_packages(lock, tmp_path / "cache", run=npm)
    assert specs == ["aws-cdk@2.1148.1", "fsevents@2.3.2"]
    assert calls[0] == ["/usr/bin/npm", "cache", "add", "aws-cdk@2.1148.1", "--cache", str(tmp_path / "cache")]


def test_the_current_machine_is_one_of_the_targets():
    assert bundle.current_target().name in {target.name for target in bundle.TARGETS}


@pytest.mark.parametrize(("system", "machine", "label"), [
    ("darwin", "arm64", "macOS arm64"), ("darwin", "x86_64", "macOS x86_64"),
    ("linux", "x86_64", "Linux x86_64"), ("linux", "aarch64", "Linux aarch64"), ("linux", "arm64", "Linux aarch64"),
])
def test_an_intel_mac_bundles_intel_wheels(system: str, machine: str, label: str):
    assert bundle.current_target(system, machine).os_label == label


def test_an_unsupported_machine_is_refused_with_a_sentence():
    with pytest.raises(bundle.BundleError, match="not a learner platform"):
        bundle.current_target("win32", "AMD64")
