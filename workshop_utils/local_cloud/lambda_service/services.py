"""The running Lambda runtime, async invoker and SQS pollers: registered by install.py, read by the moto extensions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..lambda_runtime.pool import LambdaRuntime
    from .async_invoke import AsyncInvoker
    from .event_sources import SqsPollers


@dataclass
class Services:
    runtime: LambdaRuntime
    async_invoker: AsyncInvoker
    pollers: SqsPollers
    endpoint_url: str

    def shutdown(self) -> None:
        self.pollers.shutdown()
        self.async_invoker.shutdown()
        self.runtime.shutdown()


_current: Services | None = None


def current() -> Services:
    if _current is None:
        raise RuntimeError(
            "The local cloud's Lambda runtime is not installed; "
            "call workshop_utils.local_cloud.install.install() first."
        )
    return _current


def installed() -> bool:
    return _current is not None


def set_current(services: Services | None) -> None:
    global _current
    _current = services
