"""CloudFormation types for Lambda: Function (with LoggingConfig), Permission, EventInvokeConfig, EventSourceMapping.

Everything goes through the Lambda backend's own methods (``moto.awslambda.utils.get_backend``), so a
subclassed backend (the local cloud's runtime) sees CloudFormation's changes as it sees API calls.
"""

from __future__ import annotations

import base64
import copy
import io
import json
import zipfile
from typing import Any

from moto.awslambda.models import EventSourceMapping, LambdaBackend
from moto.awslambda.utils import get_backend
from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.core.common_models import CloudFormationModel
from moto.core.utils import iso_8601_datetime_with_nanoseconds

from .cloudformation_common import ResourceHandle, ignoring_not_found, physical_name, tags_to_dict
from .cloudformation_lambda_logging import attach_logging_config

#: Template properties passed to CreateFunction under the same name.
FUNCTION_PROPERTIES = (
    "Handler", "Runtime", "Role", "Description", "MemorySize", "Timeout", "VpcConfig", "Environment",
    "ReservedConcurrentExecutions", "Architectures", "EphemeralStorage", "TracingConfig", "Layers",
    "PackageType", "ImageConfig", "LoggingConfig", "DeadLetterConfig",
)
EVENT_INVOKE_SETTINGS = ("DestinationConfig", "MaximumRetryAttempts", "MaximumEventAgeInSeconds")
#: Event source mapping properties an update cannot change (AWS replaces the mapping).
MAPPING_IDENTITY = ("EventSourceArn", "StartingPosition", "StartingPositionTimestamp")


def lambda_backend(account_id: str, region: str) -> LambdaBackend:
    return get_backend(account_id, region)


def function_name_of(name_or_arn: str) -> str:
    """``my-fn`` from ``my-fn`` or ``arn:aws:lambda:us-east-1:123456789012:function:my-fn[:qualifier]``."""
    parts = name_or_arn.split(":")
    return parts[6] if len(parts) >= 7 else name_or_arn


def code_for_api(code: dict[str, Any], runtime: str | None) -> dict[str, Any]:
    """The template's Code as CreateFunction/UpdateFunctionCode take it (inline ZipFile becomes a zip)."""
    if "ZipFile" not in code:
        return dict(code)
    file_name = "index.js" if (runtime or "").startswith("nodejs") else "index.py"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(file_name, code["ZipFile"])
    return {"ZipFile": base64.b64encode(buffer.getvalue())}


