"""The learner's exercise files: where they are, their solutions (made from the shipped code), filled copies."""

from __future__ import annotations

import ast
import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from infra.config import EXERCISES_DIR, EXERCISES_DIR_ENV, ConfigError, exercises_dir, parse_recipients
from workshop_utils.teaching.source_code import definition_span

REPO_ROOT = EXERCISES_DIR.parent
WIRING_FILE = "sns_wiring.py"
VENDORS_FILE = "vendors.py"
WIRING_FUNCTION = "wire_scatter_gather"
VENDOR_PLACEHOLDER = "# ✏️ your vendor here"
# The 01 exercise's model answer: the vendor notebook 03 adds too.
SOLUTION_VENDOR = '"Hertz": {"base_rate": "110"},'


class ExerciseFileError(ValueError):
    """An exercise file the check cannot use; the message says, in one sentence, what to fix."""


def _function_lines(text: str, name: str) -> tuple[int, int]:
    """(first, last) line of a top-level function, its trailing comments (the scaffold's ✏️ hints) included."""
    span = definition_span(text, name)
    if span is None:
        raise LookupError(name)
    return span


def wiring_solution(scaffold: str) -> str:
    """The wiring scaffold with its function replaced by the shipped one (infra/sns_wiring.py): one piece of code."""
    shipped = (REPO_ROOT / "infra" / WIRING_FILE).read_text(encoding="utf-8")
    first, last = _function_lines(shipped, WIRING_FUNCTION)
    function = shipped.splitlines()[first - 1:last]
    lines = scaffold.splitlines()
    start, end = _function_lines(scaffold, WIRING_FUNCTION)
    return "\n".join([*lines[: start - 1], *function, *lines[end:]]) + "\n"


def vendors_solution(scaffold: str) -> str:
    """The vendors file with a third vendor on the marked line (or, once the learner edited it, before the `}`)."""
    if VENDOR_PLACEHOLDER in scaffold:
        return scaffold.replace(VENDOR_PLACEHOLDER, SOLUTION_VENDOR, 1)
    if SOLUTION_VENDOR.split(":")[0] in scaffold:
        return scaffold
    lines = scaffold.splitlines()
    closing = max((number for number, line in enumerate(lines) if line.startswith("}")), default=len(lines))
    return "\n".join([*lines[:closing], f"    {SOLUTION_VENDOR}", *lines[closing:]]) + "\n"


SOLUTIONS = {WIRING_FILE: wiring_solution, VENDORS_FILE: vendors_solution}


@contextlib.contextmanager
def filled_with_solutions() -> Iterator[Path]:
    """A temporary copy of exercises/ with every exercise solved (for the headless notebook run)."""
    with tempfile.TemporaryDirectory(prefix="workshop-exercises-") as folder:
        filled = Path(folder) / "exercises"
        shutil.copytree(EXERCISES_DIR, filled, ignore=shutil.ignore_patterns("__pycache__"))
        for name, solve in SOLUTIONS.items():
            try:
                solved = solve((EXERCISES_DIR / name).read_text(encoding="utf-8"))
            except (FileNotFoundError, LookupError, SyntaxError):
                continue  # a file the learner broke stays broken: its check then says, in one sentence, why
            (filled / name).write_text(solved, encoding="utf-8")
        yield filled


def solved_environment(folder: Path) -> dict[str, str]:
    """os.environ, pointing the notebooks (and the CDK app they run) at `folder` for the exercises."""
    return {**os.environ, EXERCISES_DIR_ENV: str(folder)}


def load_vendors() -> dict[str, Any]:
    """VENDORS from exercises/vendors.py, read now and validated as the CDK app would."""
    path = exercises_dir() / VENDORS_FILE
    shown = f"exercises/{VENDORS_FILE}"
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=shown)
    except FileNotFoundError:
        raise ExerciseFileError(f"{shown} is missing; restore it with `git checkout {shown}`.") from None
    except SyntaxError as error:
        raise ExerciseFileError(
            f"{shown} has a syntax error on line {error.lineno} ({error.msg}): check the commas and braces."
        ) from None
    assignment = next(
        (node for node in tree.body if isinstance(node, ast.Assign)
         and any(isinstance(target, ast.Name) and target.id == "VENDORS" for target in node.targets)),
        None,
    )
    if assignment is None:
        raise ExerciseFileError(f"{shown} no longer sets VENDORS = {{...}}; restore it with `git checkout {shown}`.")
    try:
        # A literal, not code: the file is data, and nothing in it should run.
        vendors = ast.literal_eval(assignment.value)
    except ValueError:
        raise ExerciseFileError(
            f"VENDORS in {shown} must be written out as plain text and numbers, like the two vendors given."
        ) from None
    try:
        parse_recipients(vendors)
    except ConfigError as error:
        # The CDK app's sentence, with the learner's file as the place to fix it.
        problem = str(error).split("invalid: ", 1)[-1].split("; fix it", 1)[0]
        raise ExerciseFileError(f"VENDORS in {shown} is not valid: {problem}; fix it like the vendors given.") \
            from None
    return vendors


def vendors_problem(vendors: dict[str, Any], defaults: dict[str, Any]) -> str | None:
    """Why the 01 exercise is not done yet (one sentence), or None when it names a vendor beyond the defaults."""
    if set(vendors) - set(defaults):
        return None
    return (
        f"exercises/{VENDORS_FILE} still names only {', '.join(vendors)}: add a third vendor on the marked line, "
        "save the file, then run this cell again."
    )


def branch_vendors(definition: dict[str, Any]) -> list[str]:
    """The vendor of each branch of the state machine's Parallel state, in branch order."""
    parallel = next(state for state in definition["States"].values() if state["Type"] == "Parallel")
    return [branch["StartAt"].removeprefix("Responder") for branch in parallel["Branches"]]
