"""A CloudFormation stack on the real local cloud: its functions run, log, answer SNS and Step Functions."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

pytestmark = pytest.mark.slow

WORKER = """
import json


def handler(event, context):
    if "Records" in event:
        event = json.loads(event["Records"][0]["Sns"]["Message"])
    print("worker got " + json.dumps(event))
    return {"doubled": event["n"] * 2}
"""


def template() -> dict[str, Any]:
    assume = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": ["lambda.amazonaws.com", "states.amazonaws.com"]},
        "Action": "sts:AssumeRole"}]}
    definition = {"StartAt": "Double", "States": {
        "Double": {"Type": "Task", "Resource": "WORKER_ARN", "Next": "Report"},
        "Report": {"Type": "Pass", "Parameters": {"result.$": "$.doubled"}, "End": True}}}
    before, after = json.dumps(definition).split("WORKER_ARN")
    return {
        "Resources": {
            "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": assume}},
            "WorkerLogs": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 1}},
            "Worker": {"Type": "AWS::Lambda::Function", "Properties": {
                "Code": {"ZipFile": WORKER}, "Handler": "index.handler", "Runtime": "python3.11",
                "Role": {"Fn::GetAtt": ["Role", "Arn"]}, "LoggingConfig": {"LogGroup": {"Ref": "WorkerLogs"}}}},
            "Results": {"Type": "AWS::SQS::Queue"},
            "WorkerInvokeConfig": {"Type": "AWS::Lambda::EventInvokeConfig", "Properties": {
                "FunctionName": {"Ref": "Worker"}, "Qualifier": "$LATEST", "MaximumRetryAttempts": 0,
                "DestinationConfig": {"OnSuccess": {"Destination": {"Fn::GetAtt": ["Results", "Arn"]}}}}},
            "Requests": {"Type": "AWS::SNS::Topic"},
            "WorkerPermission": {"Type": "AWS::Lambda::Permission", "Properties": {
                "Action": "lambda:InvokeFunction", "FunctionName": {"Fn::GetAtt": ["Worker", "Arn"]},
                "Principal": "sns.amazonaws.com", "SourceArn": {"Ref": "Requests"}}},
            "WorkerSubscription": {"Type": "AWS::SNS::Subscription", "Properties": {
                "Protocol": "lambda", "TopicArn": {"Ref": "Requests"},
                "Endpoint": {"Fn::GetAtt": ["Worker", "Arn"]}}},
            "Machine": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {
                "RoleArn": {"Fn::GetAtt": ["Role", "Arn"]},
                "DefinitionString": {"Fn::Join": ["", [before, {"Fn::GetAtt": ["Worker", "Arn"]}, after]]}}},
        },
        "Outputs": {
            "MachineArn": {"Value": {"Ref": "Machine"}},
            "TopicArn": {"Value": {"Ref": "Requests"}},
            "ResultsUrl": {"Value": {"Ref": "Results"}},
            "LogGroupName": {"Value": {"Ref": "WorkerLogs"}},
            "WorkerName": {"Value": {"Ref": "Worker"}},
        },
    }


def test_a_cloudformation_stack_runs_on_the_local_runtime(aws: Any) -> None:
    cfn, sfn, sns, sqs = (aws.client(name) for name in ("cloudformation", "stepfunctions", "sns", "sqs"))
    stack = f"CfnOnLocalCloud{uuid.uuid4().hex[:8]}"
    change_set = cfn.create_change_set(StackName=stack, ChangeSetName="cdk-deploy-change-set",
                                       ChangeSetType="CREATE", TemplateBody=json.dumps(template()))
    cfn.execute_change_set(ChangeSetName=change_set["Id"])
    # ExecuteChangeSet answers at once, as on AWS; the stack is ready when its status says so.
    described = aws.wait_for(lambda: (d := cfn.describe_stacks(StackName=stack)["Stacks"][0])
                             ["StackStatus"] != "CREATE_IN_PROGRESS" and d)
    assert described["StackStatus"] == "CREATE_COMPLETE"
    outputs = {output["OutputKey"]: output["OutputValue"] for output in described["Outputs"]}

    execution = sfn.start_execution(stateMachineArn=outputs["MachineArn"], input=json.dumps({"n": 21}))
    done = aws.wait_for(lambda: (d := sfn.describe_execution(executionArn=execution["executionArn"]))
                        ["status"] != "RUNNING" and d)
    assert done["status"] == "SUCCEEDED", done
    assert json.loads(done["output"]) == {"result": 42}

    # SNS delivers to the function asynchronously; its OnSuccess destination gets the result.
    sns.publish(TopicArn=outputs["TopicArn"], Message=json.dumps({"n": 5}))
    (record,) = aws.receive_json(outputs["ResultsUrl"], count=1, timeout=60)
    assert record["responsePayload"] == {"doubled": 10}

    logged = aws.wait_for(lambda: [m for m in aws.log_messages(outputs["LogGroupName"]) if "worker got" in m])
    assert any('"n": 21' in message for message in logged)

    cfn.delete_stack(StackName=stack)
    functions = [f["FunctionName"] for f in aws.client("lambda").list_functions()["Functions"]]
    assert outputs["WorkerName"] not in functions
    assert outputs["MachineArn"] not in [m["stateMachineArn"] for m in sfn.list_state_machines()["stateMachines"]]
