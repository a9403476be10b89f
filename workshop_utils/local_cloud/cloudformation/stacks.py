"""The local cloud's CloudFormation backend: moto's, plus what `cdk deploy` and `cdk destroy` rely on."""

from __future__ import annotations

import contextlib
import json
import logging
import threading
from collections.abc import Callable
from typing import Any

from moto.cloudformation.exceptions import AlreadyExistsException, CloudFormationError, ValidationError
from moto.cloudformation.models import ChangeSet, CloudFormationBackend, Stack
from moto.cloudformation.utils import generate_stack_id

from .order import dependency_order, references
from .resource_map import LocalResourceMap, failure_reason

__all__ = ["ChangeSetNotFoundError", "LocalCloudFormationBackend", "LocalStack", "dependency_order", "references"]

logger = logging.getLogger(__name__)

STACK_TYPE = "AWS::CloudFormation::Stack"

# One lock a backend, made on first use: backends switched to the subclass in place have no __init__ of ours.
_LOCKS_GUARD = threading.Lock()
# The change set a request thread started (ExecuteChangeSet), for its answer to wait on.
_started = threading.local()

#: Told ("deployed", stack) when a stack reaches *_COMPLETE and ("deleted", stack) when it is gone (persistence).
deploy_listeners: list[Callable[[str, Stack], None]] = []

#: How long ExecuteChangeSet waits for its change set before answering (it runs on a thread all the same). The
#: CDK CLI reads the stack's status right after ExecuteChangeSet, then every 5 s: a local change set (under a
#: second) that finished before the answer costs no 5-s wait, while a slower one is watched as on AWS.
EXECUTE_GRACE_SECONDS = 2.0


class ChangeSetNotFoundError(CloudFormationError):
    """AWS's answer for a change set that does not exist (the CDK waits for it after deleting one)."""

    code = "ChangeSetNotFoundException"


class LocalStack(Stack):
    """moto's Stack, with a :class:`LocalResourceMap` from the start (create_stack creates right away)."""

    @staticmethod
    def parse_template(template: str) -> dict[str, Any]:  # type: ignore[override]
        """A JSON template (the CDK's) read as JSON: moto's YAML loader takes 0.2 s for one of the workshop's
        stacks, most of a restore at start; YAML templates still go to moto's."""
        if isinstance(template, str) and template.lstrip().startswith("{"):
            try:
                return json.loads(template)
            except ValueError:
                pass
        return Stack.parse_template(template)

    def _create_resource_map(self) -> LocalResourceMap:
        # No lock yet: nothing is created in __init__, and the backend gives its lock before anything is.
        return LocalResourceMap.adopt(super()._create_resource_map(), self, contextlib.nullcontext())