class LambdaFunctionModel(ResourceHandle, CloudFormationModel):
    """A function created through the Lambda backend, keeping LoggingConfig; updated in place."""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::Lambda::Function"

    @staticmethod
    def cloudformation_name_type() -> str:
        return "FunctionName"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in ("Arn", "SnapStartResponse.ApplyOn")

    def get_cfn_attribute(self, attribute_name: str) -> str:
        if attribute_name == "Arn":
            return lambda_backend(self.account_id, self.region).get_function(self.physical_id).function_arn
        if attribute_name == "SnapStartResponse.ApplyOn":
            return "None"
        raise UnformattedGetAttTemplateException()

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str,
        **kwargs: Any,
    ) -> LambdaFunctionModel:
        properties = cloudformation_json.get("Properties", {})
        name = physical_name(resource_name, properties, "FunctionName", 64)
        spec: dict[str, Any] = {key: copy.deepcopy(properties[key]) for key in FUNCTION_PROPERTIES
                                if key in properties}
        spec["FunctionName"] = name
        spec["Code"] = code_for_api(properties["Code"], properties.get("Runtime"))
        if "KmsKeyArn" in properties:
            spec["KMSKeyArn"] = properties["KmsKeyArn"]
        spec["Tags"] = tags_to_dict(properties.get("Tags"))
        function = lambda_backend(account_id, region_name).create_function(spec)
        attach_logging_config(function, properties.get("LoggingConfig"))
        return cls(name, properties, account_id, region_name)

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[misc]
        cls, original_resource: LambdaFunctionModel, new_resource_name: str,
        cloudformation_json: dict[str, Any], account_id: str, region_name: str,
    ) -> LambdaFunctionModel:
        properties = cloudformation_json.get("Properties", {})
        old = original_resource.properties
        if properties.get("FunctionName") != old.get("FunctionName"):
            replacement = cls.create_from_cloudformation_json(
                new_resource_name, cloudformation_json, account_id, region_name
            )
            original_resource.delete(account_id, region_name)
            return replacement
        backend = lambda_backend(account_id, region_name)
        name = original_resource.physical_id
        # Dropping LoggingConfig from the template returns the function to AWS's default group.
        logging_config = properties.get("LoggingConfig") or {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"}
        backend.update_function_configuration(name, None, {
            "Description": properties.get("Description", ""),
            "Handler": properties.get("Handler"),
            "MemorySize": properties.get("MemorySize", 128),
            "Role": properties["Role"],
            "Runtime": properties.get("Runtime"),
            "Timeout": properties.get("Timeout", 3),
            "Environment": {"Variables": properties.get("Environment", {}).get("Variables", {})},
            "Layers": properties.get("Layers", []),
            "LoggingConfig": logging_config,
        })
        function = backend.get_function(name)
        attach_logging_config(function, logging_config)
        function.reserved_concurrency = properties.get("ReservedConcurrentExecutions")
        function.tracing_config = properties.get("TracingConfig") or {"Mode": "PassThrough"}
        function.tags = tags_to_dict(properties.get("Tags"))
        if properties["Code"] != old.get("Code"):
            backend.update_function_code(name, None, code_for_api(properties["Code"], properties.get("Runtime")))
        function.last_modified = iso_8601_datetime_with_nanoseconds()
        original_resource.properties = properties
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(  # type: ignore[misc]
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str
    ) -> None:
        with ignoring_not_found():
            lambda_backend(account_id, region_name).delete_function(resource_name)

    def delete(self, account_id: str, region_name: str) -> None:
        type(self).delete_from_cloudformation_json(self.physical_id, {}, account_id, self.region)


class LambdaPermission(ResourceHandle, CloudFormationModel):
    """A statement in a function's resource policy, named after the resource so it can be removed."""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::Lambda::Permission"

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str,
        **kwargs: Any,
    ) -> LambdaPermission:
        properties = cloudformation_json.get("Properties", {})
        statement = {key: value for key, value in properties.items() if key != "FunctionName"}
        statement["StatementId"] = resource_name
        backend = lambda_backend(account_id, region_name)
        backend.add_permission(properties["FunctionName"], None, json.dumps(statement))
        return cls(resource_name, properties, account_id, region_name)

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[misc]
        cls, original_resource: LambdaPermission, new_resource_name: str,
        cloudformation_json: dict[str, Any], account_id: str, region_name: str,
    ) -> LambdaPermission:
        replacement = cls.create_from_cloudformation_json(
            new_resource_name, cloudformation_json, account_id, region_name
        )
        original_resource.delete(account_id, region_name)
        return replacement

    @classmethod
    def delete_from_cloudformation_json(  # type: ignore[misc]
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str
    ) -> None:
        """Nothing to find by name alone: the instance's delete removes the statement."""

    def delete(self, account_id: str, region_name: str) -> None:
        with ignoring_not_found():
            lambda_backend(account_id, self.region).remove_permission(
                self.properties["FunctionName"], self.physical_id
            )


