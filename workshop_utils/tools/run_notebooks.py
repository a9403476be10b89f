"""Execute notebooks headless, in order, and write HTML copies with their outputs (`make run`)."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbconvert import HTMLExporter
from traitlets.config import Config

from infra.config import EXERCISES_DIR_ENV
from workshop_utils.repo import REPO_ROOT
from workshop_utils.teaching import exercise
from workshop_utils.teaching.exercise_files import filled_with_solutions, solved_environment

NOTEBOOK_DIR = REPO_ROOT / "notebooks"
GLOSSARY = "glossary.md"


class NotebookFailed(RuntimeError):
    """A notebook cell raised, or printed an error output."""


def error_outputs(notebook: nbformat.NotebookNode) -> list[str]:
    """Every error output, and every failed "check your understanding" verdict, as 'cell N: ...'."""
    errors = []
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                errors.append(f"cell {index}: {output['ename']}: {output['evalue']}")
            elif "check-failed" in output.get("data", {}).get("text/html", ""):
                errors.append(f"cell {index}: a check failed: {output['data']['text/html']}")
    return errors


def solve_exercise_cells(notebook: nbformat.NotebookNode) -> int:
    """Type the model answer into each exercise cell written in the notebook itself, as a learner would; how many."""
    solved = 0
    for cell in notebook.cells:
        if exercise.EXERCISE_TAG in cell.get("metadata", {}).get("tags", []):
            cell.source = exercise.SOLUTION_SOURCE.rstrip("\n")
            solved += 1
    return solved


def execute(path: Path, *, timeout_s: int = 600) -> nbformat.NotebookNode:
    """Run one notebook top to bottom in a fresh kernel (cwd = its folder); raise on any error output.

    The exercises are filled with their solutions (a copy of exercises/, unless WORKSHOP_EXERCISES_DIR names
    one already), and so are the exercise cells of the notebook itself: an unattended run plays a learner who
    got every exercise right.
    """
    notebook = nbformat.read(path, as_version=4)
    solve_exercise_cells(notebook)
    client = NotebookClient(
        notebook,
        timeout=timeout_s,
        kernel_name="python3",
        allow_errors=True,  # collect every error output, then fail with all of them
        # The kernel listens on the loopback only; its warning that TCP is unencrypted would print once per
        # notebook in the middle of `make run`'s progress. Errors still show.
        extra_arguments=["--IPKernelApp.log_level=ERROR"],
        resources={"metadata": {"path": str(path.parent)}},
    )
    if os.environ.get(EXERCISES_DIR_ENV):
        client.execute()
    else:
        with filled_with_solutions() as exercises:
            client.execute(env=solved_environment(exercises))
    errors = error_outputs(notebook)
    if errors:
        raise NotebookFailed(f"{path.name} failed: " + "; ".join(errors))
    return notebook


def write_html(notebook: nbformat.NotebookNode, destination: Path) -> Path:
    """Export an executed notebook, outputs included, as a standalone HTML page."""
    # A widget's static HTML, when it has one, rather than a widget view that needs JavaScript from a CDN.
    default = list(HTMLExporter().config.NbConvertBase.display_data_priority)
    priority = ["text/html", *(kind for kind in default if kind != "text/html")]
    exporter = HTMLExporter(config=Config({"NbConvertBase": {"display_data_priority": priority}}))
    body, _resources = exporter.from_notebook_node(notebook)
    destination.parent.mkdir(parents=True, exist_ok=True)
    destination.write_text(body, encoding="utf-8")
    return destination


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks to run, in order (default: all)")
    parser.add_argument("--out", type=Path, default=Path("build"), help="folder for the HTML copies")
    parser.add_argument(
        "--use-running-cloud",
        action="store_true",
        help="run against the usual local cloud (the cleanup notebook then destroys its stacks and stops it)",
    )
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted(NOTEBOOK_DIR.glob("[0-9]*.ipynb"))
    if args.use_running_cloud or os.environ.get("WORKSHOP_TARGET", "local") != "local":
        return _run_all(paths, args.out)
    from workshop_utils.local_cloud import service

    # By default on a local cloud of its own: a presenter's deployed stacks survive `make run`.
    with service.private_cloud():
        return _run_all(paths, args.out)


def _run_all(paths: list[Path], out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    shutil.copy2(NOTEBOOK_DIR / GLOSSARY, out / GLOSSARY)  # the copies link to it, as the notebooks do
    for path in paths:
        started = time.perf_counter()
        print(f"Running {path.name}...", flush=True)
        try:
            executed = execute(path)
        except NotebookFailed as error:
            print(f"{error}\nOpen the notebook in JupyterLab to see the failing cell.", file=sys.stderr)
            return 1
        html_path = write_html(executed, out / f"{path.stem}.html")
        print(f"  ok in {time.perf_counter() - started:.1f} s -> {html_path}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
