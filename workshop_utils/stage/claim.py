"""Who has the stage: the newest dashboard page; an older page's kernel stops acting once it has lost it."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from workshop_utils.deploy.output_dir import output_dir


def claim_path() -> Path:
    """The claim file, next to the checkout's other generated files (build/stage/)."""
    return output_dir() / "build" / "stage" / "claim.json"


class StageClaim:
    """A page's hold on the stage: taken when the page starts, lost when a newer page takes it.

    Voila shuts a closed or reloaded page's kernel down; when that fails (a browser that crashed, a refused
    shutdown), the old kernel can still be working through clicks and lever changes queued before the reload.
    It checks its claim before each one and drops them once a newer page holds the stage.
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or claim_path()
        self.token = secrets.token_hex(8)

    def take(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(f".{self.token}.tmp")
        partial.write_text(json.dumps({"token": self.token, "pid": os.getpid()}))
        partial.replace(self.path)  # atomic: a reader sees the old claim or the new one, never half of one

    def held(self) -> bool:
        try:
            return json.loads(self.path.read_text()).get("token") == self.token
        except (OSError, ValueError):
            return True  # no claim file (removed by `make clean`): nobody newer has taken the stage
