"""cdk.out, the synthesized cloud assembly: the fingerprint it was made from, its stacks and their resource counts."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

FINGERPRINT_FILE = "workshop-fingerprint.json"


def stored_fingerprint(assembly: Path) -> str | None:
    """The fingerprint the assembly was synthesized from; None when there is none to trust."""
    try:
        return json.loads((assembly / FINGERPRINT_FILE).read_text())["fingerprint"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def is_current(assembly: Path, fingerprint: str) -> bool:
    """True when the assembly holds a synth made from exactly this fingerprint."""
    return (assembly / "manifest.json").exists() and stored_fingerprint(assembly) == fingerprint


def forget_fingerprint(assembly: Path) -> None:
    """Before a synth: a synth that fails half-way must not look current."""
    (assembly / FINGERPRINT_FILE).unlink(missing_ok=True)


def record_fingerprint(assembly: Path, fingerprint: str, context: Mapping[str, Any] | None) -> None:
    """After a synth: what it was made from (the context too, for a human reading cdk.out)."""
    (assembly / FINGERPRINT_FILE).write_text(
        json.dumps({"fingerprint": fingerprint, "context": dict(context or {})}, indent=2, default=str)
    )


def stacks_in(assembly: Path) -> dict[str, dict]:
    """The assembly's stacks, by name: their manifest artifacts."""
    try:
        artifacts = json.loads((assembly / "manifest.json").read_text()).get("artifacts", {})
    except (OSError, ValueError):
        return {}
    return {
        name: artifact for name, artifact in artifacts.items() if artifact.get("type") == "aws:cloudformation:stack"
    }


def expected_total(assembly: Path, stack: str) -> int | None:
    """Resources in the synthesized template, plus the stack itself (how the CLI counts)."""
    artifact = stacks_in(assembly).get(stack)
    if not artifact:
        return None
    template = artifact.get("properties", {}).get("templateFile", f"{stack}.template.json")
    try:
        resources = json.loads((assembly / template).read_text()).get("Resources", {})
    except (OSError, ValueError):
        return None
    return len(resources) + 1
