"""deploy/ imports only the layers below it, and the renderers it feeds (render/) import nothing of deploy/."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "workshop_utils"
ABOVE_DEPLOY = ("notebook", "stage", "tools", "measure", "ui", "teaching", "teardown", "quotes")


def imported(path: Path) -> set[str]:
    """The workshop_utils packages a module imports, at its top or inside a function."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        modules = [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            modules = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        names |= {module.split(".")[1] for module in modules if module.startswith("workshop_utils.")}
    return names


@pytest.mark.parametrize("path", sorted((PACKAGE / "deploy").glob("*.py")), ids=lambda path: path.name)
def test_deploy_imports_nothing_above_it(path):
    assert imported(path).isdisjoint(ABOVE_DEPLOY)


@pytest.mark.parametrize("path", sorted((PACKAGE / "render").glob("*.py")), ids=lambda path: path.name)
def test_the_renderers_import_nothing_of_deploy(path):
    assert "deploy" not in imported(path)
