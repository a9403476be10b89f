"""Private files in the cloud's home: written atomically, readable by their user only."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


def private_folder(path: Path) -> Path:
    """Create `path` (and parents) with mode 0700; the home holds code and templates nobody else should read."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def write_private(path: Path, data: bytes) -> None:
    """Write atomically (a crash never leaves half a file) with mode 0600."""
    private_folder(path.parent)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    os.replace(temporary, path)


def write_json(path: Path, data: Any) -> None:
    write_private(path, json.dumps(data, indent=1, default=str).encode())


def read_json(path: Path) -> Any | None:
    """The file's JSON, or None when it is missing or unreadable (a record from an older version, say)."""
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None
