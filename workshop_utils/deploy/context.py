"""The context the CDK CLI hands the app (computed as the CLI does), and the errors it finds in an assembly."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from workshop_utils.repo import REPO_ROOT


def read_json(path: Path) -> dict[str, Any]:
    try:
        loaded = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _deep_merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def context_overrides(context: Mapping[str, Any] | None) -> dict[str, str]:
    """The context as `-c` passes it: strings; values other than strings as JSON (the app parses them).

    Keys inside a value keep their order: the vendors' order in `recipients` is the order of the branches.
    """
    return {
        key: value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
        for key, value in sorted((context or {}).items())
    }


def context_args(context: Mapping[str, Any] | None) -> list[str]:
    """`-c key=value` pairs, in key order."""
    return [arg for key, text in context_overrides(context).items() for arg in ("-c", f"{key}={text}")]


def cli_context(root: Path, overrides: Mapping[str, str], home: Path | None = None) -> dict[str, Any]:
    """The context `cdk synth -c ...` hands the app (CDK_CONTEXT_JSON), computed as the CLI does.

    Later sources win: ~/.cdk.json's context, cdk.context.json, cdk.json's context, then `-c` (strings, as the
    CLI passes them); then the keys the CLI derives from its settings (path and asset metadata, version
    reporting, bundling). A test compares the templates with the CLI's own synth.
    """
    user = read_json((home or Path.home()) / ".cdk.json")
    project = read_json(root / "cdk.json")
    context: dict[str, Any] = {}
    for bag in (user.get("context"), read_json(root / "cdk.context.json"), project.get("context"), overrides):
        context = _deep_merge(context, bag or {})
    settings = {**user, **project}
    if settings.get("pathMetadata", True):
        context["aws:cdk:enable-path-metadata"] = True
    if settings.get("assetMetadata", True):
        context["aws:cdk:enable-asset-metadata"] = True
    if settings.get("versionReporting", True):
        context["aws:cdk:version-reporting"] = True
    else:
        context["aws:cdk:disable-version-reporting"] = True
    if not settings.get("staging", True):
        context["aws:cdk:disable-asset-staging"] = True
    context["aws:cdk:bundling-stacks"] = settings.get("bundlingStacks", ["**"])
    context["@aws-cdk/core:failSynthOnValidationErrors"] = False
    return context


def assembly_errors(assembly: Path) -> list[str]:
    """Error annotations in a synthesized assembly, as the CLI prints them (`cdk synth` fails on any); the last
    one becomes the failure's cause."""
    manifest = read_json(assembly / "manifest.json")
    lines = []
    for artifact in (manifest.get("artifacts") or {}).values():
        for path, entries in (artifact.get("metadata") or {}).items():
            for entry in entries:
                if entry.get("type") == "aws:cdk:error":
                    lines.append(f"[Error at {path}] {entry.get('data')}")
    return lines


def default_recipients(root: Path = REPO_ROOT) -> dict[str, dict]:
    """The vendors in cdk.json's `recipients` context."""
    return json.loads((root / "cdk.json").read_text())["context"]["recipients"]
