"""What the code cells show: a project file's code, the refactoring side by side, each exercise's folded solution."""

from __future__ import annotations

from workshop_utils.render import code_side, refactoring_html, source_html
from workshop_utils.teaching import exercise, exercise_files, refactoring, source_code
from workshop_utils.ui import cell_output, views


def show_source(path: str, target: str | None, *, emphasise: tuple[int | str, ...], title: str | None) -> None:
    """A function, class or `region:<name>` of a project file, read now; a missing one is said in one sentence."""
    try:
        snippet = source_code.read_snippet(path, target, emphasise=emphasise)
    except source_code.SourceNotFound as error:
        return cell_output.message(str(error), kind="error")
    cell_output.show(source_html(snippet.path, snippet.lines, first_line=snippet.first_line,
                                 emphasised=snippet.emphasised, title=title))


def show_refactoring() -> None:
    """The Parallel state's definition and the wiring that replaces it side by side, then who does each job."""
    sides = [code_side(ref.title, source_code.read_snippet(ref.path, ref.target, emphasise=ref.emphasise))
             for ref in (refactoring.BEFORE, refactoring.AFTER)]
    cell_output.show(refactoring_html(*sides, refactoring.jobs_rows()))


def show_vendors_solution() -> None:
    """The vendors exercise, solved (the scaffold with the model answer on its marked line), folded until clicked."""
    scaffold = (exercise_files.EXERCISES_DIR / exercise_files.VENDORS_FILE).read_text(encoding="utf-8")
    solved = exercise_files.vendors_solution(scaffold).splitlines()
    code = source_html(f"exercises/{exercise_files.VENDORS_FILE}", solved, title="Solution",
                       emphasised=frozenset(n for n, line in enumerate(solved, 1)
                                            if exercise_files.SOLUTION_VENDOR in line))
    cell_output.show(views.folded_solution_html(code, what="exercises/vendors.py with a third vendor"))


def show_wiring_solution() -> None:
    """02a's solution: the function the finished stack uses (infra/sns_wiring.py), folded until clicked."""
    snippet = source_code.read_snippet("infra/sns_wiring.py", exercise_files.WIRING_FUNCTION)
    code = source_html(snippet.path, snippet.lines, first_line=snippet.first_line,
                       title="Solution: infra/sns_wiring.py")
    cell_output.show(views.folded_solution_html(code, what="the finished wiring function"))


def show_completeness_solution() -> None:
    """02b's solution: the model completeness condition, shown (never run) once the learner unfolds it."""
    lines = exercise.SOLUTION_SOURCE.splitlines()
    code = source_html("the exercise cell", lines, title="Solution: copy it into your cell above")
    cell_output.show(views.folded_solution_html(code, what="the completeness condition"))
