"""Shared helpers for the local cloud's CloudFormation resource types (a handle base, names, tags, backends)."""

from __future__ import annotations

import contextlib
import importlib
import json
from collections.abc import Iterator
from typing import Any

from moto.core.base_backend import BackendDict, BaseBackend

#: Errors a backend raises when the thing to delete is already gone (deletes must be idempotent).
NOT_FOUND_NAMES = ("NotFound", "DoesNotExist", "NonExistent", "UnknownFunction", "UnknownEventConfig")


class ResourceHandle:
    """Mixin for CloudFormation resources that are a handle (an id) onto state kept by a moto backend.

    Each registered model must list ``CloudFormationModel`` as a *direct* base (moto finds models through
    ``CloudFormationModel.__subclasses__()``), so shared behaviour lives in this mixin, listed first.
    """

    def __init__(self, physical_id: str, properties: dict[str, Any], account_id: str, region: str):
        self.physical_id = physical_id
        self.properties = properties
        self.account_id = account_id
        self.region = region

    @property
    def physical_resource_id(self) -> str:
        return self.physical_id

    @staticmethod
    def cloudformation_name_type() -> str:
        return ""

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return False

    def is_created(self) -> bool:
        return True

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.physical_id!r})"


def is_not_found(error: BaseException) -> bool:
    """True when a backend error means "it does not exist" (so a delete has nothing left to do)."""
    names = [type(error).__name__, getattr(error, "error_type", ""), getattr(error, "code", "")]
    return any(marker in str(name) for name in names for marker in NOT_FOUND_NAMES)


@contextlib.contextmanager
def ignoring_not_found() -> Iterator[None]:
    """Swallow "does not exist" errors: CloudFormation deletes succeed when the resource is already gone."""
    try:
        yield
    except Exception as error:  # moto raises many unrelated exception classes for "not found"
        if not is_not_found(error):
            raise


def short_name(generated: str, max_length: int) -> str:
    """Shorten a moto-generated ``<stack>-<logical id>-<suffix>`` name the way CloudFormation does."""
    if len(generated) <= max_length:
        return generated
    prefix, _, suffix = generated.rpartition("-")
    return f"{prefix[: max_length - len(suffix) - 1].rstrip('-')}-{suffix}"


def physical_name(resource_name: str, properties: dict[str, Any], name_property: str, max_length: int) -> str:
    """The name to create: the template's explicit name if any, else the generated one within ``max_length``."""
    explicit = properties.get(name_property)
    return str(explicit) if explicit else short_name(resource_name, max_length)


def tags_to_dict(tags: list[dict[str, str]] | dict[str, str] | None) -> dict[str, str]:
    """CloudFormation ``[{"Key": k, "Value": v}]`` tags as a plain dict."""
    if not tags:
        return {}
    if isinstance(tags, dict):
        return dict(tags)
    return {tag["Key"]: tag["Value"] for tag in tags}


def as_json_text(value: Any) -> str:
    """A policy document as the JSON text the APIs store (templates give objects, APIs take strings)."""
    return value if isinstance(value, str) else json.dumps(value)


def as_bool(value: Any) -> bool:
    """CloudFormation booleans arrive as bools or as the strings "true"/"false"."""
    return value if isinstance(value, bool) else str(value).lower() == "true"


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
