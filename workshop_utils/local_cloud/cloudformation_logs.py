"""CloudFormation type AWS::Logs::LogGroup: retention and tags updated in place, deletes that tolerate "gone"."""

from __future__ import annotations

from typing import Any

from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.core.common_models import CloudFormationModel
from moto.logs.models import LogsBackend, logs_backends

from .cloudformation_common import ResourceHandle, ignoring_not_found, physical_name, tags_to_dict


def logs_backend(account_id: str, region: str) -> LogsBackend:
    return logs_backends[account_id][region]


class LogsLogGroup(ResourceHandle, CloudFormationModel):
    """A log group (``Ref`` is its name, ``Fn::GetAtt Arn`` its ARN ending in ``:*`` as in AWS)."""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::Logs::LogGroup"

    @staticmethod
    def cloudformation_name_type() -> str:
        return "LogGroupName"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr == "Arn"

    def get_cfn_attribute(self, attribute_name: str) -> str:
        if attribute_name == "Arn":
            return f"arn:aws:logs:{self.region}:{self.account_id}:log-group:{self.physical_id}:*"
        raise UnformattedGetAttTemplateException()

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str,
        **kwargs: Any,
    ) -> LogsLogGroup:
        properties = cloudformation_json.get("Properties", {})
        name = physical_name(resource_name, properties, "LogGroupName", 512)
        settings = {}
        if "RetentionInDays" in properties:
            settings["RetentionInDays"] = int(properties["RetentionInDays"])
        if "KmsKeyId" in properties:
            settings["kmsKeyId"] = properties["KmsKeyId"]
        logs_backend(account_id, region_name).create_log_group(
            name, tags_to_dict(properties.get("Tags")), **settings
        )
        return cls(name, properties, account_id, region_name)

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[misc]
        cls, original_resource: LogsLogGroup, new_resource_name: str, cloudformation_json: dict[str, Any],
        account_id: str, region_name: str,
    ) -> LogsLogGroup:
        properties = cloudformation_json.get("Properties", {})
        if properties.get("LogGroupName") != original_resource.properties.get("LogGroupName"):
            replacement = cls.create_from_cloudformation_json(
                new_resource_name, cloudformation_json, account_id, region_name
            )
            original_resource.delete(account_id, region_name)
            return replacement
        backend = logs_backend(account_id, region_name)
        name = original_resource.physical_id
        if "RetentionInDays" in properties:
            backend.put_retention_policy(name, int(properties["RetentionInDays"]))
        else:
            backend.delete_retention_policy(name)
        group = backend.groups[name]
        group.kms_key_id = properties.get("KmsKeyId")
        old_tags = tags_to_dict(original_resource.properties.get("Tags"))
        new_tags = tags_to_dict(properties.get("Tags"))
        removed = [key for key in old_tags if key not in new_tags]
        if removed:
            backend.untag_resource(group.arn, removed)
        if new_tags:
            backend.tag_resource(group.arn, new_tags)
        original_resource.properties = properties
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(  # type: ignore[misc]
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str
    ) -> None:
        with ignoring_not_found():
            logs_backend(account_id, region_name).delete_log_group(resource_name)

    def delete(self, account_id: str, region_name: str) -> None:
        type(self).delete_from_cloudformation_json(self.physical_id, {}, account_id, self.region)
