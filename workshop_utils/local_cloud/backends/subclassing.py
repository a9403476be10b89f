"""How a moto backend is extended here: the subclass is swapped into moto's BackendDict, before and after resets."""

from __future__ import annotations

from moto.core.base_backend import BackendDict, BaseBackend


def install_backend_class(backends: BackendDict, backend_class: type[BaseBackend]) -> None:
    """Make ``backends`` build ``backend_class`` (a subclass of its own class), now and after a reset.

    Region backends built before this call (only if something touched them before the local cloud's
    modules were imported) are switched to the subclass too; the subclasses add behaviour, not state.
    """
    original = backends.backend
    if original is backend_class:
        return
    if not issubclass(backend_class, original):
        raise TypeError(f"{backend_class.__name__} must subclass {original.__name__}")
    backends.backend = backend_class
    for account_backends in backends.values():
        account_backends.backend = backend_class
        for region_backend in account_backends.values():
            if type(region_backend) is original:
                region_backend.__class__ = backend_class
