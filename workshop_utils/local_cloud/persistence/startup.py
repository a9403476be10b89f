"""The server's side of persistence: take over the last run's journal, record deploys, restore stacks at start,
and leave a start report for `start` (and the notebooks) to tell the learner what came back and what was lost."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from . import deployments, journal
from .files import private_folder, read_json, write_json

logger = logging.getLogger(__name__)

FOLDER_NAME = "persist"
REPORT_NAME = "start.json"
_restoring = threading.local()


def folder_of(home: Path) -> Path:
    return home / FOLDER_NAME


class Persistence:
    """What serve() holds for the life of the server (one call after install, one close at shutdown)."""

    def __init__(self, home: Path, installed: Any) -> None:
        self.folder = private_folder(folder_of(home))
        self.lost = journal.describe_lost(journal.take_over(self.folder))
        self.journal = journal.Journal(self.folder)
        installed.async_invoker.journal = self.journal
        self.pending_restore = bool(deployments.load_records(self.folder))
        self._write_report(restored=[], pending=self.pending_restore, lines=[])
        if self.lost:
            logger.warning("%s", self.lost)

    def after_extensions(self) -> None:
        """Once CloudFormation and Step Functions are loaded (before their requests are let in): journal the
        executions, record deploys from now on, and build the recorded stacks again."""
        lines: list[str] = []
        restored: list[str] = []
        try:
            from ..cloudformation import stacks as cloudformation_stacks
            from . import executions, names
            from .restore import restore_all

            executions.install(self.journal)
            names.install()
            cloudformation_stacks.deploy_listeners.append(self.on_stack_change)
            if self.pending_restore:
                with _restore_in_progress():
                    report = restore_all(self.folder)
                restored, lines = report.restored, report.sentences()
        except Exception as error:
            logger.exception("restoring the deployed stacks failed")
            lines.append(f"Your stacks could not be restored ({error}); deploy them again from their notebooks.")
        finally:
            for line in lines:
                logger.info("%s", line)
            self._write_report(restored=restored, pending=False, lines=lines)

    def on_stack_change(self, event: str, stack: Any) -> None:
        if getattr(_restoring, "active", False):
            return  # the record it comes from is already there
        try:
            if event == "deleted":
                deployments.forget_deleted(self.folder, stack.name)
            else:
                deployments.record_deployed(self.folder, stack)
        except Exception:  # a record that fails must not fail the deploy; the log says so
            logger.exception("could not record stack %s for restarts", stack.name)

    def close(self) -> None:
        self.journal.close()

    def _write_report(self, *, restored: list[str], pending: bool, lines: list[str]) -> None:
        write_json(self.folder / REPORT_NAME, {
            "pid": os.getpid(), "pending": pending, "restored": restored,
            "lines": lines + ([self.lost] if self.lost else []), "lost": self.lost,
        })


@contextmanager
def _restore_in_progress() -> Iterator[None]:
    _restoring.active = True
    try:
        yield
    finally:
        _restoring.active = False


def start_report(home: Path, pid: int | None, *, timeout: float = 60.0) -> list[str]:
    """The sentences of server `pid`'s start (what it restored, what was lost), once its restore is done."""
    if pid is None:
        return []
    path = folder_of(home) / REPORT_NAME
    deadline = time.monotonic() + timeout
    while True:
        report = read_json(path)
        if isinstance(report, dict) and report.get("pid") == pid and not report.get("pending"):
            return [str(line) for line in report.get("lines", [])]
        if time.monotonic() > deadline:
            return ["The local cloud is still restoring your stacks; its log says how far it got "
                    "(`python -m workshop_utils.local_cloud logs`)."]
        time.sleep(0.05)


def lost_requests(home: Path) -> str | None:
    """The sentence naming what the last crash lost (None when nothing was), for helpers run after a start."""
    report = read_json(folder_of(home) / REPORT_NAME)
    return report.get("lost") if isinstance(report, dict) else None
