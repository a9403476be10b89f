"""CloudFormation type AWS::DynamoDB::Table: moto's creation plus TTL, in-place updates and idempotent deletes."""

from __future__ import annotations

from typing import Any

from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.core.common_models import CloudFormationModel
from moto.dynamodb.models import DynamoDBBackend, dynamodb_backends
from moto.dynamodb.models.table import Table

from .cloudformation_common import ResourceHandle, as_bool, ignoring_not_found, physical_name

#: A change to any of these replaces the table (as in AWS).
TABLE_IDENTITY = ("TableName", "KeySchema", "LocalSecondaryIndexes")


def dynamodb_backend(account_id: str, region: str) -> DynamoDBBackend:
    return dynamodb_backends[account_id][region]


class DynamoDBTable(ResourceHandle, CloudFormationModel):
    """A table; moto 5.2.5 cannot update one from a template, which would lose it (and leak it on delete)."""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::DynamoDB::Table"

    @staticmethod
    def cloudformation_name_type() -> str:
        return "TableName"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in ("Arn", "StreamArn")

    def table(self) -> Table:
        return dynamodb_backend(self.account_id, self.region).get_table(self.physical_id)

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        if attribute_name in ("Arn", "StreamArn"):
            return self.table().get_cfn_attribute(attribute_name)
        raise UnformattedGetAttTemplateException()

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str,
        **kwargs: Any,
    ) -> DynamoDBTable:
        properties = cloudformation_json.get("Properties", {})
        name = physical_name(resource_name, properties, "TableName", 255)
        Table.create_from_cloudformation_json(name, {"Properties": properties}, account_id, region_name)
        handle = cls(name, properties, account_id, region_name)
        handle._apply_time_to_live(properties, previous={})
        return handle

    def _apply_time_to_live(self, properties: dict[str, Any], previous: dict[str, Any]) -> None:
        wanted = properties.get("TimeToLiveSpecification")
        if wanted == previous.get("TimeToLiveSpecification"):
            return
        backend = dynamodb_backend(self.account_id, self.region)
        if wanted:
            backend.update_time_to_live(self.physical_id, {"AttributeName": wanted["AttributeName"],
                                                           "Enabled": as_bool(wanted.get("Enabled", False))})
        else:
            self.table().ttl = {"TimeToLiveStatus": "DISABLED"}

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[misc]
        cls, original_resource: DynamoDBTable, new_resource_name: str, cloudformation_json: dict[str, Any],
        account_id: str, region_name: str,
    ) -> DynamoDBTable:
        properties = cloudformation_json.get("Properties", {})
        old = original_resource.properties
        if any(properties.get(key) != old.get(key) for key in TABLE_IDENTITY):
            original_resource.delete(account_id, region_name)
            return cls.create_from_cloudformation_json(
                new_resource_name, cloudformation_json, account_id, region_name
            )
        table = original_resource.table()
        table.billing_mode = properties.get("BillingMode", "PROVISIONED")
        table.deletion_protection_enabled = as_bool(properties.get("DeletionProtectionEnabled", False))
        table.tags = list(properties.get("Tags", []))
        original_resource._apply_time_to_live(properties, previous=old)
        original_resource.properties = properties
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(  # type: ignore[misc]
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str
    ) -> None:
        with ignoring_not_found():
            dynamodb_backend(account_id, region_name).delete_table(resource_name)

    def delete(self, account_id: str, region_name: str) -> None:
        type(self).delete_from_cloudformation_json(self.physical_id, {}, account_id, self.region)
