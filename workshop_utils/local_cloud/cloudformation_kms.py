"""CloudFormation types for KMS: AWS::KMS::Key and AWS::KMS::Alias, both updatable in place."""

from __future__ import annotations

from typing import Any

from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.core.common_models import CloudFormationModel
from moto.kms.models import KmsBackend, kms_backends

from .cloudformation_common import ResourceHandle, as_bool, as_json_text, tags_to_dict

#: A change to any of these replaces the key (as in AWS).
KEY_IDENTITY = ("KeySpec", "KeyUsage", "MultiRegion", "Origin")


def kms_backend(account_id: str, region: str) -> KmsBackend:
    return kms_backends[account_id][region]


def kms_tags(properties: dict[str, Any]) -> list[dict[str, str]]:
    return [{"TagKey": key, "TagValue": value} for key, value in tags_to_dict(properties.get("Tags")).items()]


class KmsKey(ResourceHandle, CloudFormationModel):
    """A symmetric (or other spec) key; its policy is kept as JSON text, as the API returns it."""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::KMS::Key"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in ("Arn", "KeyId")

    def get_cfn_attribute(self, attribute_name: str) -> str:
        if attribute_name == "Arn":
            return kms_backend(self.account_id, self.region).describe_key(self.physical_id).arn
        if attribute_name == "KeyId":
            return self.physical_id
        raise UnformattedGetAttTemplateException()

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str,
        **kwargs: Any,
    ) -> KmsKey:
        properties = cloudformation_json.get("Properties", {})
        backend = kms_backend(account_id, region_name)
        policy = properties.get("KeyPolicy")
        key = backend.create_key(
            policy=as_json_text(policy) if policy else None,
            key_usage=properties.get("KeyUsage", "ENCRYPT_DECRYPT"),
            key_spec=properties.get("KeySpec", "SYMMETRIC_DEFAULT"),
            description=properties.get("Description", ""),
            tags=kms_tags(properties),
            multi_region=as_bool(properties.get("MultiRegion", False)),
        )
        handle = cls(key.id, properties, account_id, region_name)
        handle._apply_settings(properties)
        return handle

    def _apply_settings(self, properties: dict[str, Any]) -> None:
        key = kms_backend(self.account_id, self.region).describe_key(self.physical_id)
        key.key_rotation_status = as_bool(properties.get("EnableKeyRotation", False))
        key.enabled = as_bool(properties.get("Enabled", True))
        key.key_state = "Enabled" if key.enabled else "Disabled"

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[misc]
        cls, original_resource: KmsKey, new_resource_name: str, cloudformation_json: dict[str, Any],
        account_id: str, region_name: str,
    ) -> KmsKey:
        properties = cloudformation_json.get("Properties", {})
        old = original_resource.properties
        if any(properties.get(key) != old.get(key) for key in KEY_IDENTITY):
            replacement = cls.create_from_cloudformation_json(
                new_resource_name, cloudformation_json, account_id, region_name
            )
            original_resource.delete(account_id, region_name)
            return replacement
        backend = kms_backend(account_id, region_name)
        key_id = original_resource.physical_id
        backend.update_key_description(key_id, properties.get("Description", ""))
        if properties.get("KeyPolicy"):
            backend.put_key_policy(key_id, as_json_text(properties["KeyPolicy"]))
        backend.tagger.delete_all_tags_for_resource(key_id)
        if kms_tags(properties):
            backend.tagger.tag_resource(key_id, kms_tags(properties))
        original_resource._apply_settings(properties)
        original_resource.properties = properties
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(  # type: ignore[misc]
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str
    ) -> None:
        kms_backend(account_id, region_name).delete_key(resource_name)  # a no-op when already gone

    def delete(self, account_id: str, region_name: str) -> None:
        type(self).delete_from_cloudformation_json(self.physical_id, {}, account_id, self.region)


class KmsAlias(ResourceHandle, CloudFormationModel):
    """An alias; retargeted in place, replaced when renamed."""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::KMS::Alias"

    @staticmethod
    def cloudformation_name_type() -> str:
        return "AliasName"

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str,
        **kwargs: Any,
    ) -> KmsAlias:
        properties = cloudformation_json.get("Properties", {})
        alias = kms_backend(account_id, region_name).create_alias(
            target_key_id=properties["TargetKeyId"], alias_name=properties["AliasName"]
        )
        return cls(alias.alias_name, properties, account_id, region_name)

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[misc]
        cls, original_resource: KmsAlias, new_resource_name: str, cloudformation_json: dict[str, Any],
        account_id: str, region_name: str,
    ) -> KmsAlias:
        properties = cloudformation_json.get("Properties", {})
        if properties["AliasName"] != original_resource.physical_id:
            original_resource.delete(account_id, region_name)
            return cls.create_from_cloudformation_json(
                new_resource_name, cloudformation_json, account_id, region_name
            )
        kms_backend(account_id, region_name).update_alias(
            target_key_id=properties["TargetKeyId"], alias_name=properties["AliasName"]
        )
        original_resource.properties = properties
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(  # type: ignore[misc]
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str
    ) -> None:
        kms_backend(account_id, region_name).delete_alias(resource_name)  # a no-op when already gone

    def delete(self, account_id: str, region_name: str) -> None:
        type(self).delete_from_cloudformation_json(self.physical_id, {}, account_id, self.region)
