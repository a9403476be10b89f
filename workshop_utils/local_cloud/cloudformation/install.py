"""The local cloud's CloudFormation: moto's, plus the resource types and deploy behaviour the CDK stacks need.

Importing this module installs everything (idempotently): the resource types below are
``CloudFormationModel`` subclasses, which moto's template parser finds by type name; they replace moto's
own model where moto has one. The backend becomes :class:`LocalCloudFormationBackend`.
"""

from __future__ import annotations

from moto.cloudformation import parsing
from moto.cloudformation.models import cloudformation_backends
from moto.core.common_models import CloudFormationModel

from ..backends import stepfunctions
from ..backends.subclassing import install_backend_class
from .awslambda import LambdaEventInvokeConfig, LambdaEventSourceMapping, LambdaFunctionModel, LambdaPermission
from .cdk import CdkMetadata
from .dynamodb import DynamoDBTable
from .kms import KmsAlias, KmsKey
from .logs import LogsLogGroup
from .sns import SnsSubscription, SnsTopic, SnsTopicPolicy
from .sqs import SqsQueue, SqsQueuePolicy
from .stacks import LocalCloudFormationBackend
from .stepfunctions import StepFunctionsStateMachine

#: The resource types the local cloud adds to (or fixes in) moto, one model each.
MODELS: tuple[type[CloudFormationModel], ...] = (
    CdkMetadata,
    DynamoDBTable,
    KmsAlias,
    KmsKey,
    LambdaEventInvokeConfig,
    LambdaEventSourceMapping,
    LambdaFunctionModel,
    LambdaPermission,
    LogsLogGroup,
    SnsSubscription,
    SnsTopic,
    SnsTopicPolicy,
    SqsQueue,
    SqsQueuePolicy,
    StepFunctionsStateMachine,
)


def registered_models() -> dict[str, type[CloudFormationModel]]:
    """The resource type -> model map moto's template parser uses (rebuilt from the current classes)."""
    for cached in (parsing.get_model_list, parsing.get_model_map, parsing.get_name_type_map):
        cached.cache_clear()
    return parsing.get_model_map()


def install() -> None:
    """Register the resource types and the backend; raises if moto no longer picks them up."""
    stepfunctions.install()
    install_backend_class(cloudformation_backends, LocalCloudFormationBackend)
    model_map = registered_models()
    missing = [model.cloudformation_type() for model in MODELS
               if model_map.get(model.cloudformation_type()) is not model]
    if missing:
        raise RuntimeError(
            f"moto's CloudFormation parser does not use the local cloud's models for {', '.join(missing)}; "
            "check that moto is the pinned version (requirements.txt) and reinstall it."
        )


install()
