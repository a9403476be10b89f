"""Find a function, a class or a `# region: name` of the project's own source, as plain data for the renderer."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from infra.config import exercises_dir
from workshop_utils.repo import REPO_ROOT

_REGION = re.compile(r"^\s*#\s*region:\s*(?P<name>[\w.-]+)\s*$")
_END_REGION = re.compile(r"^\s*#\s*endregion\b")


class SourceNotFound(LookupError):
    """The file, the definition or the region asked for is not there; the message says what to do."""


@dataclass(frozen=True)
class Snippet:
    """Lines of one file, numbered as in the file, some of them emphasised."""

    path: str  # relative to the repository, with forward slashes
    first_line: int  # the file's line number of lines[0] (1-based)
    lines: list[str]
    emphasised: frozenset[int] = field(default_factory=frozenset)  # the file's line numbers

    @property
    def last_line(self) -> int:
        return self.first_line + len(self.lines) - 1


def _with_trailing_comments(lines: list[str], node: ast.stmt, last: int) -> int:
    """The last line, extended over comments indented as the body (ast ends a body at its last statement)."""
    indent = len(lines[node.lineno - 1]) - len(lines[node.lineno - 1].lstrip())
    end = last
    for number in range(last + 1, len(lines) + 1):
        line = lines[number - 1]
        if not line.strip():
            continue
        if line.lstrip().startswith("#") and len(line) - len(line.lstrip()) > indent:
            end = number
            continue
        break
    return end


def _find(tree: ast.Module, qualified_name: str) -> ast.stmt | None:
    """The function or class `name` or `Class.method`."""
    scope: list[ast.stmt] = tree.body
    node: ast.stmt | None = None
    for part in qualified_name.split("."):
        node = next(
            (
                child
                for child in scope
                if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and child.name == part
            ),
            None,
        )
        if node is None:
            return None
        scope = node.body
    return node


def definition_span(text: str, qualified_name: str) -> tuple[int, int] | None:
    """(first, last) line of `name` or `Class.method` in Python source: decorators and trailing comments in."""
    node = _find(ast.parse(text), qualified_name)
    if node is None or node.end_lineno is None:
        return None
    first = min([node.lineno, *(decorator.lineno for decorator in getattr(node, "decorator_list", []))])
    return first, _with_trailing_comments(text.splitlines(), node, node.end_lineno)


def _region_span(lines: list[str], name: str) -> tuple[int, int] | None:
    """(first, last) line inside `# region: name` ... `# endregion`, the marker lines left out."""
    start = next((number for number, line in enumerate(lines, 1) if (m := _REGION.match(line)) and m["name"] == name),
                 None)
    if start is None:
        return None
    end = next((number for number in range(start + 1, len(lines) + 1) if _END_REGION.match(lines[number - 1])), None)
    return (start + 1, (end or len(lines) + 1) - 1)


def _emphasised(lines: list[str], first_line: int, emphasise: Iterable[int | str]) -> frozenset[int]:
    chosen: set[int] = set()
    for wanted in emphasise:
        if isinstance(wanted, int):
            chosen.add(wanted)
        else:
            chosen.update(number for number, line in enumerate(lines, first_line) if wanted in line)
    return frozenset(chosen)


def read_snippet(path: str, target: str | None = None, *, emphasise: Iterable[int | str] = (),
                 root: Path = REPO_ROOT) -> Snippet:
    """Read `path` now (so the page shows what is deployed) and cut out `target`.

    `target` is a qualified name (`wire_scatter_gather`, `SnsScatterGatherStack.__init__`), `region:<name>`
    for a marked region, or None for the whole file. `emphasise` holds line numbers of the file, or text
    that marks every line containing it.
    """
    file = root / path
    if root == REPO_ROOT and path.startswith("exercises/"):
        # The learner's files, wherever they are kept (the headless run keeps solved copies elsewhere).
        file = exercises_dir() / path.removeprefix("exercises/")
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SourceNotFound(f"{path} is not in the workshop folder; restore it with `git checkout {path}`.") from None
    lines = text.splitlines()
    if target is None:
        span: tuple[int, int] | None = (1, len(lines))
    elif target.startswith("region:"):
        span = _region_span(lines, target.removeprefix("region:"))
    else:
        try:
            span = definition_span(text, target)
        except SyntaxError as error:  # the learner's file, mid-edit
            raise SourceNotFound(
                f"{path} has a syntax error on line {error.lineno} ({error.msg}): fix that line and save the file."
            ) from None
    if span is None:
        raise SourceNotFound(f"{path} has no {target}; restore the file with `git checkout {path}`.")
    first, last = span
    shown = lines[first - 1:last]
    return Snippet(path=path, first_line=first, lines=shown, emphasised=_emphasised(shown, first, emphasise))
