"""CloudFormation type AWS::CDK::Metadata: the CDK's analytics record, accepted and kept as a no-op."""

from __future__ import annotations

from typing import Any

from moto.core.common_models import CloudFormationModel

from .cloudformation_common import ResourceHandle


class CdkMetadata(ResourceHandle, CloudFormationModel):
    """Exists only so stacks synthesized by the CDK list every resource they declare."""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::CDK::Metadata"

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str,
        **kwargs: Any,
    ) -> CdkMetadata:
        return cls(resource_name, cloudformation_json.get("Properties", {}), account_id, region_name)

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[misc]
        cls, original_resource: CdkMetadata, new_resource_name: str, cloudformation_json: dict[str, Any],
        account_id: str, region_name: str,
    ) -> CdkMetadata:
        original_resource.properties = cloudformation_json.get("Properties", {})
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(  # type: ignore[misc]
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str
    ) -> None:
        """Nothing was created, so nothing is deleted."""

    def delete(self, account_id: str, region_name: str) -> None:
        """Nothing was created, so nothing is deleted."""
