"""Step Functions executions in the journal: one line when moto starts one, one when it ends (any status)."""

from __future__ import annotations

from typing import Any

from .journal import Journal

_installed: dict[str, Any] = {}


def install(journal: Journal) -> None:
    """Wrap moto's Execution.start and its worker's end (idempotent; the latest journal is used)."""
    from moto.stepfunctions.parser.backend import execution as moto_execution

    _installed["journal"] = journal
    if _installed.get("done"):
        return
    original_start = moto_execution.Execution.start
    original_terminated = moto_execution.BaseExecutionWorkerCommunication.terminated

    def start(self: Any) -> None:
        _installed["journal"].accepted(self.name, "execution", self.state_machine.name)
        original_start(self)

    def terminated(self: Any) -> None:
        try:
            original_terminated(self)
        finally:
            _installed["journal"].finished(self.execution.name)

    moto_execution.Execution.start = start  # type: ignore[method-assign]
    moto_execution.BaseExecutionWorkerCommunication.terminated = terminated  # type: ignore[method-assign]
    _installed["done"] = True
