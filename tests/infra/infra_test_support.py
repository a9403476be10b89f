"""Constants and template helpers shared by the CDK app tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.config import DEFAULT_RECIPIENTS

REPO_ROOT = Path(__file__).resolve().parents[2]
PARALLEL = "ScatterGatherWithParallelStack"
SNS = "ScatterGatherWithSNSStack"
THREE_VENDORS = {**DEFAULT_RECIPIENTS, "Hertz": {"base_rate": "110", "latency_ms": "250", "failure_rate": "0.5"}}


def resources(template: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    return {key: value for key, value in template["Resources"].items() if value["Type"] == resource_type}


def flatten_join(value: Any) -> str:
    """A Fn::Join of strings and intrinsics as one string, intrinsics shown as "<ref>"."""
    if isinstance(value, str):
        return value
    separator, parts = value["Fn::Join"]
    return separator.join(part if isinstance(part, str) else "<ref>" for part in parts)


@dataclass(frozen=True)
class Synthesized:
    """One synthesized app: its vendors, templates by stack name, and the cloud assembly."""

    vendors: tuple[str, ...]
    batching_window: int
    deadline: int
    catch_failures: bool
    templates: dict[str, dict[str, Any]]
    assembly: Any
    outdir: Path


def synthesize(
    outdir: Path, context: dict[str, Any] | None, vendors: tuple[str, ...], window: int, deadline: int, catch: bool
) -> Synthesized:
    from infra.app import build_app

    assembly = build_app(context, outdir=str(outdir)).synth()
    templates = {name: assembly.get_stack_by_name(name).template for name in (PARALLEL, SNS)}
    return Synthesized(vendors, window, deadline, catch, templates, assembly, outdir)
