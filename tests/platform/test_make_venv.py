"""`make setup`'s interpreter check (scripts/make_venv.sh): unsuitable Pythons refused in one sentence, a suitable
one found on the PATH, and a venv an unsuitable Python made is remade (fake interpreters, no network)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = REPO_ROOT / "scripts" / "make_venv.sh"
pytestmark = pytest.mark.skipif(shutil.which("sh") is None, reason="needs a POSIX sh")

# A Python that reports another version (Apple's 3.9, a too-new 3.14) or lacks ensurepip (Ubuntu without
# python3-venv), built on this interpreter: only what the script asks of an interpreter is faked.
FAKE = """#!/bin/sh
if [ "$1" = -c ]; then
  exec "{real}" -c "import sys; sys.version_info = {version}; {hide}code = sys.argv.pop(1); exec(code)" "$2"
fi
if [ "$1" = -m ] && [ "$2" = venv ] && [ -n "{hide}" ]; then
  mkdir -p "$3/bin" && ln -s "{real}" "$3/bin/python"
  echo "The virtual environment was not created successfully because ensurepip is not available." >&2
  exit 1
fi
exec "{real}" "$@"
"""


def fake_python(folder: Path, name: str, version: tuple[int, int, int], *, ensurepip: bool = True) -> Path:
    path = folder / name
    hide = "" if ensurepip else "sys.modules['ensurepip'] = None; "
    path.write_text(FAKE.format(real=sys.executable, version=(*version, "final", 0), hide=hide))
    path.chmod(0o755)
    return path


@pytest.fixture
def bin_dir(tmp_path: Path) -> Path:
    """A PATH with the script's tools and no Python but the ones a test puts there."""
    folder = tmp_path / "bin"
    folder.mkdir()
    for tool in ("sh", "rm", "uname", "sed", "mkdir", "ln"):
        os.symlink(shutil.which(tool), folder / tool)
    return folder


def run(venv: Path, bin_dir: Path, python: str = "") -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env["PATH"] = str(bin_dir)
    return subprocess.run([str(bin_dir / "sh"), str(SCRIPT), str(venv), python], env=env, capture_output=True,
                          text=True, timeout=300)


def sentence(done: subprocess.CompletedProcess[str]) -> str:
    [line] = done.stderr.splitlines()
    return line


def test_apples_python_39_is_refused_with_what_to_install(tmp_path: Path, bin_dir: Path) -> None:
    fake_python(bin_dir, "python3", (3, 9, 6))
    done = run(tmp_path / ".venv", bin_dir)
    assert done.returncode == 1
    line = sentence(done)
    assert line.startswith("No Python 3.11.5 to 3.13 found (python3 is 3.9.6)") and "python3.12" in line
    assert not (tmp_path / ".venv").exists()


@pytest.mark.parametrize("version", [(3, 9, 6), (3, 11, 2), (3, 14, 0)])
def test_a_named_python_outside_the_supported_range_is_refused(tmp_path: Path, bin_dir: Path,
                                                               version: tuple[int, int, int]) -> None:
    python = fake_python(bin_dir, "python3", version)
    line = sentence(run(tmp_path / ".venv", bin_dir, str(python)))
    shown = ".".join(map(str, version))
    assert line.startswith(f"PYTHON={python} is Python {shown}, and the workshop needs 3.11.5 to 3.13")
    assert line.endswith("then run make again with PYTHON=python3.12.")


def test_a_named_python_that_is_not_there_is_refused(tmp_path: Path, bin_dir: Path) -> None:
    done = run(tmp_path / ".venv", bin_dir, "python3.12")
    assert done.returncode == 1
    assert sentence(done).startswith("PYTHON=python3.12 is not a command or file here: install Python 3.12")


def test_a_python_without_venvs_pip_names_the_package(tmp_path: Path, bin_dir: Path) -> None:
    fake_python(bin_dir, "python3", (3, 12, 3), ensurepip=False)
    done = run(tmp_path / ".venv", bin_dir)
    assert done.returncode == 1
    assert sentence(done) == ("python3 (Python 3.12.3) cannot make a virtual environment with pip: install its venv "
                              "module (`sudo apt-get install python3.12-venv`), then run make again.")


def test_a_suitable_python_is_found_past_an_unsuitable_python3(tmp_path: Path, bin_dir: Path) -> None:
    fake_python(bin_dir, "python3", (3, 9, 6))
    fake_python(bin_dir, "python3.13", (3, 14, 0))  # python3.13 is a newer Python here: not taken either
    os.symlink(sys.executable, bin_dir / "python3.12")
    venv = tmp_path / "a folder" / ".venv"
    done = run(venv, bin_dir)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().startswith(f"Made {venv} with python3.12")
    made = subprocess.run([str(venv / "bin" / "python"), "-c", "import sys, pip; print(sys.version_info[:2])"],
                          capture_output=True, text=True, timeout=60)
    assert made.stdout.strip() == str(sys.version_info[:2])


def test_a_venv_made_by_an_unsuitable_python_is_remade_and_a_good_one_kept(tmp_path: Path, bin_dir: Path) -> None:
    venv = tmp_path / ".venv"
    (venv / "bin").mkdir(parents=True)
    fake_python(venv / "bin", "python", (3, 9, 6))
    (venv / ".installed").touch()
    done = run(venv, bin_dir, sys.executable)
    assert done.returncode == 0, done.stderr
    assert sentence(done) == f"Remaking {venv}: it was made by Python 3.9.6, and the workshop needs 3.11.5 to 3.13."
    assert not (venv / ".installed").exists()
    again = run(venv, bin_dir, sys.executable)
    assert (again.returncode, again.stdout, again.stderr) == (0, "", "")


def test_a_venv_left_without_pip_is_remade(tmp_path: Path, bin_dir: Path) -> None:
    venv = tmp_path / ".venv"
    (venv / "bin").mkdir(parents=True)
    fake_python(venv / "bin", "python", (3, 12, 3), ensurepip=False)  # runs, but `-m pip` finds no pip there
    (venv / "bin" / "python").write_text((venv / "bin" / "python").read_text().replace(
        'exec "' + sys.executable + '" "$@"', 'echo "No module named pip" >&2; exit 1'))
    done = run(venv, bin_dir, sys.executable)
    assert done.returncode == 0, done.stderr
    assert sentence(done).startswith(f"Remaking {venv}: it has no pip")


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_setup_checks_the_interpreter_before_installing(tmp_path: Path, bin_dir: Path) -> None:
    python = fake_python(bin_dir, "python3", (3, 9, 6))
    venv = tmp_path / ".venv"
    done = subprocess.run(["make", "--no-print-directory", f"VENV={venv}", f"PYTHON={python}", f"{venv}/.installed"],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "pip" not in done.stdout  # nothing was installed
    refusal = [line for line in done.stderr.splitlines() if not line.startswith("make")]
    assert len(refusal) == 1 and refusal[0].startswith(f"PYTHON={python} is Python 3.9.6")
