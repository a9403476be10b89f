"""Solutions are shown only when the learner unfolds them, and never run in the learner's place."""

from pathlib import Path

import nbformat
import pytest

from workshop_utils import notebook
from workshop_utils.teaching import exercise
from workshop_utils.tools.run_notebooks import NOTEBOOK_DIR, solve_exercise_cells
from workshop_utils.ui import cell_output


@pytest.fixture
def shown(monkeypatch):
    outputs: list[str] = []
    monkeypatch.setattr(cell_output, "show", outputs.append)
    return outputs


@pytest.mark.parametrize("show", [notebook.show_vendors_solution, notebook.show_wiring_solution,
                                  notebook.show_completeness_solution])
def test_each_solution_is_one_folded_block_whose_summary_gives_nothing_away(shown, show):
    show()
    assert len(shown) == 1
    html = shown[0]
    assert html.startswith('<details class="workshop-solution"') and "<details open" not in html
    summary = html[html.index("<summary"):html.index("</summary>")]
    assert summary.count("Show the solution") == 1
    assert "Hertz" not in summary and "&lt;=" not in summary and "add_destination" not in summary


def test_the_completeness_solution_is_shown_as_text(shown):
    notebook.show_completeness_solution()
    assert "expected_vendors" in shown[0] and "&lt;=" in shown[0]


def test_the_model_answer_shown_to_the_learner_passes_the_check():
    namespace: dict = {}
    exec(exercise.SOLUTION_SOURCE, namespace)  # what the learner copies into the exercise cell
    assert exercise.check_edge_cases(namespace["is_complete"]).passed


def test_the_headless_run_types_the_answer_into_02b_exercise_cell_only():
    path: Path = NOTEBOOK_DIR / "02b_aggregator_and_failures.ipynb"
    notebook_node = nbformat.read(path, as_version=4)
    before = [cell.source for cell in notebook_node.cells]
    assert solve_exercise_cells(notebook_node) == 1
    changed = [i for i, cell in enumerate(notebook_node.cells) if cell.source != before[i]]
    assert len(changed) == 1 and "raise NotImplementedError" in before[changed[0]]
    assert notebook_node.cells[changed[0]].source == exercise.SOLUTION_SOURCE.rstrip("\n")
    # The check right after the exercise cell is the learner's: no cell between them defines the answer.
    assert "check_completeness_condition(is_complete)" in notebook_node.cells[changed[0] + 1].source
    assert sum("def is_complete" in cell.source for cell in nbformat.read(path, as_version=4).cells) == 1
