"""The house's rules a newcomer relies on: small modules, and packages that say what they own and may import."""

from __future__ import annotations

import ast
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
PACKAGE = REPO_ROOT / "workshop_utils"
LONGEST_MODULE = 400  # lines; data lives in data files (quiz questions), not in modules


def modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def test_every_module_is_small():
    lines = {str(p.relative_to(REPO_ROOT)): len(p.read_text().splitlines()) for p in modules()}
    long = {name: n for name, n in lines.items() if n > LONGEST_MODULE}
    assert long == {}, f"split these by concern (over {LONGEST_MODULE} lines): {long}"


def test_every_module_says_what_it_is():
    silent = [str(p.relative_to(REPO_ROOT)) for p in modules() if not ast.get_docstring(ast.parse(p.read_text()))]
    assert silent == []


def test_every_layer_says_what_it_may_import():
    layers = [p for p in PACKAGE.iterdir() if (p / "__init__.py").exists()]
    assert len(layers) >= 9
    docstrings = {p.name: ast.get_docstring(ast.parse((p / "__init__.py").read_text())) or "" for p in layers}
    quiet = [name for name, text in docstrings.items() if "May import" not in text]
    assert quiet == []
