"""One sentence, not a traceback, when the local cloud stops while a notebook cell runs (a crash, a stop, a reboot)."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.error import URLError

from botocore.exceptions import ConnectionError as BotocoreConnectionError
from botocore.exceptions import HTTPClientError
from urllib3.exceptions import HTTPError

from workshop_utils.cloud import target
from workshop_utils.deploy.failures import CdkCommandFailed

STOPPED = ("Your local cloud stopped while this cell ran: run `make cloud-start` (it restores your stacks), "
           "then re-run this cell.")

Function = TypeVar("Function", bound=Callable[..., Any])


class LocalCloudStopped(RuntimeError):
    """The local cloud went away during the call; what the cell was doing is lost, the deployed stacks are not."""

    def __init__(self) -> None:
        super().__init__(STOPPED)

    def _render_traceback_(self) -> list[str]:
        # IPython shows this instead of a traceback: the sentence is the whole story.
        return [str(self)]


def _own_local_cloud_down() -> bool:
    """The target is this user's own local cloud, and it does not run now."""
    if target.current() != target.LOCAL or target.endpoint_override() is not None:
        return False
    # Here, not at the top: only a failed call asks, and the local cloud's client (psutil, its state files) need
    # not load with every notebook's import.
    from workshop_utils.local_cloud import service

    try:
        return not service.status(timeout=2.0).healthy
    except Exception:  # no state to read: it is not running
        return True


def _lost_connection(error: BaseException) -> bool:
    """The error, or one it came from, is a connection that failed (refused, reset, closed mid-answer), or a CDK
    CLI run that failed (it talks to the endpoint in a subprocess; its own error names the connection)."""
    lost = (BotocoreConnectionError, HTTPClientError, ConnectionError, URLError, HTTPError, CdkCommandFailed)
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, lost):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def explain(error: BaseException) -> BaseException:
    """`error`, or LocalCloudStopped when the call failed because the local cloud is gone."""
    if isinstance(error, LocalCloudStopped) or not isinstance(error, Exception) or not _lost_connection(error):
        return error
    return LocalCloudStopped() if _own_local_cloud_down() else error


def guarded(function: Function) -> Function:
    """`function`, ending in LocalCloudStopped (one sentence) when the local cloud stopped during the call."""

    @functools.wraps(function)
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except Exception as error:
            explained = explain(error)
            if explained is error:
                raise
            raise explained from None  # the connection error's traceback would only hide the sentence

    return call  # type: ignore[return-value]


def guard_module(namespace: dict[str, Any]) -> None:
    """Guard every public function a module defines (the notebooks' facade calls this once, at its end)."""
    module = namespace["__name__"]
    for name, value in list(namespace.items()):
        if (not name.startswith("_") and inspect.isfunction(value) and value.__module__ == module
                and not inspect.isgeneratorfunction(value)):
            namespace[name] = guarded(value)
