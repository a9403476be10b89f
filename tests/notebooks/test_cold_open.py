"""A notebook opened alone on a fresh local cloud (a late joiner, a restarted laptop) runs top to bottom."""

from __future__ import annotations

import html
from pathlib import Path

import pytest

from workshop_utils.cloud.stacks import PARALLEL_STACK, SNS_STACK
from workshop_utils.tools.run_notebooks import NOTEBOOK_DIR, error_outputs, execute, write_html

pytestmark = pytest.mark.slow
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "notebooks"


def test_side_by_side_opened_alone_deploys_what_it_needs_and_runs_top_to_bottom(workshop_cloud):
    executed = execute(NOTEBOOK_DIR / "03_side_by_side.ipynb")  # raises NotebookFailed listing every error
    assert error_outputs(executed) == []
    first = next(cell for cell in executed.cells if cell.cell_type == "code")
    said = html.unescape(" ".join(output.get("data", {}).get("text/html", "") for output in first.outputs))
    assert f"deployed {PARALLEL_STACK} (".lower() in said.lower() and f"deployed {SNS_STACK} (".lower() in said.lower()
    write_html(executed, ARTIFACTS / "03_side_by_side-opened-cold.html")  # kept for a human to read after CI
