"""Records of what was deployed: each stack's template, parameters and tags at its last successful deploy, and
the S3 objects (the CDK's asset zips) its resources read, so a restart can build the stacks again."""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import names
from .files import read_json, write_json, write_private

logger = logging.getLogger(__name__)

STACKS_FOLDER = "stacks"
ASSETS_FOLDER = "assets"
TOOLKIT_STACK = "CDKToolkit"
_lock = threading.Lock()


@dataclass
class StackRecord:
    """A stack as its last successful deploy left it."""

    name: str
    account_id: str
    region: str
    template: str
    parameters: dict[str, str]
    tags: dict[str, str] = field(default_factory=dict)
    notification_arns: list[str] = field(default_factory=list)
    role_arn: str | None = None
    termination_protection: bool = False
    assets: list[dict[str, str]] = field(default_factory=list)  # {"bucket", "key", "file"}
    names: dict[str, str] = field(default_factory=dict)  # logical id -> generated physical name
    as_json: str | None = None  # a YAML template (the CDK bootstrap's) parsed, as JSON: reading YAML is slow
    deployed_at: float = 0.0

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StackRecord:
        return cls(**{key: data[key] for key in cls.__dataclass_fields__ if key in data})


def _stack_file(folder: Path, name: str) -> Path:
    return folder / STACKS_FOLDER / f"{name}.json"


def _asset_file(bucket: str, key: str) -> str:
    return hashlib.sha256(f"{bucket}/{key}".encode()).hexdigest()


def _strings(value: Any) -> Iterator[str]:
    """Every string in a template (keys of S3 objects sit in Lambda Code properties, among others)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _referenced_objects(stack: Any) -> list[tuple[str, str, bytes]]:
    """(bucket, key, content) of every S3 object of the stack's account whose key the template names."""
    from moto.s3.models import s3_backends

    candidates = {text for text in _strings(stack.template_dict.get("Resources", {})) if "." in text or "/" in text}
    found = []
    for bucket in list(s3_backends[stack.account_id]["aws"].buckets.values()):
        for key in candidates:
            stored = bucket.keys.get(key)
            if stored is not None:
                found.append((bucket.name, key, stored.value))
    return found


def record_deployed(folder: Path, stack: Any) -> None:
    """Keep the stack as it was just deployed (called when it reaches *_COMPLETE)."""
    started = time.perf_counter()
    assets = []
    for bucket, key, content in _referenced_objects(stack):
        file_name = _asset_file(bucket, key)
        path = folder / ASSETS_FOLDER / file_name
        if not path.exists():
            write_private(path, content)
        assets.append({"bucket": bucket, "key": key, "file": file_name})
    record = StackRecord(
        name=stack.name, account_id=stack.account_id, region=stack.region_name, template=stack.template
        if isinstance(stack.template, str) else _as_json(stack.template),
        parameters={str(k): str(v) for k, v in (stack.parameters or {}).items()}, tags=dict(stack.tags or {}),
        notification_arns=list(stack.notification_arns or []), role_arn=stack.role_arn,
        termination_protection=bool(getattr(stack, "enable_termination_protection", False)), assets=assets,
        names=names.names_of(stack.name), as_json=_parsed_as_json(stack), deployed_at=time.time(),
    )
    with _lock:
        write_json(_stack_file(folder, stack.name), record.__dict__)
        _forget_unused_assets(folder)
    logger.info("recorded stack %s for restarts (%d assets, %.3f s)", stack.name, len(assets),
                time.perf_counter() - started)


def forget_deleted(folder: Path, name: str) -> None:
    """The stack is gone: a restart must not bring it back."""
    names.forget(name)
    with _lock:
        _stack_file(folder, name).unlink(missing_ok=True)
        _forget_unused_assets(folder)
    logger.info("stack %s deleted; no longer restored on restart", name)


def _forget_unused_assets(folder: Path) -> None:
    used = {asset["file"] for record in load_records(folder) for asset in record.assets}
    assets = folder / ASSETS_FOLDER
    if assets.is_dir():
        for path in assets.iterdir():
            if path.name not in used and not path.name.startswith("."):
                path.unlink(missing_ok=True)


def load_records(folder: Path) -> list[StackRecord]:
    """Every recorded stack, oldest deploy first."""
    stacks = folder / STACKS_FOLDER
    if not stacks.is_dir():
        return []
    records = []
    for path in stacks.glob("*.json"):
        data = read_json(path)
        if isinstance(data, dict):
            try:
                records.append(StackRecord.from_json(data))
            except TypeError:
                logger.warning("unreadable stack record %s ignored", path)
    return sorted(records, key=lambda record: record.deployed_at)


def asset_content(folder: Path, asset: dict[str, str]) -> bytes:
    return (folder / ASSETS_FOLDER / asset["file"]).read_bytes()


def _as_json(template: Any) -> str:
    return json.dumps(template)


def _parsed_as_json(stack: Any) -> str | None:
    if not isinstance(stack.template, str) or stack.template.lstrip().startswith("{"):
        return None
    try:
        return json.dumps(stack.template_dict, default=str)
    except (TypeError, ValueError):
        return None
