"""State machines created by CloudFormation run through the Step Functions API of the local cloud."""

from __future__ import annotations

import json
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cfn_support import assume_role_policy, finished, outputs_of  # noqa: E402

ASSUME_STATES = assume_role_policy("states.amazonaws.com")
ASSUME_LAMBDA = assume_role_policy("lambda.amazonaws.com")


def vendor_branch(vendor: str) -> dict[str, Any]:
    """A Parallel branch quoting for one vendor: a Choice on the car type, then a Pass with the quote."""
    return {
        "StartAt": f"Rate{vendor}",
        "States": {
            f"Rate{vendor}": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.data.car_type", "StringEquals": "XL", "Next": f"Large{vendor}"}],
                "Default": f"Small{vendor}",
            },
            f"Large{vendor}": {
                "Type": "Pass",
                "Parameters": {"vendor": vendor, "size": "large", "days_rental.$": "$.data.days_rental"},
                "End": True,
            },
            f"Small{vendor}": {
                "Type": "Pass",
                "Parameters": {"vendor": vendor, "size": "small", "days_rental.$": "$.data.days_rental"},
                "End": True,
            },
        },
    }


def template(vendors: list[str]) -> dict[str, Any]:
    """A stack whose definition is built with Fn::Join around Fn::GetAtt of a Lambda ARN, as the CDK does."""
    head = {
        "StartAt": "Tag",
        "States": {
            "Tag": {"Type": "Pass", "Result": "FUNCTION_ARN", "ResultPath": "$.requester", "Next": "Scatter"},
            "Scatter": {
                "Type": "Parallel",
                "Branches": [vendor_branch(v) for v in vendors],
                "ResultPath": "$.quotes",
                "Next": "Gather",
            },
            "Gather": {
                "Type": "Pass",
                "Parameters": {"quotes.$": "$.quotes", "requester.$": "$.requester"},
                "End": True,
            },
        },
    }
    before, after = json.dumps(head).split("FUNCTION_ARN")
    return {
        "Resources": {
            "FunctionRole": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": ASSUME_LAMBDA}},
            "Requester": {
                "Type": "AWS::Lambda::Function",
                "Properties": {
                    "Code": {"ZipFile": "def handler(event, context):\n    return event\n"},
                    "Handler": "index.handler",
                    "Runtime": "python3.11",
                    "Role": {"Fn::GetAtt": ["FunctionRole", "Arn"]},
                },
            },
            "MachineRole": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": ASSUME_STATES}},
            "Machine": {
                "Type": "AWS::StepFunctions::StateMachine",
                "Properties": {
                    "RoleArn": {"Fn::GetAtt": ["MachineRole", "Arn"]},
                    "DefinitionString": {"Fn::Join": ["", [before, {"Fn::GetAtt": ["Requester", "Arn"]}, after]]},
                    "Tags": [{"Key": "workshop", "Value": "scatter-gather"}],
                },
            },
        },
        "Outputs": {
            "StatemachineArn": {"Value": {"Ref": "Machine"}},
            "StatemachineName": {"Value": {"Fn::GetAtt": ["Machine", "Name"]}},
            "RequesterArn": {"Value": {"Fn::GetAtt": ["Requester", "Arn"]}},
        },
    }


REQUEST = {"data": {"car_type": "XL", "days_rental": 20}}


@pytest.fixture()
def stack(moto_client: Callable[[str], Any]) -> Iterator[str]:
    name = f"Parallel{uuid.uuid4().hex[:8]}"
    moto_client("cloudformation").create_stack(StackName=name, TemplateBody=json.dumps(template(["Avis", "Alamo"])))
    yield name
    moto_client("cloudformation").delete_stack(StackName=name)


def test_a_cloudformation_state_machine_is_visible_and_described_with_its_definition(
    moto_client: Callable[[str], Any], stack: str
) -> None:
    cfn, sfn = moto_client("cloudformation"), moto_client("stepfunctions")
    outputs = outputs_of(cfn, stack)
    arn = outputs["StatemachineArn"]
    assert arn in [machine["stateMachineArn"] for machine in sfn.list_state_machines()["stateMachines"]]
    described = sfn.describe_state_machine(stateMachineArn=arn)
    assert described["name"] == outputs["StatemachineName"]
    definition = json.loads(described["definition"])
    assert definition["States"]["Tag"]["Result"] == outputs["RequesterArn"]
    assert len(definition["States"]["Scatter"]["Branches"]) == 2
    assert sfn.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "workshop", "value": "scatter-gather"}]


