"""Routing for backend subclasses that live outside moto (kept light: imported before the server listens)."""

from __future__ import annotations

import importlib
from typing import Any


class MotoUrlsMixin:
    """For backend subclasses living outside moto: route requests with the parent backend's ``urls`` module.

    moto's server finds a service's URL table from the backend class's module (``moto.x.models`` ->
    ``moto.x.urls``), which for a subclass defined here would be a module of ours.
    """

    @property
    def _url_module(self) -> Any:
        moto_class = next(cls for cls in type(self).__mro__ if cls.__module__.startswith("moto."))
        service_package = moto_class.__module__.split(".")[1]
        return importlib.import_module(f"moto.{service_package}.urls")
