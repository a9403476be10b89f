"""notebooks/exercises: a copy (macOS `cp -r`, a FAT stick, git without links) is named in one sentence, and
`make setup` makes the link again unless the copy holds the learner's edits."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from workshop_utils.teaching import exercise_link, prerequisites

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "exercises").mkdir()
    (tmp_path / "exercises" / "vendors.py").write_text('VENDORS = {"Avis": {"base_rate": "99"}}\n')
    (tmp_path / "exercises" / "sns_wiring.py").write_text("def wire_scatter_gather(parts): ...\n")
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "exercises").symlink_to(Path("..") / "exercises", target_is_directory=True)
    return tmp_path


def copied_as_a_mac_does(project: Path) -> Path:
    """`cp -r` on macOS follows the link: notebooks/exercises becomes a folder of its own."""
    link = project / "notebooks" / "exercises"
    link.unlink()
    shutil.copytree(project / "exercises", link)
    return link


def test_the_shipped_link_is_intact() -> None:
    assert (REPO_ROOT / "notebooks" / "exercises").is_symlink()
    assert exercise_link.problem() is None
    assert prerequisites.check_exercises_link().ok


def test_the_link_is_left_alone(project: Path) -> None:
    assert exercise_link.problem(project) is None
    assert exercise_link.repair(project) is None


def test_an_untouched_copy_is_named_then_replaced_by_the_link(project: Path) -> None:
    copy = copied_as_a_mac_does(project)
    (copy / ".DS_Store").write_bytes(b"Bud1")  # Finder's, not an edit
    (copy / "__pycache__").mkdir()
    assert exercise_link.problem(project) == (
        "notebooks/exercises is a copy, not the link to exercises/ that the checks read: run `make setup` in a "
        "terminal, which puts the link back, then open the exercise files again.")
    assert "made it again" in exercise_link.repair(project)
    assert copy.is_symlink() and exercise_link.problem(project) is None


def test_a_copy_holding_edits_is_named_with_them_and_kept(project: Path) -> None:
    copy = copied_as_a_mac_does(project)
    (copy / "vendors.py").write_text('VENDORS = {"Avis": {"base_rate": "99"}, "Hertz": {"base_rate": "110"}}\n')
    sentence = exercise_link.problem(project)
    assert sentence.startswith("notebooks/exercises is a copy, not the link to exercises/ that the checks read, "
                               "and your edits there (vendors.py) are not checked: copy them into exercises/")
    assert exercise_link.repair(project) == sentence
    assert not copy.is_symlink() and "Hertz" in (copy / "vendors.py").read_text()


@pytest.mark.parametrize("broken", ["missing", "plain file", "dangling link"])
def test_a_lost_link_is_made_again(project: Path, broken: str) -> None:
    link = project / "notebooks" / "exercises"
    link.unlink()
    if broken == "plain file":
        link.write_text("../exercises")  # what git checks out where links are off (a FAT or exFAT stick)
    elif broken == "dangling link":
        link.symlink_to(project / "gone")
    assert exercise_link.problem(project).startswith("notebooks/exercises is missing or is not the link")
    exercise_link.repair(project)
    assert exercise_link.problem(project) is None
    assert (link / "vendors.py").read_text() == (project / "exercises" / "vendors.py").read_text()


def test_a_disk_without_links_is_named(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (project / "notebooks" / "exercises").unlink()

    def no_links(*_args: object, **_kwargs: object) -> None:
        raise OSError(1, "Operation not permitted")

    monkeypatch.setattr(Path, "symlink_to", no_links)
    assert exercise_link.repair(project).startswith("This folder's disk cannot hold links (a FAT or exFAT USB stick?)")


def test_the_prerequisites_row_carries_the_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(exercise_link, "problem", lambda: "notebooks/exercises is a copy, ...")
    check = prerequisites.check_exercises_link()
    assert not check.ok and check.fix == "notebooks/exercises is a copy, ..."


def test_make_setup_puts_the_link_back() -> None:
    planned = subprocess.run(["make", "--no-print-directory", "-n", "setup"], cwd=REPO_ROOT, capture_output=True,
                             text=True, timeout=60).stdout.splitlines()
    assert planned[-1].endswith("-m workshop_utils.teaching.exercise_link")
    done = subprocess.run([sys.executable, "-m", "workshop_utils.teaching.exercise_link"], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stderr) == (0, "")


def test_the_exercise_checks_say_it_before_checking(monkeypatch: pytest.MonkeyPatch) -> None:
    from workshop_utils import notebook
    from workshop_utils.teaching import exercise_files
    from workshop_utils.ui import cell_output

    shown: list[str] = []
    monkeypatch.setattr(cell_output, "show", shown.append)
    monkeypatch.setattr(exercise_link, "problem", lambda: "notebooks/exercises is a copy, not the link ...")
    monkeypatch.setattr(exercise_files, "load_vendors", notebook.default_recipients)
    notebook.check_vendors_exercise()
    assert "notebooks/exercises is a copy, not the link" in shown[0]
    assert "still names only" in shown[1]  # the check itself goes on, on exercises/