def test_executions_without_a_name_get_a_fresh_uuid_every_time_and_record_history(
    moto_client: Callable[[str], Any], stack: str
) -> None:
    cfn, sfn = moto_client("cloudformation"), moto_client("stepfunctions")
    arn = outputs_of(cfn, stack)["StatemachineArn"]
    started = [sfn.start_execution(stateMachineArn=arn, input=json.dumps(REQUEST)) for _ in range(2)]
    names = [execution["executionArn"].rsplit(":", 1)[-1] for execution in started]
    assert names[0] != names[1] and all(uuid.UUID(name) for name in names)

    described = finished(sfn, started[0]["executionArn"])
    assert described["status"] == "SUCCEEDED" and described["name"] == names[0]
    output = json.loads(described["output"])
    assert output["quotes"] == [
        {"vendor": "Avis", "size": "large", "days_rental": 20},
        {"vendor": "Alamo", "size": "large", "days_rental": 20},
    ]
    assert output["requester"] == outputs_of(cfn, stack)["RequesterArn"]
    history = sfn.get_execution_history(executionArn=started[0]["executionArn"])["events"]
    types = [event["type"] for event in history]
    assert types[0] == "ExecutionStarted" and types[-1] == "ExecutionSucceeded"
    assert "ParallelStateEntered" in types and types.count("ChoiceStateEntered") == 2
    listed = sfn.list_executions(stateMachineArn=arn)["executions"]
    assert {execution["name"] for execution in listed} >= set(names)
    assert finished(sfn, started[1]["executionArn"])["status"] == "SUCCEEDED"


def test_named_executions_keep_aws_semantics(moto_client: Callable[[str], Any], stack: str) -> None:
    cfn, sfn = moto_client("cloudformation"), moto_client("stepfunctions")
    arn = outputs_of(cfn, stack)["StatemachineArn"]
    started = sfn.start_execution(stateMachineArn=arn, name="first-quote", input=json.dumps(REQUEST))
    assert started["executionArn"].endswith(":first-quote")
    finished(sfn, started["executionArn"])
    with pytest.raises(ClientError) as raised:
        sfn.start_execution(stateMachineArn=arn, name="first-quote", input=json.dumps({"other": 1}))
    assert raised.value.response["Error"]["Code"] == "ExecutionAlreadyExists"


def test_adding_a_branch_and_redeploying_updates_the_same_state_machine(
    moto_client: Callable[[str], Any], stack: str
) -> None:
    cfn, sfn = moto_client("cloudformation"), moto_client("stepfunctions")
    arn = outputs_of(cfn, stack)["StatemachineArn"]
    cfn.update_stack(StackName=stack, TemplateBody=json.dumps(template(["Avis", "Alamo", "Hertz"])))
    assert outputs_of(cfn, stack)["StatemachineArn"] == arn
    assert (
        len(json.loads(sfn.describe_state_machine(stateMachineArn=arn)["definition"])["States"]["Scatter"]["Branches"])
        == 3
    )
    execution = sfn.start_execution(
        stateMachineArn=arn, input=json.dumps({"data": {"car_type": "compact", "days_rental": 3}})
    )
    output = json.loads(finished(sfn, execution["executionArn"])["output"])
    assert [quote["vendor"] for quote in output["quotes"]] == ["Avis", "Alamo", "Hertz"]
    assert {quote["size"] for quote in output["quotes"]} == {"small"}


def test_deleting_the_stack_removes_the_state_machine(moto_client: Callable[[str], Any]) -> None:
    cfn, sfn = moto_client("cloudformation"), moto_client("stepfunctions")
    name = f"Doomed{uuid.uuid4().hex[:8]}"
    cfn.create_stack(StackName=name, TemplateBody=json.dumps(template(["Avis"])))
    arn = outputs_of(cfn, name)["StatemachineArn"]
    cfn.delete_stack(StackName=name)
    assert arn not in [machine["stateMachineArn"] for machine in sfn.list_state_machines()["stateMachines"]]
    with pytest.raises(ClientError):
        sfn.describe_state_machine(stateMachineArn=arn)


def test_state_machines_created_through_the_api_also_run_without_names(moto_client: Callable[[str], Any]) -> None:
    sfn, iam = moto_client("stepfunctions"), moto_client("iam")
    role = iam.create_role(RoleName=f"sfn-{uuid.uuid4().hex[:8]}", AssumeRolePolicyDocument=json.dumps(ASSUME_STATES))[
        "Role"
    ]["Arn"]
    definition = {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "End": True,
                "ItemProcessor": {
                    "StartAt": "Double",
                    "States": {
                        "Double": {"Type": "Pass", "Parameters": {"value.$": "States.MathAdd($, $)"}, "End": True}
                    },
                },
            }
        },
    }
    arn = sfn.create_state_machine(name=f"map-{uuid.uuid4().hex[:8]}", definition=json.dumps(definition), roleArn=role)[
        "stateMachineArn"
    ]
    executions = [sfn.start_execution(stateMachineArn=arn, input=json.dumps({"items": [1, 2, 3]})) for _ in range(2)]
    for execution in executions:
        described = finished(sfn, execution["executionArn"])
        assert described["status"] == "SUCCEEDED"
        assert json.loads(described["output"]) == [{"value": 2}, {"value": 4}, {"value": 6}]
    sfn.delete_state_machine(stateMachineArn=arn)