class LambdaEventInvokeConfig(ResourceHandle, CloudFormationModel):
    """Asynchronous invocation settings, stored with the backend's put_function_event_invoke_config."""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::Lambda::EventInvokeConfig"

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str,
        **kwargs: Any,
    ) -> LambdaEventInvokeConfig:
        properties = cloudformation_json.get("Properties", {})
        handle = cls(resource_name, properties, account_id, region_name)
        handle._put(properties)
        return handle

    def _put(self, properties: dict[str, Any]) -> None:
        settings = {key: properties[key] for key in EVENT_INVOKE_SETTINGS if key in properties}
        backend = lambda_backend(self.account_id, self.region)
        # moto appends on every put and reads the first one: clear first so an update takes effect.
        with ignoring_not_found():
            backend.delete_function_event_invoke_config(properties["FunctionName"])
        backend.put_function_event_invoke_config(properties["FunctionName"], settings)

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[misc]
        cls, original_resource: LambdaEventInvokeConfig, new_resource_name: str,
        cloudformation_json: dict[str, Any], account_id: str, region_name: str,
    ) -> LambdaEventInvokeConfig:
        properties = cloudformation_json.get("Properties", {})
        old = original_resource.properties
        if function_name_of(properties["FunctionName"]) != function_name_of(old["FunctionName"]):
            original_resource.delete(account_id, region_name)
            return cls.create_from_cloudformation_json(
                new_resource_name, cloudformation_json, account_id, region_name
            )
        original_resource._put(properties)
        original_resource.properties = properties
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(  # type: ignore[misc]
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str
    ) -> None:
        """Nothing to find by name alone: the instance's delete removes the configuration."""

    def delete(self, account_id: str, region_name: str) -> None:
        with ignoring_not_found():
            lambda_backend(account_id, self.region).delete_function_event_invoke_config(
                self.properties["FunctionName"]
            )


class LambdaEventSourceMapping(ResourceHandle, CloudFormationModel):
    """An event source mapping; updates keep its UUID and reset settings the template no longer sets."""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::Lambda::EventSourceMapping"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in ("Id", "EventSourceMappingArn")

    def get_cfn_attribute(self, attribute_name: str) -> str:
        if attribute_name == "Id":
            return self.physical_id
        if attribute_name == "EventSourceMappingArn":
            return self.mapping().arn
        raise UnformattedGetAttTemplateException()

    def mapping(self) -> EventSourceMapping:
        mapping = lambda_backend(self.account_id, self.region).get_event_source_mapping(self.physical_id)
        if mapping is None:
            raise KeyError(f"event source mapping {self.physical_id} does not exist")
        return mapping

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str,
        **kwargs: Any,
    ) -> LambdaEventSourceMapping:
        properties = cloudformation_json.get("Properties", {})
        spec = copy.deepcopy(properties)
        spec["Tags"] = tags_to_dict(spec.get("Tags"))
        mapping = lambda_backend(account_id, region_name).create_event_source_mapping(spec)
        return cls(mapping.uuid, properties, account_id, region_name)

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[misc]
        cls, original_resource: LambdaEventSourceMapping, new_resource_name: str,
        cloudformation_json: dict[str, Any], account_id: str, region_name: str,
    ) -> LambdaEventSourceMapping:
        properties = cloudformation_json.get("Properties", {})
        old = original_resource.properties
        if any(properties.get(key) != old.get(key) for key in MAPPING_IDENTITY):
            replacement = cls.create_from_cloudformation_json(
                new_resource_name, cloudformation_json, account_id, region_name
            )
            original_resource.delete(account_id, region_name)
            return replacement
        changes: dict[str, Any] = {key: None for key in old if key not in properties and key != "Tags"}
        changes.update({key: value for key, value in properties.items() if key not in MAPPING_IDENTITY})
        changes.pop("Tags", None)
        if changes.get("Enabled") is None:
            changes["Enabled"] = True
        backend = lambda_backend(account_id, region_name)
        backend.update_event_source_mapping(original_resource.physical_id, changes)
        original_resource.mapping().tags = tags_to_dict(properties.get("Tags"))
        original_resource.properties = properties
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(  # type: ignore[misc]
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str
    ) -> None:
        lambda_backend(account_id, region_name).delete_event_source_mapping(resource_name)

    def delete(self, account_id: str, region_name: str) -> None:
        type(self).delete_from_cloudformation_json(self.physical_id, {}, account_id, self.region)
