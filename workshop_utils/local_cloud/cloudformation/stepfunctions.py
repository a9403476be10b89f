"""CloudFormation type AWS::StepFunctions::StateMachine, created in the backend the Step Functions API serves."""

from __future__ import annotations

import json
from typing import Any

from moto.core.common_models import CloudFormationModel

from ..backends.stepfunctions import all_sfn_backends, sfn_backend
from .common import ResourceHandle, ignoring_not_found, physical_name, tags_to_dict

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

    resource_type = "AWS::StepFunctions::StateMachine"
    name_property = "StateMachineName"
    cfn_attributes = ("Arn", "Name", "StateMachineRevisionId")
    replaced_when_changed = STATE_MACHINE_IDENTITY
    delete_before_replacing = True  # the replacement may keep the state machine's name

    def cfn_attribute(self, name: str) -> str:
        return self.physical_id.rsplit(":", 1)[-1] if name == "Name" else self.physical_id

    @classmethod
    def create_resource(
        cls, name: str, properties: dict[str, Any], account_id: str, region: str
    ) -> StepFunctionsStateMachine:
        state_machine = sfn_backend(account_id, region).create_state_machine(
            name=physical_name(name, properties, "StateMachineName", 80),
            definition=definition_of(properties),
            roleArn=properties.get("RoleArn", ""),
            tags=api_tags(properties),
            loggingConfiguration=api_shape(properties.get("LoggingConfiguration")),
            tracingConfiguration=api_shape(properties.get("TracingConfiguration")),
            sm_type=properties.get("StateMachineType", "STANDARD"),
        )
        return cls(state_machine.arn, properties, account_id, region)

    def update_in_place(self, properties: dict[str, Any], account_id: str, region: str) -> None:
        backend = sfn_backend(account_id, region)
        arn = self.physical_id
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

    @classmethod
    def delete_by_physical_id(cls, physical_id: str, account_id: str, region: str) -> None:
        # moto keeps two Step Functions backends; try both, so a machine in either one is removed.
        for backend in all_sfn_backends(account_id, region):
            with ignoring_not_found():
                backend.delete_state_machine(physical_id)
                backend.tagger.delete_all_tags_for_resource(physical_id)
