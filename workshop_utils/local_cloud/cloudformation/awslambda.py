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
from moto.core.common_models import CloudFormationModel
from moto.core.utils import iso_8601_datetime_with_nanoseconds

from .awslambda_logging import attach_logging_config
from .common import ResourceHandle, ignoring_not_found, physical_name, tags_to_dict

#: Template properties passed to CreateFunction under the same name.
FUNCTION_PROPERTIES = (
    "Handler",
    "Runtime",
    "Role",
    "Description",
    "MemorySize",
    "Timeout",
    "VpcConfig",
    "Environment",
    "ReservedConcurrentExecutions",
    "Architectures",
    "EphemeralStorage",
    "TracingConfig",
    "Layers",
    "PackageType",
    "ImageConfig",
    "LoggingConfig",
    "DeadLetterConfig",
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

    resource_type = "AWS::Lambda::Function"
    name_property = "FunctionName"
    cfn_attributes = ("Arn", "SnapStartResponse.ApplyOn")
    replaced_when_changed = ("FunctionName",)

    def cfn_attribute(self, name: str) -> str:
        if name == "Arn":
            return lambda_backend(self.account_id, self.region).get_function(self.physical_id).function_arn
        return "None"  # SnapStartResponse.ApplyOn: SnapStart is off

    @classmethod
    def create_resource(
        cls, name: str, properties: dict[str, Any], account_id: str, region: str
    ) -> LambdaFunctionModel:
        name = physical_name(name, properties, "FunctionName", 64)
        spec: dict[str, Any] = {key: copy.deepcopy(properties[key]) for key in FUNCTION_PROPERTIES if key in properties}
        spec["FunctionName"] = name
        spec["Code"] = code_for_api(properties["Code"], properties.get("Runtime"))
        if "KmsKeyArn" in properties:
            spec["KMSKeyArn"] = properties["KmsKeyArn"]
        spec["Tags"] = tags_to_dict(properties.get("Tags"))
        function = lambda_backend(account_id, region).create_function(spec)
        attach_logging_config(function, properties.get("LoggingConfig"))
        return cls(name, properties, account_id, region)

    def update_in_place(self, properties: dict[str, Any], account_id: str, region: str) -> None:
        backend = lambda_backend(account_id, region)
        name = self.physical_id
        # Dropping LoggingConfig from the template returns the function to AWS's default group.
        logging_config = properties.get("LoggingConfig") or {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"}
        backend.update_function_configuration(
            name,
            None,
            {
                "Description": properties.get("Description", ""),
                "Handler": properties.get("Handler"),
                "MemorySize": properties.get("MemorySize", 128),
                "Role": properties["Role"],
                "Runtime": properties.get("Runtime"),
                "Timeout": properties.get("Timeout", 3),
                "Environment": {"Variables": properties.get("Environment", {}).get("Variables", {})},
                "Layers": properties.get("Layers", []),
                "LoggingConfig": logging_config,
            },
        )
        function = backend.get_function(name)
        attach_logging_config(function, logging_config)
        function.reserved_concurrency = properties.get("ReservedConcurrentExecutions")
        function.tracing_config = properties.get("TracingConfig") or {"Mode": "PassThrough"}
        function.tags = tags_to_dict(properties.get("Tags"))
        if properties["Code"] != self.properties.get("Code"):
            backend.update_function_code(name, None, code_for_api(properties["Code"], properties.get("Runtime")))
        function.last_modified = iso_8601_datetime_with_nanoseconds()

    @classmethod
    def delete_by_physical_id(cls, physical_id: str, account_id: str, region: str) -> None:
        lambda_backend(account_id, region).delete_function(physical_id)


class LambdaPermission(ResourceHandle, CloudFormationModel):
    """A statement in a function's resource policy, named after the resource so it can be removed."""

    resource_type = "AWS::Lambda::Permission"

    @classmethod
    def create_resource(cls, name: str, properties: dict[str, Any], account_id: str, region: str) -> LambdaPermission:
        statement = {key: value for key, value in properties.items() if key != "FunctionName"}
        statement["StatementId"] = name
        lambda_backend(account_id, region).add_permission(properties["FunctionName"], None, json.dumps(statement))
        return cls(name, properties, account_id, region)

    def needs_replacement(self, properties: dict[str, Any]) -> bool:
        return True  # every change replaces the statement (it has no update API)

    def delete(self, account_id: str, region_name: str) -> None:
        # Found by function and statement id, which the handle keeps (a physical id alone is not enough).
        with ignoring_not_found():
            lambda_backend(account_id, self.region).remove_permission(self.properties["FunctionName"], self.physical_id)


class LambdaEventInvokeConfig(ResourceHandle, CloudFormationModel):
    """Asynchronous invocation settings, stored with the backend's put_function_event_invoke_config."""

    resource_type = "AWS::Lambda::EventInvokeConfig"
    delete_before_replacing = True  # one configuration per function

    @classmethod
    def create_resource(
        cls, name: str, properties: dict[str, Any], account_id: str, region: str
    ) -> LambdaEventInvokeConfig:
        handle = cls(name, properties, account_id, region)
        handle.update_in_place(properties, account_id, region)
        return handle

    def needs_replacement(self, properties: dict[str, Any]) -> bool:
        return function_name_of(properties["FunctionName"]) != function_name_of(self.properties["FunctionName"])

    def update_in_place(self, properties: dict[str, Any], account_id: str, region: str) -> None:
        settings = {key: properties[key] for key in EVENT_INVOKE_SETTINGS if key in properties}
        backend = lambda_backend(self.account_id, self.region)
        # moto appends on every put and reads the first one: clear first so an update takes effect.
        with ignoring_not_found():
            backend.delete_function_event_invoke_config(properties["FunctionName"])
        backend.put_function_event_invoke_config(properties["FunctionName"], settings)

    def delete(self, account_id: str, region_name: str) -> None:
        # Found by function name, which the handle keeps.
        with ignoring_not_found():
            lambda_backend(account_id, self.region).delete_function_event_invoke_config(self.properties["FunctionName"])


class LambdaEventSourceMapping(ResourceHandle, CloudFormationModel):
    """An event source mapping; updates keep its UUID and reset settings the template no longer sets."""

    resource_type = "AWS::Lambda::EventSourceMapping"
    cfn_attributes = ("Id", "EventSourceMappingArn")
    replaced_when_changed = MAPPING_IDENTITY

    def cfn_attribute(self, name: str) -> str:
        return self.physical_id if name == "Id" else self.mapping().arn

    def mapping(self) -> EventSourceMapping:
        mapping = lambda_backend(self.account_id, self.region).get_event_source_mapping(self.physical_id)
        if mapping is None:
            raise KeyError(f"event source mapping {self.physical_id} does not exist")
        return mapping

    @classmethod
    def create_resource(
        cls, name: str, properties: dict[str, Any], account_id: str, region: str
    ) -> LambdaEventSourceMapping:
        spec = copy.deepcopy(properties)
        spec["Tags"] = tags_to_dict(spec.get("Tags"))
        mapping = lambda_backend(account_id, region).create_event_source_mapping(spec)
        return cls(mapping.uuid, properties, account_id, region)

    def update_in_place(self, properties: dict[str, Any], account_id: str, region: str) -> None:
        changes: dict[str, Any] = {key: None for key in self.properties if key not in properties and key != "Tags"}
        changes.update({key: value for key, value in properties.items() if key not in MAPPING_IDENTITY})
        changes.pop("Tags", None)
        if changes.get("Enabled") is None:
            changes["Enabled"] = True
        lambda_backend(account_id, region).update_event_source_mapping(self.physical_id, changes)
        self.mapping().tags = tags_to_dict(properties.get("Tags"))

    @classmethod
    def delete_by_physical_id(cls, physical_id: str, account_id: str, region: str) -> None:
        lambda_backend(account_id, region).delete_event_source_mapping(physical_id)
