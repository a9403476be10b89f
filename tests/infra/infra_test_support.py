"""Constants and template helpers shared by the CDK app tests."""

from __future__ import annotations

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
