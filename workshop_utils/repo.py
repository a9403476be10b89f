"""Where the checkout is: the one root every module finds the project's files from."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
