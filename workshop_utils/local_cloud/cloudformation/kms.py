"""CloudFormation types for KMS: AWS::KMS::Key and AWS::KMS::Alias, both updatable in place."""

from __future__ import annotations

from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.kms.models import KmsBackend, kms_backends

from .common import ResourceHandle, as_bool, as_json_text, tags_to_dict

#: A change to any of these replaces the key (as in AWS).
KEY_IDENTITY = ("KeySpec", "KeyUsage", "MultiRegion", "Origin")


def kms_backend(account_id: str, region: str) -> KmsBackend:
    return kms_backends[account_id][region]


def kms_tags(properties: dict[str, Any]) -> list[dict[str, str]]:
    return [{"TagKey": key, "TagValue": value} for key, value in tags_to_dict(properties.get("Tags")).items()]


class KmsKey(ResourceHandle, CloudFormationModel):
    """A symmetric (or other spec) key; its policy is kept as JSON text, as the API returns it."""

    resource_type = "AWS::KMS::Key"
    cfn_attributes = ("Arn", "KeyId")
    replaced_when_changed = KEY_IDENTITY

    def cfn_attribute(self, name: str) -> str:
        if name == "Arn":
            return kms_backend(self.account_id, self.region).describe_key(self.physical_id).arn
        return self.physical_id

    @classmethod
    def create_resource(cls, name: str, properties: dict[str, Any], account_id: str, region: str) -> KmsKey:
        policy = properties.get("KeyPolicy")
        key = kms_backend(account_id, region).create_key(
            policy=as_json_text(policy) if policy else None,
            key_usage=properties.get("KeyUsage", "ENCRYPT_DECRYPT"),
            key_spec=properties.get("KeySpec", "SYMMETRIC_DEFAULT"),
            description=properties.get("Description", ""),
            tags=kms_tags(properties),
            multi_region=as_bool(properties.get("MultiRegion", False)),
        )
        handle = cls(key.id, properties, account_id, region)
        handle._apply_settings(properties)
        return handle

    def _apply_settings(self, properties: dict[str, Any]) -> None:
        key = kms_backend(self.account_id, self.region).describe_key(self.physical_id)
        key.key_rotation_status = as_bool(properties.get("EnableKeyRotation", False))
        key.enabled = as_bool(properties.get("Enabled", True))
        key.key_state = "Enabled" if key.enabled else "Disabled"

    def update_in_place(self, properties: dict[str, Any], account_id: str, region: str) -> None:
        backend = kms_backend(account_id, region)
        key_id = self.physical_id
        backend.update_key_description(key_id, properties.get("Description", ""))
        if properties.get("KeyPolicy"):
            backend.put_key_policy(key_id, as_json_text(properties["KeyPolicy"]))
        backend.tagger.delete_all_tags_for_resource(key_id)
        if kms_tags(properties):
            backend.tagger.tag_resource(key_id, kms_tags(properties))
        self._apply_settings(properties)

    @classmethod
    def delete_by_physical_id(cls, physical_id: str, account_id: str, region: str) -> None:
        kms_backend(account_id, region).delete_key(physical_id)  # a no-op when already gone


class KmsAlias(ResourceHandle, CloudFormationModel):
    """An alias; retargeted in place, replaced when renamed."""

    resource_type = "AWS::KMS::Alias"
    name_property = "AliasName"
    delete_before_replacing = True

    @classmethod
    def create_resource(cls, name: str, properties: dict[str, Any], account_id: str, region: str) -> KmsAlias:
        alias = kms_backend(account_id, region).create_alias(
            target_key_id=properties["TargetKeyId"], alias_name=properties["AliasName"]
        )
        return cls(alias.alias_name, properties, account_id, region)

    def needs_replacement(self, properties: dict[str, Any]) -> bool:
        return properties["AliasName"] != self.physical_id

    def update_in_place(self, properties: dict[str, Any], account_id: str, region: str) -> None:
        kms_backend(account_id, region).update_alias(
            target_key_id=properties["TargetKeyId"], alias_name=properties["AliasName"]
        )

    @classmethod
    def delete_by_physical_id(cls, physical_id: str, account_id: str, region: str) -> None:
        kms_backend(account_id, region).delete_alias(physical_id)  # a no-op when already gone
