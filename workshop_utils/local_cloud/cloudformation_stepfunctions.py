"""CloudFormation type AWS::StepFunctions::StateMachine, created in the backend the Step Functions API serves."""

from __future__ import annotations

import json
from typing import Any

from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.core.common_models import CloudFormationModel

from .cloudformation_common import ResourceHandle, ignoring_not_found, physical_name, tags_to_dict
from .stepfunctions import all_sfn_backends, sfn_backend

#: A change to any of these replaces the state machine (as in AWS).
STATE_MACHINE_IDENTITY = ("StateMachineName", "StateMachineType")


def definition_of(properties: dict[str, Any]) -> str:
    """The ASL text: DefinitionString or Definition, with DefinitionSubstitutions applied."""
    definition = properties.get("DefinitionString")
    if definition is None:
        definition = json.dumps(properties.get("Definition", {}))
    for key, value in (properties.get("DefinitionSubstitutions") or {}).items():
        definition = definition.replace("${" + key + "}", str(value))
    return definition


def api_shape(value: Any) -> Any:
    """CloudFormation's PascalCase settings (LoggingConfiguration...) in the API's camelCase."""
    if isinstance(value, dict):
        return {key[:1].lower() + key[1:]: api_shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [api_shape(item) for item in value]
    return value


def api_tags(properties: dict[str, Any]) -> list[dict[str, str]]:
    return [{"key": key, "value": value} for key, value in tags_to_dict(properties.get("Tags")).items()]


class StepFunctionsStateMachine(ResourceHandle, CloudFormationModel):
    """A state machine visible to (and executable through) the Step Functions API; ``Ref`` is its ARN."""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::StepFunctions::StateMachine"

    @staticmethod
    def cloudformation_name_type() -> str:
        return "StateMachineName"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in ("Arn", "Name", "StateMachineRevisionId")

    def get_cfn_attribute(self, attribute_name: str) -> str:
        if attribute_name == "Arn":
            return self.physical_id
        if attribute_name == "Name":
            return self.physical_id.rsplit(":", 1)[-1]
        if attribute_name == "StateMachineRevisionId":
            return self.physical_id
        raise UnformattedGetAttTemplateException()

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str,
        **kwargs: Any,
    ) -> StepFunctionsStateMachine:
        properties = cloudformation_json.get("Properties", {})
        state_machine = sfn_backend(account_id, region_name).create_state_machine(
            name=physical_name(resource_name, properties, "StateMachineName", 80),
            definition=definition_of(properties),
            roleArn=properties.get("RoleArn", ""),
            tags=api_tags(properties),
            loggingConfiguration=api_shape(properties.get("LoggingConfiguration")),
            tracingConfiguration=api_shape(properties.get("TracingConfiguration")),
            sm_type=properties.get("StateMachineType", "STANDARD"),
        )
        return cls(state_machine.arn, properties, account_id, region_name)

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[misc]
        cls, original_resource: StepFunctionsStateMachine, new_resource_name: str,
        cloudformation_json: dict[str, Any], account_id: str, region_name: str,
    ) -> StepFunctionsStateMachine:
        properties = cloudformation_json.get("Properties", {})
        old = original_resource.properties
        if any(properties.get(key) != old.get(key) for key in STATE_MACHINE_IDENTITY):
            original_resource.delete(account_id, region_name)
            return cls.create_from_cloudformation_json(
                new_resource_name, cloudformation_json, account_id, region_name
            )
        backend = sfn_backend(account_id, region_name)
        arn = original_resource.physical_id
        backend.update_state_machine(
            arn,
            definition=definition_of(properties),
            role_arn=properties.get("RoleArn"),
            logging_configuration=api_shape(properties.get("LoggingConfiguration")),
            tracing_configuration=api_shape(properties.get("TracingConfiguration")),
        )
        backend.tagger.delete_all_tags_for_resource(arn)
        if api_tags(properties):
            backend.tagger.tag_resource(arn, api_tags(properties))
        original_resource.properties = properties
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(  # type: ignore[misc]
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str
    ) -> None:
        for backend in all_sfn_backends(account_id, region_name):
            with ignoring_not_found():
                backend.delete_state_machine(resource_name)
                backend.tagger.delete_all_tags_for_resource(resource_name)

    def delete(self, account_id: str, region_name: str) -> None:
        type(self).delete_from_cloudformation_json(self.physical_id, {}, account_id, self.region)
