"""The wheel check's own logic: requirement files, markers judged for the target, the dependency walk (no network)."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest
import wheels_support
from packaging.requirements import Requirement
from wheels_support import (
    TARGETS,
    Resolved,
    Wanted,
    applies,
    linux,
    macos_arm64,
    pip_environment,
    problems,
    read_requirements,
    wanted_closure,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
MAC = macos_arm64("3.11.5")
LINUX = linux("aarch64", "3.13")


def _dist(name: str, version: str, *requires: str, url: str = "") -> Resolved:
    return Resolved(name, version, url or f"https://files.example/{name}-{version}-py3-none-any.whl", requires)


def test_targets_cover_every_platform_and_python_the_workshop_supports() -> None:
    assert {target.name for target in TARGETS} == {
        "macOS arm64, Python 3.11.5", "macOS arm64, Python 3.12", "macOS arm64, Python 3.13",
        "macOS x86_64, Python 3.11.5", "macOS x86_64, Python 3.12", "macOS x86_64, Python 3.13",
        "Linux x86_64, Python 3.12", "Linux x86_64, Python 3.13",
        "Linux aarch64, Python 3.12", "Linux aarch64, Python 3.13",
    }


def test_marker_environment_is_the_targets_not_this_machines() -> None:
    env = MAC.environment()
    assert (env["sys_platform"], env["platform_system"], env["platform_machine"]) == ("darwin", "Darwin", "arm64")
    assert (env["python_version"], env["python_full_version"]) == ("3.11", "3.11.5")
    assert linux("x86_64", "3.13").environment()["python_full_version"] == "3.13.0"


def test_wheel_tags_include_older_releases_and_stop_at_the_supported_ceiling() -> None:
    assert {"macosx_11_0_arm64", "macosx_14_0_arm64", "macosx_10_9_universal2"} <= set(MAC.platforms)
    assert "macosx_15_0_arm64" not in MAC.platforms
    x86 = linux("x86_64", "3.12").platforms
    assert {"manylinux_2_17_x86_64", "manylinux_2_35_x86_64", "manylinux2014_x86_64", "manylinux1_x86_64"} <= set(x86)
    assert "manylinux_2_36_x86_64" not in x86
    assert all(tag.endswith("_aarch64") for tag in LINUX.platforms)


def test_read_requirements_follows_includes_and_keeps_markers(tmp_path: Path) -> None:
    (tmp_path / "base.txt").write_text("# runtime\nboto3==1.0\n")
    (tmp_path / "dev.txt").write_text('-r base.txt\npytest==9.0  # tests\nonly-linux==1.0; sys_platform == "linux"\n')
    names = [(req.name, str(req.marker or "")) for req in read_requirements(tmp_path / "dev.txt")]
    assert names == [("boto3", ""), ("pytest", ""), ("only-linux", 'sys_platform == "linux"')]


def test_read_requirements_refuses_options_it_cannot_honour(tmp_path: Path) -> None:
    (tmp_path / "r.txt").write_text("--index-url https://example.invalid/simple\n")
    with pytest.raises(ValueError, match="not understood"):
        read_requirements(tmp_path / "r.txt")


def test_awslambdaric_is_a_linux_only_development_pin() -> None:
    runtime = {req.name for req in read_requirements(REPO_ROOT / "requirements.txt")}
    assert "awslambdaric" not in runtime
    [ric] = [req for req in read_requirements(REPO_ROOT / "requirements-dev.txt") if req.name == "awslambdaric"]
    assert applies(ric, LINUX) and applies(ric, linux("x86_64", "3.12"))
    assert not applies(ric, MAC)


def test_no_module_outside_tests_imports_awslambdaric() -> None:
    importers = []
    skipped = {"tests", ".venv", "node_modules", "build", "cdk.out", ".git"}
    tops = [entry for entry in REPO_ROOT.iterdir() if entry.name not in skipped and not entry.is_symlink()]
    sources = [top for top in tops if top.suffix == ".py"]
    sources += [path for top in tops if top.is_dir() for path in top.rglob("*.py")]
    for path in sources:
        relative = path.relative_to(REPO_ROOT)
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(name.split(".")[0] == "awslambdaric" for name in names):
                importers.append(str(relative))
    assert not importers, f"awslambdaric is the tests' reference only, yet imported by {importers}"


def test_closure_judges_markers_for_the_target() -> None:
    top = [Requirement("ipykernel==7.4.0")]
    resolved = {"ipykernel": _dist("ipykernel", "7.4.0", "appnope>=0.1.2; platform_system == 'Darwin'",
                                   "pywin32>=304; sys_platform == 'win32'", "tornado>=6.2")}
    assert set(wanted_closure(top, resolved, MAC)) == {"ipykernel", "appnope", "tornado"}
    assert set(wanted_closure(top, resolved, LINUX)) == {"ipykernel", "tornado"}


def test_closure_follows_extras_including_ones_asked_for_later() -> None:
    top = [Requirement("moto[server]==5.2.5"), Requirement("jupyter-events==0.12")]
    resolved = {
        "moto": _dist("moto", "5.2.5", "boto3>=1.9", "flask; extra == 'server'", "docker; extra == 'docker'"),
        "jupyter-events": _dist("jupyter-events", "0.12", "jsonschema[format-nongpl]>=4.18"),
        "jsonschema": _dist("jsonschema", "4.26.0", "attrs>=22", "rfc3987-syntax; extra == 'format-nongpl'"),
    }
    wanted = wanted_closure(top, resolved, LINUX)
    assert {"flask", "boto3", "attrs", "rfc3987-syntax"} <= set(wanted)
    assert "docker" not in wanted
    assert wanted["jsonschema"].extras == {"format-nongpl"}


def test_unresolved_dependencies_are_asked_for_with_every_specifier_combined() -> None:
    top = [Requirement("a==1"), Requirement("b==1")]
    resolved = {"a": _dist("a", "1", "c>=2"), "b": _dist("b", "1", "c[fast]<3")}
    line = wanted_closure(top, resolved, LINUX)["c"].request_line()
    assert Requirement(line).name == "c" and Requirement(line).extras == {"fast"}
    assert str(Requirement(line).specifier) in ("<3,>=2", ">=2,<3")


def test_problems_name_what_is_missing_too_old_or_not_a_wheel() -> None:
    wanted = {
        "a": Wanted("a", asks=[(Requirement("a>=2").specifier, "x 1")]),
        "b": Wanted("b"),
        "c": Wanted("c"),
    }
    resolved = {"a": _dist("a", "1"), "c": _dist("c", "1", url="https://files.example/c-1.tar.gz")}
    found = problems(wanted, resolved)
    assert any("a 1 does not satisfy x 1's a>=2" in line for line in found)
    assert any("b is needed but was not resolved" in line for line in found)
    assert any("c-1.tar.gz" in line for line in found)
    assert problems({"a": Wanted("a")}, {"a": _dist("a", "1")}) == []


def test_pip_ignores_this_machines_wheel_folder_and_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIP_FIND_LINKS", "/opt/wheels")
    monkeypatch.setenv("PIP_EXTRA_INDEX_URL", "file:///opt/pypi/simple")
    monkeypatch.setenv("PIP_INDEX_URL", "https://mirror.example/simple")
    env = pip_environment()
    assert "PIP_FIND_LINKS" not in env and "PIP_EXTRA_INDEX_URL" not in env
    assert env["PIP_INDEX_URL"] == "https://mirror.example/simple"  # a mirror is the index, so it stays
    assert env["PIP_CONFIG_FILE"] == os.devnull


def test_pip_reads_no_configuration_file_under_that_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIP_FIND_LINKS", "/opt/wheels")
    done = subprocess.run([sys.executable, "-m", "pip", "config", "list"], env=pip_environment(),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0
    assert "find-links" not in done.stdout and "extra-index-url" not in done.stdout and "constraint" not in done.stdout


class FakePip:
    """pip for resolve_wheels, offline: whole-tree passes judge markers as this Linux machine would."""

    def __init__(self, index: dict[str, Resolved], *, tree_fails: bool = False, missing: str = "") -> None:
        self.index, self.tree_fails, self.missing = index, tree_fails, missing
        self.layers: list[list[str]] = []

    def __call__(self, target: object, lines: list[str], *_: object, with_deps: bool = False) -> list[Resolved]:
        names = [Requirement(line).name for line in lines]
        if with_deps:
            if self.tree_fails:
                raise wheels_support.ResolutionError("ERROR: the tree failed")
            host = linux("x86_64", "3.11")
            top = self.index["a"]
            return [top, *(self.index[Requirement(line).name] for line in top.requires_dist
                           if applies(Requirement(line), host))]
        self.layers.append(names)
        if self.missing in names:
            raise wheels_support.ResolutionError(f"ERROR: No matching distribution found for {self.missing}")
        return [self.index[name] for name in names]


INDEX = {
    "a": _dist("a", "1", "b; sys_platform == 'linux'", "c; sys_platform == 'darwin'"),
    "b": _dist("b", "1"),
    "c": _dist("c", "1"),
}


@pytest.fixture
def pinned(tmp_path: Path) -> tuple[Path, Path]:
    (tmp_path / "requirements.txt").write_text("a==1\n")
    (tmp_path / "constraints.txt").write_text("a==1\nb==1\n")
    return tmp_path / "requirements.txt", tmp_path / "constraints.txt"


def test_resolution_asks_pip_for_what_only_the_target_needs(
    monkeypatch: pytest.MonkeyPatch, pinned: tuple[Path, Path], tmp_path: Path
) -> None:
    fake = FakePip(INDEX)
    monkeypatch.setattr(wheels_support, "pip_pass", fake)
    assert wheels_support.resolve_wheels(MAC, *pinned, tmp_path / "work") == []
    assert fake.layers == [["c"]]  # b came from pip's tree, judged for Linux, and macOS does not need it


def test_resolution_goes_layer_by_layer_when_pips_tree_fails(
    monkeypatch: pytest.MonkeyPatch, pinned: tuple[Path, Path], tmp_path: Path
) -> None:
    fake = FakePip(INDEX, tree_fails=True)
    monkeypatch.setattr(wheels_support, "pip_pass", fake)
    assert wheels_support.resolve_wheels(MAC, *pinned, tmp_path / "work") == []
    assert fake.layers == [["a"], ["c"]]


def test_resolution_reports_what_pip_cannot_find(
    monkeypatch: pytest.MonkeyPatch, pinned: tuple[Path, Path], tmp_path: Path
) -> None:
    monkeypatch.setattr(wheels_support, "pip_pass", FakePip(INDEX, tree_fails=True, missing="c"))
    assert wheels_support.resolve_wheels(MAC, *pinned, tmp_path / "work") == [
        "ERROR: No matching distribution found for c"
    ]


PIP_CONFLICT = """Collecting awslambdaric==4.2.2
ERROR: Cannot install awslambdaric==4.2.2 because these package versions have conflicting dependencies.

The conflict is caused by:
    The user requested awslambdaric==4.2.2
    The user requested (constraint) awslambdaric==4.2.2

Additionally, some packages in these conflicts have no matching distributions available for your environment:
    awslambdaric

ERROR: ResolutionImpossible: for help visit https://pip.pypa.io/en/latest/topics/dependency-resolution/
"""


def test_pip_failures_name_the_distribution_without_a_wheel() -> None:
    assert wheels_support.pip_failure(PIP_CONFLICT) == "no wheel for this platform and Python: awslambdaric"
    plain = "ERROR: Could not find a version that satisfies the requirement x==9\nERROR: No matching distribution found"
    assert wheels_support.pip_failure(plain) == plain.replace("\n", " ")
