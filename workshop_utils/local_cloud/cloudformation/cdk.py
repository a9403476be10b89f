"""CloudFormation type AWS::CDK::Metadata: the CDK's analytics record, accepted and kept as a no-op."""

from __future__ import annotations

from moto.core.common_models import CloudFormationModel

from .common import ResourceHandle


class CdkMetadata(ResourceHandle, CloudFormationModel):
    """Exists only so stacks synthesized by the CDK list every resource they declare (nothing is created)."""

    resource_type = "AWS::CDK::Metadata"
