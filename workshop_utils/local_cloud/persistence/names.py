"""The generated physical names of a stack's resources (``Stack-Logical-RANDOM``), kept so that a restored stack
has the names it had: the function names, queue URLs and log groups a notebook already holds keep working."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

# (stack name, logical id) -> the name its live resource was created with.
_used: dict[tuple[str, str], str] = {}
# Names to hand out again while a stack is being restored.
_reuse: dict[tuple[str, str], str] = {}
_lock = threading.Lock()
_pending = threading.local()  # the name just generated for a resource, until it is known to be used


def names_of(stack_name: str) -> dict[str, str]:
    """{logical id: generated name} of the stack's resources."""
    with _lock:
        return {logical: name for (stack, logical), name in _used.items() if stack == stack_name}


def forget(stack_name: str) -> None:
    with _lock:
        for key in [key for key in _used if key[0] == stack_name]:
            del _used[key]


def reuse(stack_name: str, names: dict[str, str]) -> None:
    """Give the stack's resources these names when they are created next (the restore); {} forgets the rest."""
    with _lock:
        for key in [key for key in _reuse if key[0] == stack_name]:
            del _reuse[key]
        _reuse.update({(stack_name, logical): name for logical, name in names.items()})


def _generated(original: Callable[[str, str, str], str]) -> Callable[[str, str, str], str]:
    def generate_resource_name(resource_type: str, stack_name: str, logical_id: str) -> str:
        key = (stack_name, logical_id)
        with _lock:
            name = _reuse.pop(key, None)
        name = name or original(resource_type, stack_name, logical_id)
        if not hasattr(_pending, "names"):
            _pending.names = {}
        _pending.names[key] = name
        return name

    return generate_resource_name


def _use(resources_map: Any, logical_id: str) -> None:
    key = (str(resources_map["AWS::StackName"]), logical_id)
    name = getattr(_pending, "names", {}).pop(key, None)
    if name is not None:
        with _lock:
            _used[key] = name


def install() -> None:
    """Wrap moto's name generation and the two places that create resources with a generated name (idempotent)."""
    from moto.cloudformation import parsing

    from ..cloudformation import resource_map

    if getattr(parsing.generate_resource_name, "_kept", False):
        return
    create, update = parsing.parse_and_create_resource, resource_map.parse_and_update_resource

    def parse_and_create_resource(logical_id: str, resource_json: Any, resources_map: Any, *args: Any,
                                  **kwargs: Any) -> Any:
        resource = create(logical_id, resource_json, resources_map, *args, **kwargs)
        if resource is not None:
            _use(resources_map, logical_id)
        return resource

    def parse_and_update_resource(logical_id: str, resource_json: Any, resources_map: Any, *args: Any,
                                  **kwargs: Any) -> Any:
        before = resources_map._parsed_resources.get(logical_id)
        resource = update(logical_id, resource_json, resources_map, *args, **kwargs)
        if resource is not None and resource is not before:  # replaced: the new resource has the new name
            _use(resources_map, logical_id)
        return resource

    generate = _generated(parsing.generate_resource_name)
    generate._kept = True  # type: ignore[attr-defined]
    parsing.generate_resource_name = generate
    parsing.parse_and_create_resource = parse_and_create_resource
    resource_map.parse_and_update_resource = parse_and_update_resource
