"""moto's HTTP request path, with the look-ups whose answers never change done once instead of per request."""

from __future__ import annotations

import functools
from typing import Any

from moto.core import responses as moto_responses
from moto.moto_server.werkzeug_app import DomainDispatcherApplication

_moto_method_names_from_class = moto_responses.method_names_from_class


class LocalDispatcher(DomainDispatcherApplication):
    """moto works out a request's backend by listing its own package directory and trying every service's
    URL patterns, on every request and under one lock: about a tenth of the server's CPU at load. The answer
    for a host name never changes while the server runs, so it is looked up once per host."""

    def __init__(self, create_app: Any) -> None:
        super().__init__(create_app)
        self._backend_by_host: dict[str | None, Any] = {}

    def get_backend_for_host(self, host: str | None) -> Any:
        try:
            return self._backend_by_host[host]
        except KeyError:
            backend = self._backend_by_host[host] = super().get_backend_for_host(host)
            return backend


@functools.cache
def _method_names_from_class(clazz: object) -> list[str]:
    """moto lists a response class's methods with inspect.getmembers on every call (a sixth of a simple
    call's CPU) to check the action exists; a class's methods do not change while the server runs."""
    return _moto_method_names_from_class(clazz)


def install() -> None:
    """Cache moto's per-request look-ups (idempotent); LocalDispatcher is used by the server directly."""
    moto_responses.method_names_from_class = _method_names_from_class
