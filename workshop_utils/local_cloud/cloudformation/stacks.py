"""The local cloud's CloudFormation backend: moto's, plus what `cdk deploy` and `cdk destroy` rely on."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

from moto.cloudformation.exceptions import CloudFormationError, ValidationError
from moto.cloudformation.models import ChangeSet, CloudFormationBackend, Stack

logger = logging.getLogger(__name__)

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


def dependency_order(resources: dict[str, Any]) -> list[str]:
    """Logical ids with every resource after the ones it refers to or DependsOn (as CloudFormation creates)."""
    needs: dict[str, set[str]] = {}
    for logical_id, resource in resources.items():
        depends_on = resource.get("DependsOn", [])
        named = [depends_on] if isinstance(depends_on, str) else list(depends_on)
        found = set(references(resource.get("Properties", {}))) | set(named)
        needs[logical_id] = {other for other in found if other in resources and other != logical_id}
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


class ChangeSetNotFoundError(CloudFormationError):
    """AWS's answer for a change set that does not exist (the CDK waits for it after deleting one)."""

    code = "ChangeSetNotFoundException"


class LocalCloudFormationBackend(CloudFormationBackend):
    """moto's CloudFormation backend with what ``cdk deploy`` needs on top.

    - A change set created for a new stack starts from an empty template, and moto builds a stack's
      Outputs once, from the template it had when created: so after ``execute_change_set`` the Outputs
      (and exports) are rebuilt from the template just applied (``cdk deploy --outputs-file``).
    - Change sets are found by name *and* stack (CDK names every change set "cdk-deploy-change-set"); a
      missing one is ChangeSetNotFound (moto says ValidationError), and deleting a missing one is a no-op.
    - TemplateURLs on the local endpoint (``http://127.0.0.1:<port>/<bucket>/<key>``) are read (see
      :mod:`.cloudformation_responses`).
    - A stack is deleted dependents first (moto deletes in set order and retries on errors).
    - A resource that fails to create or update leaves a stack event with the reason, a final stack status
      (ROLLBACK_COMPLETE or UPDATE_ROLLBACK_COMPLETE, so the next deploy can go ahead) and a
      CloudFormation error (a ValidationError) rather than the other service's error format.
    """

    @property
    def _url_module(self) -> Any:
        """Serve the API with :class:`LocalCloudFormationResponse` (moto picks handlers from this module)."""
        from . import urls as cloudformation_urls

        return cloudformation_urls

    def create_stack(self, name: str, template: str, parameters: dict[str, Any], *args: Any,
                     **kwargs: Any) -> Stack:
        try:
            return super().create_stack(name, template, parameters, *args, **kwargs)
        except CloudFormationError:
            raise
        except Exception as error:
            stack = next((s for s in self.stacks.values() if s.name == name), None)
            raise self._failed(stack, "CREATE", error) from error

    def execute_change_set(self, change_set_name: str, stack_name: str | None = None) -> None:
        change_set = self._find_change_set(change_set_name, stack_name)
        stack = self.stacks[change_set.stack_id]
        before = set(stack.resource_map._resource_json_map)
        try:
            super().execute_change_set(change_set.change_set_id, stack_name)
        except Exception as error:
            raise self._failed(stack, change_set.change_set_type, error) from error
        self._forget_removed(stack, before)
        stack.parameters = dict(change_set.parameters or {})  # the values given, for UsePreviousValue
        self._refresh_outputs(stack)

    def update_stack(
        self,
        name: str,
        template: str,
        role_arn: str | None,
        parameters: list[dict[str, Any]],
        tags: dict[str, str] | None,
    ) -> Stack:
        existing = next((s for s in self.stacks.values() if s.name == name), None)
        before = set(existing.resource_map._resource_json_map) if existing else set()
        try:
            stack = super().update_stack(name, template, role_arn, parameters, tags)
        except CloudFormationError:
            raise
        except Exception as error:
            raise self._failed(self.get_stack(name), "UPDATE", error) from error
        self._forget_removed(stack, before)
        self._refresh_exports(stack)
        return stack

    @staticmethod
    def _forget_removed(stack: Stack, before: set[str]) -> None:
        """Drop resources an update removed from the parsed-resource cache.

        moto deletes them but keeps them cached, so a resource removed and later added again (a vendor
        taken out, then back in) would be "created" from the cache: a deleted function, never recreated.
        """
        resource_map = stack.resource_map
        for logical_id in before - set(resource_map._resource_json_map):
            resource_map._parsed_resources.pop(logical_id, None)

    def describe_change_set(self, change_set_name: str, stack_name: str | None = None) -> ChangeSet:
        return self._find_change_set(change_set_name, stack_name)

    def delete_change_set(self, change_set_name: str, stack_name: str | None = None) -> None:
        """Deleting a change set that does not exist is a no-op (the CDK deletes its old one before each deploy)."""
        try:
            change_set = self._find_change_set(change_set_name, stack_name)
        except ChangeSetNotFoundError:
            return
        del self.change_sets[change_set.change_set_id]

    def list_change_sets(self, stack_name: str | None = None) -> list[ChangeSet]:  # type: ignore[override]
        return [change_set for change_set in self.change_sets.values()
                if not stack_name or stack_name in (change_set.stack_name, change_set.stack_id)]

    def delete_stack(self, name_or_stack_id: str) -> None:
        stack = self.stacks.get(name_or_stack_id) or next(
            (s for s in self.stacks.values() if s.name == name_or_stack_id), None
        )
        if stack is not None:
            self._delete_dependents_first(stack)
        super().delete_stack(name_or_stack_id)

    @staticmethod
    def _delete_dependents_first(stack: Stack) -> None:
        """Delete resources before what they refer to, as CloudFormation does (an event source mapping
        before its queue, a subscription before its function); moto's own pass, which retries in any
        order, then deletes whatever is left."""
        resource_map = stack.resource_map
        templates = resource_map._resource_json_map
        for logical_id in reversed(dependency_order(templates)):
            resource = resource_map._parsed_resources.get(logical_id)
            if resource is None or isinstance(resource, str) or templates[logical_id].get("DeletionPolicy") == "Retain":
                continue
            try:
                resource_map._delete_resource(resource, templates[logical_id])
            except Exception as error:  # left to moto's pass, which retries
                logger.debug("stack %s: deleting %s first failed: %s", stack.name, logical_id, error)
            else:
                resource_map._parsed_resources.pop(logical_id, None)

    def _find_change_set(self, change_set_name: str, stack_name: str | None) -> ChangeSet:
        if change_set_name in self.change_sets:
            return self.change_sets[change_set_name]
        matches = [change_set for change_set in self.list_change_sets(stack_name)
                   if change_set.change_set_name == change_set_name]
        if not matches:
            raise ChangeSetNotFoundError(f"ChangeSet [{change_set_name}] does not exist")
        return matches[-1]

    def _refresh_outputs(self, stack: Stack) -> None:
        stack._parse_template()
        stack.description = stack.template_dict.get("Description")
        stack.output_map = stack._create_output_map()
        self._refresh_exports(stack)

    def _refresh_exports(self, stack: Stack) -> None:
        for name, export in list(self.exports.items()):
            if export.exporting_stack_id == stack.stack_id:
                del self.exports[name]
        self._validate_export_uniqueness(stack)
        for export in stack.exports:
            self.exports[export.name] = export

    @staticmethod
    def _failed(stack: Stack | None, kind: str, error: Exception) -> ValidationError:
        """Record why ``stack`` failed and return the CloudFormation error to raise."""
        if isinstance(error, CloudFormationError) and stack is None:
            return error  # type: ignore[return-value]
        logger.warning("stack %s: %s failed", stack.name if stack else "?", kind.lower(), exc_info=error)
        detail = getattr(error, "message", None) or getattr(error, "description", None) or str(error)
        reason = f"Resource handler returned message: {type(error).__name__}: {detail}"
        if stack is not None:
            stack._add_stack_event(f"{kind}_FAILED", resource_status_reason=reason)
            stack.status = "ROLLBACK_COMPLETE" if kind == "CREATE" else "UPDATE_ROLLBACK_COMPLETE"
        return ValidationError(stack.name if stack else None, message=reason)
