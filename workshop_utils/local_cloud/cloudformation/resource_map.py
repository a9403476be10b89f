"""A stack's resources, created, updated and deleted in dependency order, with a stack event for each step."""

from __future__ import annotations

import contextlib
import datetime
import logging
import threading
from collections.abc import Callable, Iterator
from typing import Any

from moto.cloudformation.models import Event, Stack
from moto.cloudformation.parsing import ResourceMap, parse_and_update_resource

from .order import dependency_order

logger = logging.getLogger(__name__)

_ONE_MILLISECOND = datetime.timedelta(milliseconds=1)

#: The reason AWS gives a resource whose operation stopped because another one failed.
_CANCELLED = {"CREATE": "Resource creation cancelled", "UPDATE": "Resource update cancelled",
              "DELETE": "Resource deletion cancelled"}


def failure_reason(error: Exception) -> str:
    """What a resource's *_FAILED event says, in the words of AWS's resource handlers."""
    detail = getattr(error, "message", None) or getattr(error, "description", None) or str(error)
    return f"Resource handler returned message: {type(error).__name__}: {detail}"


def physical_id_of(resource: Any) -> str:
    try:
        return str(getattr(resource, "physical_resource_id", "") or "")
    except Exception:  # some moto models compute it from state that may be gone
        return ""


def _with_properties(resources: dict[str, Any]) -> dict[str, Any]:
    return {logical_id: resource if "Properties" in resource else {**resource, "Properties": {}}
            for logical_id, resource in resources.items()}


class EventLog(list[Event]):
    """A stack's events, each stamped at least a millisecond after the one before.

    AWS's timestamps have milliseconds, and the CDK CLI sorts the events of a poll by time, keeping the order it
    read them in (newest first) for equal ones: two steps in the same millisecond would print backwards
    (a resource's COMPLETE before its IN_PROGRESS).
    """

    def append(self, event: Event) -> None:
        if self and event.timestamp < self[-1].timestamp + _ONE_MILLISECOND:
            event.timestamp = self[-1].timestamp + _ONE_MILLISECOND
        super().append(event)


def record_event(stack: Stack, logical_id: str, physical_id: str, resource_type: str, status: str,
                 reason: str | None = None) -> None:
    """Append one resource's event to ``stack`` (moto's own helper only writes the stack's events)."""
    event = Event(stack_id=stack.stack_id, stack_name=stack.name, logical_resource_id=logical_id,
                  physical_resource_id=physical_id, resource_type=resource_type, resource_status=status,
                  resource_status_reason=reason, resource_properties=None)
    event.sendToSns(stack.account_id, stack.region_name, stack.notification_arns)
    stack.events.append(event)


