"""What a synth depends on, hashed: the key that lets the CDK runner skip a synth it has already done."""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from infra.config import EXERCISES_DIR_ENV
from workshop_utils.repo import REPO_ROOT

FINGERPRINT_SOURCES = ("infra", "lambdas", "cdk.json", "app.py")
_SKIPPED_PARTS = {"__pycache__", ".pytest_cache", ".ruff_cache", "node_modules", "cdk.out", ".ipynb_checkpoints"}
# Finder writes .DS_Store into any folder it opens on a Mac; it changes no synth.
_SKIPPED_NAMES = {".DS_Store"}
_SKIPPED_SUFFIXES = (".pyc", ".pyo")


def _source_files(root: Path, names: Iterable[str]) -> Iterable[Path]:
    for path in (root / name for name in names):
        if path.is_file():
            yield path
        elif path.is_dir():
            for child in sorted(path.rglob("*")):
                relative = child.relative_to(path)
                if (
                    child.is_file()
                    and not _SKIPPED_PARTS.intersection(relative.parts)
                    and not child.name.endswith(_SKIPPED_SUFFIXES)
                    and child.name not in _SKIPPED_NAMES
                ):
                    yield child


def _hash_sources(digest: Any, root: Path, names: Iterable[str]) -> None:
    for path in _source_files(root, names):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")


def sources_digest(names: Iterable[str], *, root: Path = REPO_ROOT, extra: str = "") -> str:
    """A hash of some of the sources (e.g. infra/ alone, which a warm synth process imports once), plus `extra`."""
    digest = hashlib.sha256()
    _hash_sources(digest, root, names)
    digest.update(extra.encode())
    return digest.hexdigest()


def fingerprint(
    context: Mapping[str, Any] | None = None,
    *,
    root: Path = REPO_ROOT,
    env: Mapping[str, str] | None = None,
    python: str = sys.executable,
) -> str:
    """A hash of what a synth depends on: infra/**, lambdas/**, exercises/**, cdk.json, the context, the target."""
    digest = hashlib.sha256()
    env = env or {}
    _hash_sources(digest, root, FINGERPRINT_SOURCES)
    # The learner's exercise files feed the app too (`-c sns_wiring=exercise`), wherever they are kept.
    exercises = Path(env[EXERCISES_DIR_ENV]) if env.get(EXERCISES_DIR_ENV) else root / "exercises"
    _hash_sources(digest, exercises.parent, (exercises.name,))
    # Sorted by key, but each value as given: the vendors' order in `recipients` changes the template.
    digest.update(json.dumps(sorted(dict(context or {}).items()), default=str).encode() + b"\0")
    for name in ("CDK_DEFAULT_ACCOUNT", "CDK_DEFAULT_REGION", "AWS_REGION"):
        digest.update(f"{name}={env.get(name, '')}\0".encode())
    digest.update(python.encode())
    return digest.hexdigest()
