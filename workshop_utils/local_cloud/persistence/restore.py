"""Build the recorded stacks again in a fresh local cloud, through moto's CloudFormation in this process."""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import deployments, names
from .deployments import TOOLKIT_STACK, StackRecord

logger = logging.getLogger(__name__)

_IMPORT = re.compile(r'"Fn::ImportValue"\s*:\s*"([^"]+)"')
_EXPORT = re.compile(r'"Export"\s*:\s*\{\s*"Name"\s*:\s*"([^"]+)"')


@dataclass
class RestoreReport:
    """Which stacks came back, which did not (and why), and how long it took."""

    restored: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    def sentences(self) -> list[str]:
        lines = []
        if self.restored:
            lines.append(f"Restored {', '.join(self.restored)} from the last deploy ({self.seconds:.1f} s).")
        for name, reason in self.failed.items():
            lines.append(f"{name} could not be restored ({reason}); deploy it again from its notebook "
                         "(its deploy cell, or ws.ready_for) before using it.")
        return lines


def restore_order(records: list[StackRecord]) -> list[StackRecord]:
    """The CDK bootstrap first (its bucket holds the others' code), then exporters before importers,
    otherwise in the order they were last deployed."""
    exported_by = {name: record.name for record in records for name in _EXPORT.findall(record.template)}
    pending = sorted(records, key=lambda record: (record.name != TOOLKIT_STACK, record.deployed_at))
    ordered: list[StackRecord] = []
    while pending:
        done = {record.name for record in ordered}
        ready = next((record for record in pending
                      if all(exported_by.get(name, record.name) in done | {record.name}
                             for name in _IMPORT.findall(record.template))), pending[0])  # a cycle: as recorded
        pending.remove(ready)
        ordered.append(ready)
    return ordered


def _put_assets(folder: Path, record: StackRecord) -> None:
    """Put back the S3 objects the stack's resources read (the bucket is the bootstrap's, restored first)."""
    from moto.s3.models import s3_backends

    s3 = s3_backends[record.account_id]["aws"]
    for asset in record.assets:
        if asset["bucket"] not in s3.buckets:
            s3.create_bucket(asset["bucket"], record.region)
        if s3.buckets[asset["bucket"]].keys.get(asset["key"]) is None:
            s3.put_object(asset["bucket"], asset["key"], deployments.asset_content(folder, asset))


def _create(backend: Any, record: StackRecord) -> None:
    with backend.lock:
        stack = backend.create_stack(
            name=record.name, template=record.as_json or record.template, parameters=dict(record.parameters),
            notification_arns=record.notification_arns, tags=dict(record.tags), role_arn=record.role_arn,
            enable_termination_protection=record.termination_protection,
        )
        if stack.status != "CREATE_COMPLETE":
            raise RuntimeError(f"it ended in {stack.status}")
        stack.template = record.template  # GetTemplate answers with what was deployed


def _remove_failed(backend: Any, name: str) -> None:
    """A stack that failed to come back is deleted, so its notebook's deploy starts clean."""
    try:
        with backend.lock:
            if any(stack.name == name for stack in backend.stacks.values()):
                backend.delete_stack(name)
    except Exception:  # what is left is said in the failure sentence already
        logger.exception("removing the half-restored stack %s failed", name)


def restore_all(folder: Path) -> RestoreReport:
    """Create every recorded stack again; one failing does not stop the others (they may not depend on it)."""
    from moto.cloudformation.models import cloudformation_backends

    started = time.perf_counter()
    report = RestoreReport()
    for record in restore_order(deployments.load_records(folder)):
        backend = cloudformation_backends[record.account_id][record.region]
        try:
            if any(stack.name == record.name and stack.status != "DELETE_COMPLETE"
                   for stack in backend.stacks.values()):
                continue  # deployed meanwhile (a deploy raced the restore): the newer one stays
            _put_assets(folder, record)
            names.reuse(record.name, record.names)
            try:
                _create(backend, record)
            finally:
                names.reuse(record.name, {})
            report.restored.append(record.name)
            logger.info("restored stack %s", record.name)
        except Exception as error:
            logger.exception("restoring stack %s failed", record.name)
            report.failed[record.name] = _reason(error)
            _remove_failed(backend, record.name)
    report.seconds = time.perf_counter() - started
    return report


def _reason(error: Exception) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text if len(text) <= 200 else text[:197] + "..."