class LocalResourceMap(ResourceMap):
    """moto's lazy resource map, stepping through a template as CloudFormation does.

    - Resources are created and updated in :func:`dependency_order`, deleted in its reverse (dependents
      first), and removed resources are deleted only after every addition and change (the cleanup phase).
    - Every step writes CloudFormation's events: ``*_IN_PROGRESS``, then ``*_COMPLETE`` or ``*_FAILED`` with
      the reason (a resource whose failure came from another one reads "... cancelled", as on AWS).
    - Each step holds ``lock`` (the backend's), so requests served meanwhile see a consistent stack; a
      request never creates a resource by reading it (moto creates lazily on lookup), only the step does.
    """

    stack: Stack | None = None
    #: Called (under the lock) once an update's additions and changes are done, before its cleanup deletes: the
    #: stack's Outputs must stop naming resources about to go (a DescribeStacks meanwhile would fail on them).
    before_cleanup: Callable[[], None] | None = None
    lock: Any = contextlib.nullcontext()

    @classmethod
    def adopt(cls, resource_map: ResourceMap, stack: Stack, lock: Any) -> LocalResourceMap:
        """The same map (moto builds a plain one inside Stack), stepping and recording for ``stack``."""
        local = resource_map if isinstance(resource_map, cls) else cls.__new__(cls)
        if local is not resource_map:
            local.__dict__.update(resource_map.__dict__)
        local.stack, local.lock = stack, lock
        if not isinstance(stack.events, EventLog):
            stack.events = EventLog(stack.events)
        local._building = getattr(local, "_building", threading.local())
        return local

    @property
    def building(self) -> bool:
        """True on the thread running one of this map's steps (which may create resources on lookup)."""
        return getattr(self._building, "active", False)

    @contextlib.contextmanager
    def _step(self) -> Iterator[None]:
        with self.lock:
            previous = self.building
            self._building.active = True
            try:
                yield
            finally:
                self._building.active = previous

    def _record(self, logical_id: str, physical_id: str, resource_type: str, status: str,
                reason: str | None = None) -> None:
        if self.stack is not None:
            record_event(self.stack, logical_id, physical_id, resource_type, status, reason)

    @contextlib.contextmanager
    def _recorded(self, logical_id: str, action: str, physical_id: str = "") -> Iterator[None]:
        """IN_PROGRESS now, FAILED with the reason if the body raises (COMPLETE is the caller's)."""
        resource_type = self._resource_json_map.get(logical_id, {}).get("Type", "")
        self._record(logical_id, physical_id, resource_type, f"{action}_IN_PROGRESS")
        try:
            yield
        except Exception as error:
            # The resource that raised first explains the failure; the ones waiting on it were cancelled.
            reason = _CANCELLED[action] if getattr(error, "_cfn_recorded", False) else failure_reason(error)
            with contextlib.suppress(AttributeError):
                error._cfn_recorded = True  # type: ignore[attr-defined]
            self._record(logical_id, physical_id, resource_type, f"{action}_FAILED", reason)
            raise

    def __getitem__(self, key: str) -> Any:
        if key in self._parsed_resources or key not in self._resource_json_map:
            return super().__getitem__(key)
        if not self.building:
            return None  # read by a request while a deploy runs: not created yet, and not the reader's to create
        resource_json = self._resource_json_map[key]
        condition = resource_json.get("Condition")
        if condition and not self.lazy_condition_map[condition]:
            return None
        with self._recorded(key, "CREATE"):
            resource = super().__getitem__(key)
        self._record(key, physical_id_of(resource), resource_json["Type"], "CREATE_COMPLETE")
        return resource

    def build_resource_diff(self, other_template: dict[str, Any],
                            parameters: dict[str, Any] | None = None) -> dict[str, Any]:
        """moto's diff, blind to the empty Properties moto's parser adds to a resource it created.

        Without this, every resource a template declares without Properties (a CDK Queue) would be
        "modified" by every update and get UPDATE events.
        """
        applied = self._resource_json_map
        self._resource_json_map = _with_properties(applied)
        try:
            return super().build_resource_diff(
                {**other_template, "Resources": _with_properties(other_template["Resources"])}, parameters)
        finally:
            self._resource_json_map = applied

    def create(self, template: dict[str, Any]) -> bool:
        """Create every resource of ``template`` (moto's create_stack path)."""
        with self._step():
            self._template = template
            self._resource_json_map = template["Resources"]
            self.tags.update({"aws:cloudformation:stack-name": self["AWS::StackName"],
                              "aws:cloudformation:stack-id": self["AWS::StackId"]})
        created = []
        for logical_id in dependency_order(self._resource_json_map):
            with self._step():
                created.append(self[logical_id])
        return all(resource.is_created() for resource in created if resource is not None)

    def update(self, template: dict[str, Any], parameters: dict[str, Any] | None = None) -> None:
        """Apply ``template``: additions and changes in order, then (cleanup) what it no longer has."""
        with self._step():
            diff = self.build_resource_diff(template, parameters)
            previous = self._resource_json_map
            self._template = template
            if parameters:
                self.input_parameters = parameters
            self.load_mapping()
            self.load_parameters()
            self.load_conditions()
            self._resource_json_map = template["Resources"]
        added, modified = set(diff["Add"]), set(diff["Modify"])
        for logical_id in dependency_order(self._resource_json_map):
            if logical_id in added:
                with self._step():
                    self[logical_id]
            elif logical_id in modified:
                with self._step():
                    self._update_resource(logical_id)
        if not previous:
            return  # a stack's creation (a CREATE change set starts from an empty template) has no cleanup
        with self.lock:
            if self.before_cleanup is not None:
                self.before_cleanup()
            if self.stack is not None:
                self.stack.status = "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"
                self.stack._add_stack_event("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS")
        self._delete_in_order(previous, set(diff["Remove"]))

    def _update_resource(self, logical_id: str) -> None:
        original = self._parsed_resources.get(logical_id)
        with self._recorded(logical_id, "UPDATE", physical_id_of(original)):
            changed = parse_and_update_resource(logical_id, self._resource_json_map[logical_id], self,
                                                account_id=self._account_id, region_name=self._region_name)
        if changed is not None:  # a type without updates keeps its resource (moto would forget it)
            self._parsed_resources[logical_id] = changed
        resource = self._parsed_resources.get(logical_id)
        self._record(logical_id, physical_id_of(resource), self._resource_json_map[logical_id]["Type"],
                     "UPDATE_COMPLETE")

    def delete(self) -> None:
        """Delete every resource, dependents first (moto's Stack.delete path)."""
        self._delete_in_order(self._resource_json_map, set(self._resource_json_map))

    def _delete_in_order(self, templates: dict[str, Any], logical_ids: set[str]) -> None:
        """Delete ``logical_ids`` (resources of ``templates``) dependents first.

        A delete that fails is tried again after the others (one more pass, as moto retries); what still
        fails gets its DELETE_FAILED event and the first error is raised.
        """
        pending = [logical_id for logical_id in reversed(dependency_order(templates)) if logical_id in logical_ids]
        errors: dict[str, Exception] = {}
        for _ in range(2):
            for logical_id in list(pending):
                with self._step():
                    if self._delete_resource_step(logical_id, templates[logical_id], errors):
                        pending.remove(logical_id)
        if pending:
            for logical_id in pending:
                with self.lock:
                    resource = self._parsed_resources.get(logical_id)
                    self._record(logical_id, physical_id_of(resource), templates[logical_id].get("Type", ""),
                                 "DELETE_FAILED", failure_reason(errors[logical_id]))
            raise errors[pending[0]]

    def _delete_resource_step(self, logical_id: str, resource_json: dict[str, Any],
                              errors: dict[str, Exception]) -> bool:
        """Delete one resource; False if it failed (and may be tried again)."""
        resource = self._parsed_resources.get(logical_id)
        if resource is None or isinstance(resource, str):
            return True  # never created (a false Condition, or a failed creation)
        resource_type = resource_json.get("Type", "")
        physical_id = physical_id_of(resource)
        if resource_json.get("DeletionPolicy") == "Retain":
            self._parsed_resources.pop(logical_id, None)
            self._record(logical_id, physical_id, resource_type, "DELETE_SKIPPED")
            return True
        if logical_id not in errors:
            self._record(logical_id, physical_id, resource_type, "DELETE_IN_PROGRESS")
        try:
            self._delete_resource(resource, resource_json)
        except Exception as error:
            logger.debug("deleting %s failed (tried again after the others): %s", logical_id, error)
            errors[logical_id] = error
            return False
        # Forgotten, so that a resource removed and later added again is created anew, not taken from here.
        self._parsed_resources.pop(logical_id, None)
        self._record(logical_id, physical_id, resource_type, "DELETE_COMPLETE")
        return True
