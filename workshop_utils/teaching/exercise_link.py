"""notebooks/exercises, the link that shows exercises/ in JupyterLab's file browser: checked, and made again.

The checks read exercises/ at the project root. A copy made with macOS's `cp -r` (which follows links), or through
a FAT or exFAT USB stick (which holds no links), turns the link into a folder or a file of its own: what a learner
edits there is never checked. `make setup` puts the link back; the notebooks' checks say so when it is not.
"""

from __future__ import annotations

import filecmp
import shutil
import sys
from pathlib import Path

from workshop_utils.repo import REPO_ROOT

LINK = Path("notebooks") / "exercises"
TARGET = Path("..") / "exercises"
# What Finder, JupyterLab and Python leave in a folder without anyone editing it.
_NOT_EDITS = ["__pycache__", ".ipynb_checkpoints", ".DS_Store"]


def _is_the_link(link: Path, root: Path) -> bool:
    return link.is_symlink() and link.resolve() == (root / "exercises").resolve()


def _edited_files(copy: Path, original: Path) -> list[str]:
    """The files of `copy` that differ from `original` (or that only the copy has), as paths inside it."""
    found: list[str] = []
    pending = [filecmp.dircmp(copy, original, ignore=_NOT_EDITS)]
    while pending:
        compared = pending.pop()
        inside = Path(compared.left).relative_to(copy)
        found += [str(inside / name) for name in compared.left_only + compared.diff_files + compared.funny_files]
        pending += compared.subdirs.values()
    return sorted(found)


def problem(root: Path = REPO_ROOT) -> str | None:
    """One sentence when notebooks/exercises is not the link to exercises/ that the checks read; None when it is."""
    link = root / LINK
    if _is_the_link(link, root):
        return None
    if link.is_dir() and not link.is_symlink():
        edited = _edited_files(link, root / "exercises")
        if edited:
            return (f"notebooks/exercises is a copy, not the link to exercises/ that the checks read, and your edits "
                    f"there ({', '.join(edited)}) are not checked: copy them into exercises/, delete "
                    "notebooks/exercises, then run `make setup` in a terminal.")
        return ("notebooks/exercises is a copy, not the link to exercises/ that the checks read: run `make setup` in "
                "a terminal, which puts the link back, then open the exercise files again.")
    return ("notebooks/exercises is missing or is not the link to exercises/ that the checks read: run `make setup` "
            "in a terminal, which puts the link back.")


def repair(root: Path = REPO_ROOT) -> str | None:
    """Make notebooks/exercises the link again, unless a copy holds edits; what was done or is wrong, or None."""
    link = root / LINK
    if _is_the_link(link, root):
        return None
    if link.is_dir() and not link.is_symlink():
        if _edited_files(link, root / "exercises"):
            return problem(root)  # the learner's edits: theirs to move, never deleted here
        shutil.rmtree(link)
    elif link.is_symlink() or link.exists():
        link.unlink()  # a dangling link, or the plain file git writes where links are off
    try:
        link.symlink_to(TARGET, target_is_directory=True)
    except OSError:
        return ("This folder's disk cannot hold links (a FAT or exFAT USB stick?): copy the workshop to your home "
                "folder, then run make there.")
    return "notebooks/exercises was not the link to exercises/ (a copy loses it): made it again."


def main() -> int:
    """`make setup`'s step: print what was done or what the learner must do; fail only when nothing could be done."""
    said = repair()
    if said:
        print(said, file=sys.stderr)
    # A copy holding edits is the learner's to move: the lab still opens, and the exercise checks say it again.
    link = REPO_ROOT / LINK
    return 0 if _is_the_link(link, REPO_ROOT) or link.is_dir() else 1


if __name__ == "__main__":
    sys.exit(main())
