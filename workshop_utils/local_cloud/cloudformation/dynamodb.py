"""CloudFormation type AWS::DynamoDB::Table: moto's creation plus TTL, in-place updates and idempotent deletes."""

from __future__ import annotations

from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.dynamodb.models import DynamoDBBackend, dynamodb_backends
from moto.dynamodb.models.table import Table

from .common import ResourceHandle, as_bool, physical_name

#: A change to any of these replaces the table (as in AWS).
TABLE_IDENTITY = ("TableName", "KeySchema", "LocalSecondaryIndexes")


def dynamodb_backend(account_id: str, region: str) -> DynamoDBBackend:
    return dynamodb_backends[account_id][region]


class DynamoDBTable(ResourceHandle, CloudFormationModel):
    """A table; moto 5.2.5 cannot update one from a template, which would lose it (and leak it on delete)."""

    resource_type = "AWS::DynamoDB::Table"
    name_property = "TableName"
    cfn_attributes = ("Arn", "StreamArn")
    replaced_when_changed = TABLE_IDENTITY
    delete_before_replacing = True  # the replacement may keep the table's name

    def table(self) -> Table:
        return dynamodb_backend(self.account_id, self.region).get_table(self.physical_id)

    def cfn_attribute(self, name: str) -> Any:
        return self.table().get_cfn_attribute(name)

    @classmethod
    def create_resource(cls, name: str, properties: dict[str, Any], account_id: str, region: str) -> DynamoDBTable:
        name = physical_name(name, properties, "TableName", 255)
        Table.create_from_cloudformation_json(name, {"Properties": properties}, account_id, region)
        handle = cls(name, properties, account_id, region)
        handle._apply_time_to_live(properties, previous={})
        return handle

    def _apply_time_to_live(self, properties: dict[str, Any], previous: dict[str, Any]) -> None:
        wanted = properties.get("TimeToLiveSpecification")
        if wanted == previous.get("TimeToLiveSpecification"):
            return
        backend = dynamodb_backend(self.account_id, self.region)
        if wanted:
            backend.update_time_to_live(
                self.physical_id,
                {"AttributeName": wanted["AttributeName"], "Enabled": as_bool(wanted.get("Enabled", False))},
            )
        else:
            self.table().ttl = {"TimeToLiveStatus": "DISABLED"}

    def update_in_place(self, properties: dict[str, Any], account_id: str, region: str) -> None:
        table = self.table()
        table.billing_mode = properties.get("BillingMode", "PROVISIONED")
        table.deletion_protection_enabled = as_bool(properties.get("DeletionProtectionEnabled", False))
        table.tags = list(properties.get("Tags", []))
        self._apply_time_to_live(properties, previous=self.properties)

    @classmethod
    def delete_by_physical_id(cls, physical_id: str, account_id: str, region: str) -> None:
        dynamodb_backend(account_id, region).delete_table(physical_id)
