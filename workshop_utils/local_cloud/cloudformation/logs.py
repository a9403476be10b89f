"""CloudFormation type AWS::Logs::LogGroup: retention and tags updated in place, deletes that tolerate "gone"."""

from __future__ import annotations

from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.logs.models import LogsBackend, logs_backends

from .common import ResourceHandle, physical_name, tags_to_dict


def logs_backend(account_id: str, region: str) -> LogsBackend:
    return logs_backends[account_id][region]


class LogsLogGroup(ResourceHandle, CloudFormationModel):
    """A log group (``Ref`` is its name, ``Fn::GetAtt Arn`` its ARN ending in ``:*`` as in AWS)."""

    resource_type = "AWS::Logs::LogGroup"
    name_property = "LogGroupName"
    cfn_attributes = ("Arn",)
    replaced_when_changed = ("LogGroupName",)

    def cfn_attribute(self, name: str) -> str:
        return f"arn:aws:logs:{self.region}:{self.account_id}:log-group:{self.physical_id}:*"

    @classmethod
    def create_resource(cls, name: str, properties: dict[str, Any], account_id: str, region: str) -> LogsLogGroup:
        name = physical_name(name, properties, "LogGroupName", 512)
        settings = {}
        if "RetentionInDays" in properties:
            settings["RetentionInDays"] = int(properties["RetentionInDays"])
        if "KmsKeyId" in properties:
            settings["kmsKeyId"] = properties["KmsKeyId"]
        logs_backend(account_id, region).create_log_group(name, tags_to_dict(properties.get("Tags")), **settings)
        return cls(name, properties, account_id, region)

    def update_in_place(self, properties: dict[str, Any], account_id: str, region: str) -> None:
        backend = logs_backend(account_id, region)
        name = self.physical_id
        if "RetentionInDays" in properties:
            backend.put_retention_policy(name, int(properties["RetentionInDays"]))
        else:
            backend.delete_retention_policy(name)
        group = backend.groups[name]
        group.kms_key_id = properties.get("KmsKeyId")
        old_tags = tags_to_dict(self.properties.get("Tags"))
        new_tags = tags_to_dict(properties.get("Tags"))
        removed = [key for key in old_tags if key not in new_tags]
        if removed:
            backend.untag_resource(group.arn, removed)
        if new_tags:
            backend.tag_resource(group.arn, new_tags)

    @classmethod
    def delete_by_physical_id(cls, physical_id: str, account_id: str, region: str) -> None:
        logs_backend(account_id, region).delete_log_group(physical_id)
