"""Which resources of a template refer to which, and the order CloudFormation creates them in."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

_SUB_REFERENCE = re.compile(r"\$\{([A-Za-z0-9]+)[.}]")


def references(node: Any) -> Iterator[str]:
    """Logical ids a template fragment refers to (Ref, Fn::GetAtt, Fn::Sub)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                yield value
            elif key == "Fn::GetAtt":
                yield value.split(".", 1)[0] if isinstance(value, str) else value[0]
            elif key == "Fn::Sub":
                text = value if isinstance(value, str) else value[0]
                yield from _SUB_REFERENCE.findall(text)
                if not isinstance(value, str):
                    yield from references(value[1:])
            else:
                yield from references(value)
    elif isinstance(node, list):
        for item in node:
            yield from references(item)


def dependencies(resources: dict[str, Any]) -> dict[str, set[str]]:
    """For each logical id, the resources of the template it refers to or names in DependsOn."""
    needs: dict[str, set[str]] = {}
    for logical_id, resource in resources.items():
        depends_on = resource.get("DependsOn", [])
        named = [depends_on] if isinstance(depends_on, str) else list(depends_on)
        found = set(references(resource.get("Properties", {}))) | set(named)
        needs[logical_id] = {other for other in found if other in resources and other != logical_id}
    return needs


def dependency_order(resources: dict[str, Any]) -> list[str]:
    """Logical ids with every resource after the ones it refers to or DependsOn (as CloudFormation creates)."""
    needs = dependencies(resources)
    ordered: list[str] = []
    visiting: set[str] = set()

    def visit(logical_id: str) -> None:
        if logical_id in ordered or logical_id in visiting:
            return  # a cycle (invalid in CloudFormation) is broken rather than looped on
        visiting.add(logical_id)
        for other in sorted(needs[logical_id]):
            visit(other)
        visiting.discard(logical_id)
        ordered.append(logical_id)

    for logical_id in resources:
        visit(logical_id)
    return ordered