class LocalCloudFormationBackend(CloudFormationBackend):
    """moto's CloudFormation backend with what ``cdk deploy`` needs on top.

    - ExecuteChangeSet answers at once and the change set runs on a thread, as on AWS: the stack is
      ``*_IN_PROGRESS`` while its resources are created, updated and deleted one by one (see
      :class:`LocalResourceMap`), each with its events, and ``describe_stack_events`` is read meanwhile.
      Every CloudFormation request and every step of a running change set holds :attr:`lock`.
    - A change set created for a new stack starts from an empty template, and moto builds a stack's
      Outputs once, from the template it had when created: so after a change set the Outputs
      (and exports) are rebuilt from the template just applied (``cdk deploy --outputs-file``).
    - Change sets are found by name *and* stack (CDK names every change set "cdk-deploy-change-set"); a
      missing one is ChangeSetNotFound (moto says ValidationError), and deleting a missing one is a no-op.
    - TemplateURLs on the local endpoint (``http://127.0.0.1:<port>/<bucket>/<key>``) are read (see
      :mod:`.cloudformation_responses`).
    - A stack is deleted dependents first (moto deletes in set order and retries on errors).
    - A resource that fails leaves its ``*_FAILED`` event with the reason, then the stack rolls back as
      on AWS (ROLLBACK_IN_PROGRESS, the created resources deleted, ROLLBACK_COMPLETE; an update ends in
      UPDATE_ROLLBACK_COMPLETE, so the next deploy can go ahead). CreateStack and UpdateStack still run
      synchronously and answer a failure with a CloudFormation error (a ValidationError).
    """

    @property
    def lock(self) -> threading.RLock:
        """Serialises this backend's requests and the steps of its running change sets."""
        lock = self.__dict__.get("_lock")
        if lock is None:
            with _LOCKS_GUARD:
                lock = self.__dict__.setdefault("_lock", threading.RLock())
        return lock

    @property
    def _url_module(self) -> Any:
        """Serve the API with :class:`LocalCloudFormationResponse` (moto picks handlers from this module)."""
        from . import urls as cloudformation_urls

        return cloudformation_urls

    def _local(self, stack: Stack) -> LocalResourceMap:
        """The stack's resource map as a LocalResourceMap (moto builds plain ones for change sets)."""
        stack.resource_map = LocalResourceMap.adopt(stack.resource_map, stack, self.lock)
        return stack.resource_map

    def create_stack(self, name: str, template: str, parameters: dict[str, Any], notification_arns: Any = None,
                     tags: dict[str, str] | None = None, role_arn: str | None = None,
                     enable_termination_protection: bool | None = False, timeout_in_mins: int | None = None,
                     stack_policy_body: str | None = None) -> Stack:
        """moto's create_stack, with a LocalStack (its resources and their events in dependency order)."""
        if name in [stack.name for stack in self.stacks.values()]:
            raise AlreadyExistsException(f"Stack {name} already exists")
        stack: Stack | None = None
        try:
            stack = LocalStack(
                stack_id=generate_stack_id(name, self.region_name, self.account_id), name=name,
                template=template, parameters=parameters, account_id=self.account_id,
                region_name=self.region_name, notification_arns=notification_arns, tags=tags, role_arn=role_arn,
                cross_stack_resources=self.exports, enable_termination_protection=enable_termination_protection,
                timeout_in_mins=timeout_in_mins, stack_policy_body=stack_policy_body,
            )
            self._local(stack)
            self.stacks[stack.stack_id] = stack
            self._validate_export_uniqueness(stack)
            for export in stack.exports:
                self.exports[export.name] = export
            stack._add_stack_event("CREATE_IN_PROGRESS", resource_status_reason="User Initiated")
            stack.create_resources()
            _tell("deployed", stack)
            return stack
        except CloudFormationError:
            raise
        except Exception as error:
            raise self._failed(stack, "CREATE", error) from error

    def create_change_set(self, stack_name: str, change_set_name: str, *args: Any, **kwargs: Any) -> tuple[str, str]:
        change_set_id, stack_id = super().create_change_set(stack_name, change_set_name, *args, **kwargs)
        self._local(self.stacks[stack_id])
        return change_set_id, stack_id

    def execute_change_set(self, change_set_name: str, stack_name: str | None = None) -> None:
        """Start the change set and answer (AWS does too); the stack is ``*_IN_PROGRESS`` until it ends."""
        change_set = self._find_change_set(change_set_name, stack_name)
        stack = self.stacks[change_set.stack_id]
        self._refuse_while_busy(stack, "updated")
        kind = change_set.change_set_type
        self._local(stack)
        change_set.execution_status = "EXECUTE_IN_PROGRESS"
        stack.status = f"{kind}_IN_PROGRESS"
        stack._add_stack_event(f"{kind}_IN_PROGRESS", resource_status_reason="User Initiated")
        worker = threading.Thread(target=self._run_change_set, args=(change_set, stack),
                                  name=f"cloudformation-{stack.name}", daemon=True)
        worker.start()
        _started.worker = worker

    @staticmethod
    def wait_for_started_change_set(timeout: float = EXECUTE_GRACE_SECONDS) -> None:
        """Wait (up to ``timeout``) for the change set this thread's request started; call without the lock."""
        worker = getattr(_started, "worker", None)
        _started.worker = None
        if worker is not None:
            worker.join(timeout)

    @staticmethod
    def _refuse_while_busy(stack: Stack, verb: str) -> None:
        if stack.status.endswith("_IN_PROGRESS") and stack.status != "REVIEW_IN_PROGRESS":
            raise ValidationError(stack.name, message=(
                f"Stack:{stack.stack_id} is in {stack.status} state and can not be {verb}."))

    def _run_change_set(self, change_set: ChangeSet, stack: Stack) -> None:
        """The change set's work, on its own thread; every step takes the lock, so requests go on between."""
        kind = change_set.change_set_type

        def take_the_new_template() -> None:
            stack.template = change_set.template
            stack.parameters = dict(change_set.parameters or {})  # the values given, for UsePreviousValue
            self._refresh_outputs(stack)

        try:
            resource_map = stack.resource_map  # a LocalResourceMap since execute_change_set
            resource_map.before_cleanup = take_the_new_template  # before removed resources go
            try:
                resource_map.update(change_set.template_dict, change_set.parameters)
            finally:
                resource_map.before_cleanup = None
            with self.lock:
                take_the_new_template()  # again: a creation has no cleanup phase
        except Exception as error:  # the resource's own event has the reason; the stack rolls back
            logger.warning("stack %s: %s failed", stack.name, kind.lower(), exc_info=error)
            with self.lock:
                change_set.execution_status = "EXECUTE_FAILED"
            try:
                self._roll_back(stack, kind, error)
            except Exception as rollback_error:  # never leave the stack *_IN_PROGRESS: the CLI would wait forever
                logger.exception("stack %s: rollback failed", stack.name, exc_info=rollback_error)
                with self.lock:
                    stack.status = "ROLLBACK_FAILED" if kind == "CREATE" else "UPDATE_ROLLBACK_FAILED"
                    stack._add_stack_event(stack.status, resource_status_reason=failure_reason(rollback_error))
            return
        _tell("deployed", stack)  # before the CLI can see *_COMPLETE: a kill right after its "done" keeps the deploy
        with self.lock:
            change_set.execution_status = "EXECUTE_COMPLETE"
            stack._add_stack_event(f"{kind}_COMPLETE")
            stack.status = f"{kind}_COMPLETE"

    def _roll_back(self, stack: Stack, kind: str, error: Exception) -> None:
        """End a failed change set as AWS does: the stack's rollback events and final status.

        A failed creation deletes what it created (dependents first, with their events); a failed update
        keeps the resources as they are (the local cloud does not restore the previous template's).
        """
        with self.lock:
            since = max(i for i, event in enumerate(stack.events) if event.resource_type == STACK_TYPE
                        and event.resource_status == f"{kind}_IN_PROGRESS")
            failed = [event.logical_resource_id for event in stack.events[since:]
                      if event.resource_status.endswith("_FAILED") and event.resource_type != STACK_TYPE
                      and not (event.resource_status_reason or "").endswith("cancelled")]
        verb = "create" if kind == "CREATE" else "update"
        reason = (f"The following resource(s) failed to {verb}: [{', '.join(failed)}]. "
                  + ("Rollback requested by user." if kind == "CREATE" else "")
                  if failed else failure_reason(error))
        prefix = "ROLLBACK" if kind == "CREATE" else "UPDATE_ROLLBACK"
        with self.lock:
            stack.status = f"{prefix}_IN_PROGRESS"
            stack._add_stack_event(f"{prefix}_IN_PROGRESS", resource_status_reason=reason)
        if kind == "CREATE":
            try:
                stack.resource_map.delete()
            except Exception as cleanup_error:  # its own events say which resource stayed
                logger.warning("stack %s: rollback left resources behind: %s", stack.name, cleanup_error)
        with self.lock:
            stack._add_stack_event(f"{prefix}_COMPLETE")
            stack.status = f"{prefix}_COMPLETE"
            stack.stack_status_reason = reason

    def list_stack_resources(self, stack_name_or_id: str) -> tuple[Stack, list[Any]]:  # type: ignore[override]
        stack, resources = super().list_stack_resources(stack_name_or_id)
        return stack, [resource for resource in resources if resource is not None]  # not (yet) created

    def describe_stack_resources(self, stack_name: str,  # type: ignore[override]
                                 logical_resource_id: str) -> tuple[Stack, list[Any]]:
        stack, resources = super().describe_stack_resources(stack_name, logical_resource_id)
        return stack, [resource for resource in resources if resource is not None]

    def describe_stack_resource(self, stack_name: str, logical_resource_id: str) -> tuple[Stack, Any]:
        stack, resources = self.describe_stack_resources(stack_name, logical_resource_id)
        if not resources:
            raise ValidationError(stack_name, f"Resource {logical_resource_id} does not exist for stack {stack_name}")
        return stack, resources[0]

    def update_stack(
        self,
        name: str,
        template: str,
        role_arn: str | None,
        parameters: list[dict[str, Any]],
        tags: dict[str, str] | None,
    ) -> Stack:
        existing = next((s for s in self.stacks.values() if s.name == name), None)
        if existing is not None:
            self._refuse_while_busy(existing, "updated")
            self._local(existing)
        try:
            stack = super().update_stack(name, template, role_arn, parameters, tags)
        except CloudFormationError:
            raise
        except Exception as error:
            raise self._failed(self.get_stack(name), "UPDATE", error) from error
        self._refresh_exports(stack)
        _tell("deployed", stack)
        return stack

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
        """Delete the stack's resources dependents first, each with its events (synchronously)."""
        stack = self.stacks.get(name_or_stack_id) or next(
            (s for s in self.stacks.values() if s.name == name_or_stack_id), None
        )
        if stack is None:
            return super().delete_stack(name_or_stack_id)
        self._refuse_while_busy(stack, "deleted")
        self._local(stack)
        try:
            super().delete_stack(stack.stack_id)
        except Exception as error:  # the resource's DELETE_FAILED event has the reason; the stack stays
            logger.warning("stack %s: delete failed", stack.name, exc_info=error)
            self.stacks[stack.stack_id] = stack
            stack.status = "DELETE_FAILED"
            stack._add_stack_event("DELETE_FAILED", resource_status_reason=failure_reason(error))
            return
        _tell("deleted", stack)

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
        reason = failure_reason(error)
        if stack is not None:
            stack._add_stack_event(f"{kind}_FAILED", resource_status_reason=reason)
            stack.status = "ROLLBACK_COMPLETE" if kind == "CREATE" else "UPDATE_ROLLBACK_COMPLETE"
        return ValidationError(stack.name if stack else None, message=reason)


def _tell(event: str, stack: Stack) -> None:
    for listener in deploy_listeners:
        listener(event, stack)
