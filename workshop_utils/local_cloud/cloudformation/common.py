"""Shared helpers for the local cloud's CloudFormation resource types (a handle mixin, names, tags, backends)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Any, ClassVar, Self

from moto.cloudformation.exceptions import UnformattedGetAttTemplateException

#: Errors a backend raises when the thing to delete is already gone (deletes must be idempotent).
NOT_FOUND_NAMES = ("NotFound", "DoesNotExist", "NonExistent", "UnknownFunction", "UnknownEventConfig")


class ResourceHandle:
    """Mixin for CloudFormation resources that are a handle (an id) onto state kept by a moto backend.

    Each registered model must list ``CloudFormationModel`` as a *direct* base (moto finds models through
    ``CloudFormationModel.__subclasses__()``), so shared behaviour lives in this mixin, listed first; an
    intermediate ``CloudFormationModel`` subclass would itself be registered.

    It turns moto's four ``*_from_cloudformation_json`` entry points into hooks that take the template's
    properties: ``create_resource``, ``update_in_place`` (unless ``needs_replacement``) and
    ``delete_by_physical_id``; the class attributes below describe the type.
    """

    #: The CloudFormation type, e.g. ``AWS::SNS::Topic``.
    resource_type: ClassVar[str]
    #: The property naming the resource (moto generates a name for it when the template has none), or "".
    name_property: ClassVar[str] = ""
    #: What ``Fn::GetAtt`` accepts; ``cfn_attribute`` gives each one's value.
    cfn_attributes: ClassVar[tuple[str, ...]] = ()
    #: Properties whose change replaces the resource, as in AWS; an update changes the rest in place.
    replaced_when_changed: ClassVar[tuple[str, ...]] = ()
    #: Delete the old resource before creating its replacement (when the two cannot exist at once).
    delete_before_replacing: ClassVar[bool] = False

    def __init__(self, physical_id: str, properties: dict[str, Any], account_id: str, region: str):
        self.physical_id = physical_id
        self.properties = properties
        self.account_id = account_id
        self.region = region

    @property
    def physical_resource_id(self) -> str:
        return self.physical_id

    # moto calls these on the class, as staticmethods; classmethods answer the same from the attributes.
    @classmethod
    def cloudformation_type(cls) -> str:
        return cls.resource_type

    @classmethod
    def cloudformation_name_type(cls) -> str:
        return cls.name_property

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in cls.cfn_attributes

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        if attribute_name not in self.cfn_attributes:
            raise UnformattedGetAttTemplateException()
        return self.cfn_attribute(attribute_name)

    def cfn_attribute(self, name: str) -> Any:
        """The value of ``Fn::GetAtt`` for ``name``, one of ``cfn_attributes``."""
        raise UnformattedGetAttTemplateException()

    def is_created(self) -> bool:
        return True

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.physical_id!r})"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> Self:
        return cls.create_resource(resource_name, properties_of(cloudformation_json), account_id, region_name)

    @classmethod
    def create_resource(cls, name: str, properties: dict[str, Any], account_id: str, region: str) -> Self:
        """Create the resource (``name`` is moto's generated one) and return its handle; by default a record only."""
        return cls(name, properties, account_id, region)

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: Self,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> Self:
        properties = properties_of(cloudformation_json)
        if not original_resource.needs_replacement(properties):
            original_resource.update_in_place(properties, account_id, region_name)
            original_resource.properties = properties
            return original_resource
        if cls.delete_before_replacing:
            original_resource.delete(account_id, region_name)
            return cls.create_resource(new_resource_name, properties, account_id, region_name)
        replacement = cls.create_resource(new_resource_name, properties, account_id, region_name)
        original_resource.delete(account_id, region_name)
        return replacement

    def needs_replacement(self, properties: dict[str, Any]) -> bool:
        """Whether the new ``properties`` replace the resource rather than update it."""
        return any(properties.get(key) != self.properties.get(key) for key in self.replaced_when_changed)

    def update_in_place(self, properties: dict[str, Any], account_id: str, region: str) -> None:
        """Apply the new ``properties`` (``self.properties`` still holds the old ones); by default nothing to do."""

    @classmethod
    def delete_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str
    ) -> None:
        with ignoring_not_found():
            cls.delete_by_physical_id(resource_name, account_id, region_name)

    @classmethod
    def delete_by_physical_id(cls, physical_id: str, account_id: str, region: str) -> None:
        """Delete what ``physical_id`` names; by default nothing, as for handles whose ``delete`` does the work."""

    def delete(self, account_id: str, region_name: str) -> None:
        type(self).delete_from_cloudformation_json(self.physical_id, {}, account_id, self.region)


class AttachedPolicy(ResourceHandle):
    """Mixin for a policy resource (SNS TopicPolicy, SQS QueuePolicy): a document set on a list of targets.

    Updating it resets the targets it no longer lists; deleting it resets them all. Subclasses name the
    property listing the targets and say how to set and reset one target's policy.
    """

    #: The property listing the targets (ARNs or URLs), e.g. ``Topics``.
    targets_property: ClassVar[str]

    def set_policy(self, targets: list[str], policy: str) -> None:
        """Give each target (that still exists) the policy document ``policy``."""
        raise NotImplementedError

    def reset_policy(self, targets: list[str]) -> None:
        """Give each target (that still exists) the policy it has without this resource."""
        raise NotImplementedError

    @classmethod
    def create_resource(cls, name: str, properties: dict[str, Any], account_id: str, region: str) -> Self:
        handle = cls(name, properties, account_id, region)
        handle.set_policy(properties.get(cls.targets_property, []), as_json_text(properties["PolicyDocument"]))
        return handle

    def update_in_place(self, properties: dict[str, Any], account_id: str, region: str) -> None:
        targets = properties.get(self.targets_property, [])
        dropped = [target for target in self.properties.get(self.targets_property, []) if target not in targets]
        self.reset_policy(dropped)
        self.set_policy(targets, as_json_text(properties["PolicyDocument"]))

    def delete(self, account_id: str, region_name: str) -> None:
        # The targets are in the handle's properties (a physical id alone does not find them).
        self.reset_policy(self.properties.get(self.targets_property, []))


def properties_of(cloudformation_json: dict[str, Any]) -> dict[str, Any]:
    """A resource's template properties (a resource may have none)."""
    return cloudformation_json.get("Properties", {})


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
