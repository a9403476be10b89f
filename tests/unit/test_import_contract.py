"""The import contract (.importlinter): each package imports only the layers below it, and no circle stands."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """`lint-imports` on the workshop_utils found in `root`, with the contract file of the checkout."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", str(REPO_ROOT / ".importlinter")],
                          cwd=root, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def copy_of_the_package(tmp_path: Path) -> Path:
    """A copy of workshop_utils to break on purpose, in a folder of its own."""
    shutil.copytree(REPO_ROOT / "workshop_utils", tmp_path / "workshop_utils",
                    ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def test_the_package_keeps_its_contract():
    result = lint_imports(REPO_ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_the_contract_is_checked_on_the_copy_it_is_given(copy_of_the_package: Path):
    result = lint_imports(copy_of_the_package)
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_import_up_the_layers_breaks_it(copy_of_the_package: Path):
    renderer = copy_of_the_package / "workshop_utils" / "render" / "source.py"
    renderer.write_text(renderer.read_text() + "\nfrom workshop_utils.deploy import cdk  # noqa: E402,F401\n")
    result = lint_imports(copy_of_the_package)
    assert result.returncode != 0
    assert "workshop_utils.render is not allowed to import workshop_utils.deploy" in result.stdout


def test_an_import_inside_a_function_counts_too(copy_of_the_package: Path):
    reader = copy_of_the_package / "workshop_utils" / "cloud" / "logs.py"
    reader.write_text(reader.read_text() + "\n\ndef _late():\n    from workshop_utils.ui import views  # noqa: F401\n")
    result = lint_imports(copy_of_the_package)
    assert result.returncode != 0
    assert "workshop_utils.cloud is not allowed to import workshop_utils.ui" in result.stdout


def test_a_circle_inside_one_package_breaks_it(copy_of_the_package: Path):
    package = copy_of_the_package / "workshop_utils" / "render"
    (package / "_circle_a.py").write_text("from workshop_utils.render import _circle_b  # noqa: F401\n")
    (package / "_circle_b.py").write_text("from workshop_utils.render import _circle_a  # noqa: F401\n")
    result = lint_imports(copy_of_the_package)
    assert result.returncode != 0
    assert "No cycles are allowed in workshop_utils.render" in result.stdout


def test_a_new_package_must_be_given_a_layer(copy_of_the_package: Path):
    package = copy_of_the_package / "workshop_utils" / "newcomer"
    package.mkdir()
    (package / "__init__.py").write_text('"""A package the contract does not place yet."""\n')
    result = lint_imports(copy_of_the_package)
    assert result.returncode != 0
    assert "workshop_utils.newcomer" in result.stdout
