"""CloudFormation in the local cloud: the resource types the CDK stacks use, created, updated and deleted."""

from __future__ import annotations

import json
import os
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
from moto.awslambda.utils import get_backend as lambda_backend_for

import workshop_utils.local_cloud.backends.stepfunctions as local_sfn
import workshop_utils.local_cloud.cloudformation.install as local_cfn

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cfn_support import ACCOUNT, REGION, assume_role_policy, outputs_of, settled  # noqa: E402

HANDLER = "def handler(event, context):\n    return event\n"


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:8]}"


def deploy_change_set(cfn: Any, stack: str, template: dict[str, Any], kind: str) -> None:
    change_set = cfn.create_change_set(
        StackName=stack,
        ChangeSetName="cdk-deploy-change-set",
        ChangeSetType=kind,
        TemplateBody=json.dumps(template),
        Capabilities=["CAPABILITY_IAM"],
    )
    cfn.execute_change_set(ChangeSetName="cdk-deploy-change-set", StackName=stack)
    assert settled(cfn, change_set["StackId"])["StackStatus"] == f"{kind}_COMPLETE"


def physical_ids(cfn: Any, stack: str) -> dict[str, str]:
    summaries = cfn.list_stack_resources(StackName=stack)["StackResourceSummaries"]
    return {summary["LogicalResourceId"]: summary["PhysicalResourceId"] for summary in summaries}


def function(role: str = "Role", **properties: Any) -> dict[str, Any]:
    return {
        "Type": "AWS::Lambda::Function",
        "Properties": {
            "Code": {"ZipFile": HANDLER},
            "Handler": "index.handler",
            "Runtime": "python3.11",
            "Role": {"Fn::GetAtt": [role, "Arn"]},
            **properties,
        },
    }


def subscription(protocol: str, target: str, **properties: Any) -> dict[str, Any]:
    """A subscription of the resource ``target`` (a logical id; its Arn is the endpoint) to ``Topic``."""
    return {
        "Type": "AWS::SNS::Subscription",
        "Properties": {
            "Protocol": protocol,
            "TopicArn": {"Ref": "Topic"},
            "Endpoint": {"Fn::GetAtt": [target, "Arn"]},
            **properties,
        },
    }


ROLE = {
    "Type": "AWS::IAM::Role",
    "Properties": {"AssumeRolePolicyDocument": assume_role_policy("lambda.amazonaws.com")},
}


# --- extension points -----------------------------------------------------------------------------------


def test_moto_extension_points_are_where_the_local_cloud_expects_them() -> None:
    from moto.cloudformation import parsing
    from moto.cloudformation.models import Stack, cloudformation_backends
    from moto.cloudformation.responses import CloudFormationResponse
    from moto.core.base_backend import AccountSpecificBackend, BackendDict, BaseBackend
    from moto.core.common_models import CloudFormationModel
    from moto.sns.models import SNSBackend, Topic
    from moto.stepfunctions import responses as sfn_responses
    from moto.stepfunctions.parser.models import StepFunctionsParserBackend, stepfunctions_parser_backends

    for cached in (parsing.get_model_list, parsing.get_model_map, parsing.get_name_type_map):
        assert callable(cached.cache_clear)
    assert parsing.get_model_list() == CloudFormationModel.__subclasses__()
    for name in ("backend",):
        assert hasattr(BackendDict(BaseBackend, "sts"), name)
    assert "backend" in AccountSpecificBackend.__init__.__code__.co_names
    assert isinstance(BaseBackend.__dict__["_url_module"], property)
    for name in ("_parse_template", "_create_output_map", "_add_stack_event"):
        assert callable(getattr(Stack, name))
    assert callable(parsing.ResourceMap._delete_resource)
    for name in ("_resource_json_map", "_parsed_resources"):
        assert name in parsing.ResourceMap.__init__.__code__.co_names
    assert callable(CloudFormationResponse._get_stack_from_s3_url)
    for name in ("describe_change_set", "delete_change_set", "list_change_sets", "create_change_set"):
        assert callable(getattr(CloudFormationResponse, name))
    assert callable(sfn_responses.get_backend)
    for name in (
        "put_function_event_invoke_config",
        "get_function_event_invoke_config",
        "delete_function_event_invoke_config",
        "add_permission",
        "remove_permission",
        "create_event_source_mapping",
        "update_event_source_mapping",
        "delete_event_source_mapping",
        "update_function_configuration",
        "update_function_code",
        "create_function",
        "delete_function",
    ):
        assert callable(getattr(type(lambda_backend_for(ACCOUNT, REGION)), name)), name
    for name in ("subscribe", "unsubscribe", "set_subscription_attributes", "_find_subscription", "get_topic"):
        assert callable(getattr(SNSBackend, name)), name
    assert callable(Topic._create_default_topic_policy)
    assert callable(StepFunctionsParserBackend.start_execution)
    assert cloudformation_backends.backend is local_cfn.LocalCloudFormationBackend
    assert stepfunctions_parser_backends.backend is local_sfn.LocalStepFunctionsBackend


def test_every_local_model_is_the_one_moto_uses_and_install_is_idempotent() -> None:
    local_cfn.install()
    local_cfn.install()
    registered = local_cfn.registered_models()
    for model in local_cfn.MODELS:
        assert registered[model.cloudformation_type()] is model
    assert local_sfn.execution_enabled()


# --- SNS, SQS, KMS ------------------------------------------------------------------------------------


def sns_template(filter_policy: dict[str, Any], scope: str, raw: bool | None, display: str) -> dict[str, Any]:
    raw_delivery = {} if raw is None else {"RawMessageDelivery": raw}
    return {
        "Resources": {
            "Key": {
                "Type": "AWS::KMS::Key",
                "Properties": {"Description": display, "KeyPolicy": {"Version": "2012-10-17", "Statement": []}},
            },
            "KeyAlias": {
                "Type": "AWS::KMS::Alias",
                "Properties": {"AliasName": "alias/" + display, "TargetKeyId": {"Ref": "Key"}},
            },
            "Topic": {
                "Type": "AWS::SNS::Topic",
                "Properties": {"DisplayName": display, "KmsMasterKeyId": {"Fn::GetAtt": ["Key", "Arn"]}},
            },
            "TopicPolicy": {
                "Type": "AWS::SNS::TopicPolicy",
                "Properties": {
                    "Topics": [{"Ref": "Topic"}],
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Deny",
                                "Principal": "*",
                                "Action": "sns:Publish",
                                "Resource": {"Ref": "Topic"},
                                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                            }
                        ],
                    },
                },
            },
            "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": 45}},
            "QueuePolicy": {
                "Type": "AWS::SQS::QueuePolicy",
                "Properties": {
                    "Queues": [{"Ref": "Queue"}],
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Principal": {"Service": "sns.amazonaws.com"},
                                "Action": "sqs:SendMessage",
                                "Resource": {"Fn::GetAtt": ["Queue", "Arn"]},
                            }
                        ],
                    },
                },
            },
            "Role": ROLE,
            "Function": function(),
            "InvokePermission": {
                "Type": "AWS::Lambda::Permission",
                "Properties": {
                    "Action": "lambda:InvokeFunction",
                    "FunctionName": {"Fn::GetAtt": ["Function", "Arn"]},
                    "Principal": "sns.amazonaws.com",
                    "SourceArn": {"Ref": "Topic"},
                },
            },
            "LambdaSubscription": subscription("lambda", "Function"),
            "QueueSubscription": subscription(
                "sqs", "Queue", FilterPolicy=filter_policy, FilterPolicyScope=scope, **raw_delivery
            ),
            "CDKMetadata": {"Type": "AWS::CDK::Metadata", "Properties": {"Analytics": "v2:deflate64:H4sI"}},
        },
        "Outputs": {
            "TopicArn": {"Value": {"Ref": "Topic"}},
            "QueueUrl": {"Value": {"Ref": "Queue"}},
            "FunctionName": {"Value": {"Ref": "Function"}},
        },
    }


def subscription_attributes(sns: Any, arn: str) -> dict[str, str]:
    return sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]


def receive_all(sqs: Any, queue_url: str) -> list[dict[str, Any]]:
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]).get(
        "Messages", []
    )
    for message in messages:
        sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    return messages


def test_sns_subscriptions_topic_and_policies_are_created_updated_and_deleted(
    moto_client: Callable[[str], Any],
) -> None:
    cfn, sns, sqs, lam, kms = (moto_client(name) for name in ("cloudformation", "sns", "sqs", "lambda", "kms"))
    stack, display = unique("SnsStack"), unique("quotes")
    cfn.create_stack(
        StackName=stack, TemplateBody=json.dumps(sns_template({"vendor": ["Avis"]}, "MessageAttributes", True, display))
    )

    outputs, ids = outputs_of(cfn, stack), physical_ids(cfn, stack)
    topic_arn, queue_url = outputs["TopicArn"], outputs["QueueUrl"]
    assert set(ids) == set(sns_template({}, "MessageAttributes", None, display)["Resources"])
    key_arn = kms.describe_key(KeyId=ids["Key"])["KeyMetadata"]["Arn"]
    topic = sns.get_topic_attributes(TopicArn=topic_arn)["Attributes"]
    assert topic["KmsMasterKeyId"] == key_arn and topic["DisplayName"] == display
    assert json.loads(topic["Policy"])["Statement"][0]["Effect"] == "Deny"
    queue_policy = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["Policy"])["Attributes"]["Policy"]
    assert json.loads(queue_policy)["Statement"][0]["Action"] == "sqs:SendMessage"
    assert any(
        alias["AliasName"] == f"alias/{display}" and alias["TargetKeyId"] == ids["Key"]
        for alias in kms.list_aliases()["Aliases"]
    )
    lambda_sub = subscription_attributes(sns, ids["LambdaSubscription"])
    assert lambda_sub["Protocol"] == "lambda" and lambda_sub["TopicArn"] == topic_arn
    assert lambda_sub["Endpoint"].endswith(f":function:{outputs['FunctionName']}")
    queue_sub = subscription_attributes(sns, ids["QueueSubscription"])
    assert queue_sub["Protocol"] == "sqs" and queue_sub["RawMessageDelivery"] == "true"
    assert json.loads(queue_sub["FilterPolicy"]) == {"vendor": ["Avis"]}
    assert queue_sub["FilterPolicyScope"] == "MessageAttributes"
    statement = json.loads(lam.get_policy(FunctionName=outputs["FunctionName"])["Policy"])["Statement"][0]
    assert statement["Sid"] == ids["InvokePermission"] and statement["Principal"] == {"Service": "sns.amazonaws.com"}

    # The filter policy and raw delivery are live: only Avis reaches the queue, unwrapped.
    for vendor in ("Avis", "Alamo"):
        sns.publish(
            TopicArn=topic_arn,
            Message=json.dumps({"vendor": vendor}),
            MessageAttributes={"vendor": {"DataType": "String", "StringValue": vendor}},
        )
    assert [json.loads(m["Body"]) for m in receive_all(sqs, queue_url)] == [{"vendor": "Avis"}]

    # Update: scope to the body, new policy, raw delivery dropped, topic renamed for display only.
    cfn.update_stack(
        StackName=stack,
        TemplateBody=json.dumps(sns_template({"vendor": ["Alamo"]}, "MessageBody", None, display + "x")),
    )
    assert physical_ids(cfn, stack)["Topic"] == topic_arn  # updated in place, subscriptions kept
    assert physical_ids(cfn, stack)["QueueSubscription"] == ids["QueueSubscription"]
    assert sns.get_topic_attributes(TopicArn=topic_arn)["Attributes"]["DisplayName"] == display + "x"
    assert kms.describe_key(KeyId=ids["Key"])["KeyMetadata"]["Description"] == display + "x"
    assert any(alias["AliasName"] == f"alias/{display}x" for alias in kms.list_aliases()["Aliases"])
    assert not any(alias["AliasName"] == f"alias/{display}" for alias in kms.list_aliases()["Aliases"])
    queue_sub = subscription_attributes(sns, ids["QueueSubscription"])
    assert json.loads(queue_sub["FilterPolicy"]) == {"vendor": ["Alamo"]}
    assert queue_sub["FilterPolicyScope"] == "MessageBody" and queue_sub["RawMessageDelivery"] == "false"
    for vendor in ("Avis", "Alamo"):
        sns.publish(TopicArn=topic_arn, Message=json.dumps({"vendor": vendor}))
    delivered = receive_all(sqs, queue_url)
    assert [json.loads(json.loads(m["Body"])["Message"]) for m in delivered] == [{"vendor": "Alamo"}]

    cfn.delete_stack(StackName=stack)
    assert all(t["TopicArn"] != topic_arn for t in sns.list_topics()["Topics"])
    assert all(s["TopicArn"] != topic_arn for s in sns.list_subscriptions()["Subscriptions"])
    assert not any(url.endswith(queue_url.rsplit("/", 1)[-1]) for url in sqs.list_queues().get("QueueUrls", []))
    assert outputs["FunctionName"] not in [f["FunctionName"] for f in lam.list_functions()["Functions"]]
    assert ids["Key"] not in [key["KeyId"] for key in kms.list_keys()["Keys"]]
    assert not any(display in alias["AliasName"] for alias in kms.list_aliases()["Aliases"])


def test_a_subscription_moved_to_another_queue_is_replaced(moto_client: Callable[[str], Any]) -> None:
    cfn, sns = moto_client("cloudformation"), moto_client("sns")
    stack = unique("MoveSub")

    def template(target: str) -> dict[str, Any]:
        return {
            "Resources": {
                "Topic": {"Type": "AWS::SNS::Topic"},
                "First": {"Type": "AWS::SQS::Queue"},
                "Second": {"Type": "AWS::SQS::Queue"},
                "Subscription": subscription("sqs", target),
            }
        }

    cfn.create_stack(StackName=stack, TemplateBody=json.dumps(template("First")))
    before = physical_ids(cfn, stack)
    cfn.update_stack(StackName=stack, TemplateBody=json.dumps(template("Second")))
    after = physical_ids(cfn, stack)
    assert after["Subscription"] != before["Subscription"]
    subscriptions = sns.list_subscriptions_by_topic(TopicArn=after["Topic"])["Subscriptions"]
    assert [s["Endpoint"].rsplit(":", 1)[-1] for s in subscriptions] == [after["Second"].rsplit("/", 1)[-1]]
    cfn.delete_stack(StackName=stack)
    assert all(s["TopicArn"] != after["Topic"] for s in sns.list_subscriptions()["Subscriptions"])


# --- Lambda, Logs ---------------------------------------------------------------------------------------


def lambda_template(
    retention: int,
    log_group: str,
    retries: int,
    on_success: str,
    window: int,
    response_types: list[str] | None,
    greeting: str,
) -> dict[str, Any]:
    mapping: dict[str, Any] = {
        "FunctionName": {"Ref": "Aggregator"},
        "EventSourceArn": {"Fn::GetAtt": ["Queue", "Arn"]},
        "BatchSize": 10,
        "MaximumBatchingWindowInSeconds": window,
    }
    if response_types:
        mapping["FunctionResponseTypes"] = response_types
    destination = {"Topic": {"Ref": "Topic"}, "Queue": {"Fn::GetAtt": ["Queue", "Arn"]}}
    return {
        "Resources": {
            "Role": ROLE,
            "LogGroupA": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": retention}},
            "LogGroupB": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 1}},
            "Topic": {"Type": "AWS::SNS::Topic"},
            "Queue": {"Type": "AWS::SQS::Queue"},
            "Requester": function(
                Environment={"Variables": {"GREETING": greeting}}, LoggingConfig={"LogGroup": {"Ref": log_group}}
            ),
            "Aggregator": function(LoggingConfig={"LogGroup": {"Ref": "LogGroupB"}, "LogFormat": "Text"}),
            "RequesterInvokeConfig": {
                "Type": "AWS::Lambda::EventInvokeConfig",
                "Properties": {
                    "FunctionName": {"Ref": "Requester"},
                    "Qualifier": "$LATEST",
                    "MaximumRetryAttempts": retries,
                    "MaximumEventAgeInSeconds": 300,
                    "DestinationConfig": {
                        "OnSuccess": {"Destination": destination[on_success]},
                        "OnFailure": {"Destination": {"Fn::GetAtt": ["Queue", "Arn"]}},
                    },
                },
            },
            "AggregatorSource": {"Type": "AWS::Lambda::EventSourceMapping", "Properties": mapping},
        },
        "Outputs": {
            "RequesterFunctionName": {"Value": {"Ref": "Requester"}},
            "AggregatorFunctionName": {"Value": {"Ref": "Aggregator"}},
            "AggregatorLogGroupName": {"Value": {"Ref": "LogGroupB"}},
        },
    }


def test_lambda_functions_logging_invoke_configs_and_mappings_through_change_sets(
    moto_client: Callable[[str], Any],
) -> None:
    cfn, lam, logs = moto_client("cloudformation"), moto_client("lambda"), moto_client("logs")
    stack = unique("LambdaStack")
    deploy_change_set(
        cfn, stack, lambda_template(7, "LogGroupA", 1, "Topic", 3, ["ReportBatchItemFailures"], "hello"), "CREATE"
    )
    outputs, ids = outputs_of(cfn, stack), physical_ids(cfn, stack)
    assert set(outputs) == {"RequesterFunctionName", "AggregatorFunctionName", "AggregatorLogGroupName"}
    requester = outputs["RequesterFunctionName"]
    assert outputs["AggregatorLogGroupName"] == ids["LogGroupB"]

    config = lam.get_function_configuration(FunctionName=requester)
    assert config["LoggingConfig"]["LogGroup"] == ids["LogGroupA"]
    assert lam.get_function(FunctionName=requester)["Configuration"]["LoggingConfig"]["LogGroup"] == ids["LogGroupA"]
    assert config["Environment"]["Variables"] == {"GREETING": "hello"}
    groups = {g["logGroupName"]: g for g in logs.describe_log_groups()["logGroups"]}
    assert groups[ids["LogGroupA"]]["retentionInDays"] == 7

    invoke_config = lam.get_function_event_invoke_config(FunctionName=requester)
    assert invoke_config["MaximumRetryAttempts"] == 1 and invoke_config["MaximumEventAgeInSeconds"] == 300
    assert invoke_config["DestinationConfig"]["OnSuccess"]["Destination"] == ids["Topic"]
    assert invoke_config["DestinationConfig"]["OnFailure"]["Destination"].endswith(ids["Queue"].rsplit("/", 1)[-1])
    # The runtime reads it through the backend, as the API does.
    backend_view = lambda_backend_for(ACCOUNT, REGION).get_function_event_invoke_config(requester)
    assert backend_view["DestinationConfig"]["OnSuccess"]["Destination"] == ids["Topic"]

    mapping = lam.get_event_source_mapping(UUID=ids["AggregatorSource"])
    assert mapping["MaximumBatchingWindowInSeconds"] == 3 and mapping["BatchSize"] == 10
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["FunctionArn"].endswith(":function:" + outputs["AggregatorFunctionName"])

    deploy_change_set(cfn, stack, lambda_template(14, "LogGroupB", 0, "Queue", 5, None, "bonjour"), "UPDATE")
    assert physical_ids(cfn, stack) == ids  # everything updated in place
    config = lam.get_function_configuration(FunctionName=requester)
    assert config["LoggingConfig"]["LogGroup"] == ids["LogGroupB"]
    assert config["Environment"]["Variables"] == {"GREETING": "bonjour"}
    groups = {g["logGroupName"]: g for g in logs.describe_log_groups()["logGroups"]}
    assert groups[ids["LogGroupA"]]["retentionInDays"] == 14
    invoke_config = lam.get_function_event_invoke_config(FunctionName=requester)
    assert invoke_config["MaximumRetryAttempts"] == 0
    assert invoke_config["DestinationConfig"]["OnSuccess"]["Destination"].endswith(ids["Queue"].rsplit("/", 1)[-1])
    mapping = lam.get_event_source_mapping(UUID=ids["AggregatorSource"])
    assert mapping["MaximumBatchingWindowInSeconds"] == 5 and "FunctionResponseTypes" not in mapping

    cfn.delete_stack(StackName=stack)
    names = [f["FunctionName"] for f in lam.list_functions()["Functions"]]
    assert requester not in names and outputs["AggregatorFunctionName"] not in names
    assert all(m["UUID"] != ids["AggregatorSource"] for m in lam.list_event_source_mappings()["EventSourceMappings"])
    remaining = {g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]}
    assert ids["LogGroupA"] not in remaining and ids["LogGroupB"] not in remaining


def test_deleting_a_stack_whose_resources_are_already_gone_still_completes(moto_client: Callable[[str], Any]) -> None:
    cfn, lam, logs, sqs = moto_client("cloudformation"), moto_client("lambda"), moto_client("logs"), moto_client("sqs")
    stack = unique("GoneStack")
    cfn.create_stack(
        StackName=stack, TemplateBody=json.dumps(lambda_template(7, "LogGroupA", 1, "Topic", 3, None, "hi"))
    )
    ids = physical_ids(cfn, stack)
    lam.delete_function(FunctionName=ids["Requester"])
    logs.delete_log_group(logGroupName=ids["LogGroupA"])
    sqs.delete_queue(QueueUrl=sqs.get_queue_url(QueueName=ids["Queue"].rsplit("/", 1)[-1])["QueueUrl"])
    cfn.delete_stack(StackName=stack)
    assert stack not in [s["StackName"] for s in cfn.describe_stacks()["Stacks"]]
    assert ids["Aggregator"] not in [f["FunctionName"] for f in lam.list_functions()["Functions"]]


# --- DynamoDB -----------------------------------------------------------------------------------------


def table_template(ttl_enabled: bool, tag: str) -> dict[str, Any]:
    return {
        "Resources": {
            "Aggregates": {
                "Type": "AWS::DynamoDB::Table",
                "Properties": {
                    "AttributeDefinitions": [{"AttributeName": "uuid", "AttributeType": "S"}],
                    "KeySchema": [{"AttributeName": "uuid", "KeyType": "HASH"}],
                    "BillingMode": "PAY_PER_REQUEST",
                    "TimeToLiveSpecification": {"AttributeName": "expires_at", "Enabled": ttl_enabled},
                    "Tags": [{"Key": "stage", "Value": tag}],
                },
            }
        },
        "Outputs": {"TableArn": {"Value": {"Fn::GetAtt": ["Aggregates", "Arn"]}}},
    }


def test_a_table_keeps_its_items_through_updates_and_goes_with_the_stack(moto_client: Callable[[str], Any]) -> None:
    cfn, dynamodb = moto_client("cloudformation"), moto_client("dynamodb")
    stack = unique("TableStack")
    cfn.create_stack(StackName=stack, TemplateBody=json.dumps(table_template(True, "one")))
    table = physical_ids(cfn, stack)["Aggregates"]
    assert outputs_of(cfn, stack)["TableArn"].endswith(f":table/{table}")
    assert dynamodb.describe_time_to_live(TableName=table)["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "ENABLED",
        "AttributeName": "expires_at",
    }
    dynamodb.put_item(TableName=table, Item={"uuid": {"S": "q-1"}})

    cfn.update_stack(StackName=stack, TemplateBody=json.dumps(table_template(False, "two")))
    assert physical_ids(cfn, stack)["Aggregates"] == table
    assert dynamodb.get_item(TableName=table, Key={"uuid": {"S": "q-1"}})["Item"] == {"uuid": {"S": "q-1"}}
    ttl = dynamodb.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
    assert ttl["TimeToLiveStatus"] == "DISABLED"

    cfn.delete_stack(StackName=stack)
    assert table not in dynamodb.list_tables()["TableNames"]


def test_template_urls_are_read_from_aws_and_local_endpoints() -> None:
    from workshop_utils.local_cloud.cloudformation.responses import template_location

    assert template_location("http://127.0.0.1:4566/cdk-assets/abc.json") == ("cdk-assets", "abc.json")
    assert template_location("http://localhost:4566/cdk-assets/a/b.json") == ("cdk-assets", "a/b.json")
    assert template_location("https://s3.us-east-1.amazonaws.com/cdk-assets/abc.json") == ("cdk-assets", "abc.json")
    assert template_location("https://cdk-assets.s3.us-east-1.amazonaws.com/abc.json") == ("cdk-assets", "abc.json")


# --- stacks ---------------------------------------------------------------------------------------------


def test_change_set_deploys_report_outputs_and_exports_per_stack(moto_client: Callable[[str], Any]) -> None:
    cfn = moto_client("cloudformation")
    first, second = unique("OutputsA"), unique("OutputsB")
    template: dict[str, Any] = {
        "Resources": {"Queue": {"Type": "AWS::SQS::Queue"}},
        "Outputs": {
            "QueueArn": {
                "Value": {"Fn::GetAtt": ["Queue", "Arn"]},
                "Export": {"Name": {"Fn::Sub": "${AWS::StackName}-QueueArn"}},
            }
        },
    }
    deploy_change_set(cfn, first, template, "CREATE")
    deploy_change_set(cfn, second, template, "CREATE")  # same change set name, other stack
    assert outputs_of(cfn, first)["QueueArn"].endswith(physical_ids(cfn, first)["Queue"].rsplit("/", 1)[-1])
    exports = {e["Name"]: e["Value"] for e in cfn.list_exports()["Exports"]}
    assert exports[f"{first}-QueueArn"] == outputs_of(cfn, first)["QueueArn"]

    # What the CDK does before each update: delete its old change set (there may be none), wait until
    # DescribeChangeSet says ChangeSetNotFound, create the new one.
    for _ in range(2):
        cfn.delete_change_set(StackName=first, ChangeSetName="cdk-deploy-change-set")
    with pytest.raises(cfn.exceptions.ChangeSetNotFoundException):
        cfn.describe_change_set(StackName=first, ChangeSetName="cdk-deploy-change-set")
    assert cfn.describe_change_set(StackName=second, ChangeSetName="cdk-deploy-change-set")["StackName"] == second
    template["Resources"]["Topic"] = {"Type": "AWS::SNS::Topic"}
    template["Outputs"]["TopicArn"] = {"Value": {"Ref": "Topic"}}
    deploy_change_set(cfn, first, template, "UPDATE")
    assert [summary["StackName"] for summary in cfn.list_change_sets(StackName=first)["Summaries"]] == [first]
    assert set(outputs_of(cfn, first)) == {"QueueArn", "TopicArn"}
    assert set(outputs_of(cfn, second)) == {"QueueArn"}
    for stack in (first, second):
        cfn.delete_stack(StackName=stack)
    assert not [e for e in cfn.list_exports()["Exports"] if e["Name"].startswith((first, second))]


def test_use_previous_value_keeps_an_ssm_parameter_as_the_cdk_bootstrap_version_uses_it(
    moto_client: Callable[[str], Any],
) -> None:
    cfn, ssm = moto_client("cloudformation"), moto_client("ssm")
    stack, path = unique("Bootstrapped"), f"/cdk-bootstrap/{uuid.uuid4().hex[:8]}/version"
    ssm.put_parameter(Name=path, Value="21", Type="String")
    template: dict[str, Any] = {
        "Parameters": {"BootstrapVersion": {"Type": "AWS::SSM::Parameter::Value<String>", "Default": path}},
        "Resources": {"Queue": {"Type": "AWS::SQS::Queue"}},
        "Outputs": {"Version": {"Value": {"Ref": "BootstrapVersion"}}},
    }
    deploy_change_set(cfn, stack, template, "CREATE")
    previous = [{"ParameterKey": "BootstrapVersion", "UsePreviousValue": True}]
    for round_number in range(2):
        template["Resources"][f"Topic{round_number}"] = {"Type": "AWS::SNS::Topic"}
        cfn.create_change_set(
            StackName=stack,
            ChangeSetName="cdk-deploy-change-set",
            ChangeSetType="UPDATE",
            TemplateBody=json.dumps(template),
            Parameters=previous,
        )
        cfn.execute_change_set(ChangeSetName="cdk-deploy-change-set", StackName=stack)
        settled(cfn, stack)
        assert outputs_of(cfn, stack) == {"Version": "21"}
    template["Resources"]["Topic2"] = {"Type": "AWS::SNS::Topic"}
    cfn.update_stack(StackName=stack, TemplateBody=json.dumps(template), Parameters=previous)
    assert outputs_of(cfn, stack) == {"Version": "21"}
    cfn.delete_stack(StackName=stack)


def test_a_change_set_that_fails_leaves_a_reason_and_a_final_status(moto_client: Callable[[str], Any]) -> None:
    cfn = moto_client("cloudformation")
    stack = unique("Broken")
    template = {
        "Resources": {
            "Subscription": {
                "Type": "AWS::SNS::Subscription",
                "Properties": {
                    "Protocol": "sqs",
                    "Endpoint": "arn:aws:sqs:us-east-1:123456789012:nowhere",
                    "TopicArn": "arn:aws:sns:us-east-1:123456789012:no-such-topic",
                },
            }
        }
    }
    cfn.create_change_set(
        StackName=stack,
        ChangeSetName="cdk-deploy-change-set",
        ChangeSetType="CREATE",
        TemplateBody=json.dumps(template),
    )
    cfn.execute_change_set(ChangeSetName="cdk-deploy-change-set", StackName=stack)  # answers, as on AWS
    described = settled(cfn, stack)
    assert described["StackStatus"] == "ROLLBACK_COMPLETE"
    assert described["StackStatusReason"].startswith("The following resource(s) failed to create: [Subscription].")
    events = cfn.describe_stack_events(StackName=stack)["StackEvents"]
    (failed,) = [e for e in events if e["ResourceStatus"] == "CREATE_FAILED"]
    assert failed["LogicalResourceId"] == "Subscription" and "Topic does not exist" in failed["ResourceStatusReason"]
    cfn.delete_stack(StackName=stack)


def test_dependency_order_puts_what_a_resource_refers_to_first() -> None:
    from workshop_utils.local_cloud.cloudformation.stacks import dependency_order

    resources = {
        "Mapping": {
            "Properties": {"FunctionName": {"Ref": "Function"}, "EventSourceArn": {"Fn::GetAtt": ["Queue", "Arn"]}}
        },
        "Function": {"Properties": {"Role": {"Fn::GetAtt": "Role.Arn"}}, "DependsOn": ["Policy"]},
        "Policy": {"Properties": {"Roles": [{"Ref": "Role"}], "Doc": {"Fn::Sub": "${Queue.Arn}/${AWS::Region}"}}},
        "Queue": {"Properties": {}},
        "Role": {"Properties": {}},
    }
    order = dependency_order(resources)
    assert sorted(order) == sorted(resources)
    for before, after in [
        ("Function", "Mapping"),
        ("Queue", "Mapping"),
        ("Role", "Function"),
        ("Policy", "Function"),
        ("Queue", "Policy"),
        ("Role", "Policy"),
    ]:
        assert order.index(before) < order.index(after), (before, after)


def test_a_stack_is_deleted_dependents_first(
    moto_client: Callable[[str], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from moto.awslambda.models import LambdaBackend
    from moto.sqs.models import SQSBackend

    cfn = moto_client("cloudformation")
    stack = unique("Ordered")
    cfn.create_stack(
        StackName=stack, TemplateBody=json.dumps(lambda_template(7, "LogGroupA", 1, "Topic", 3, None, "hi"))
    )
    deleted: list[str] = []
    for backend_class, method in [
        (LambdaBackend, "delete_event_source_mapping"),
        (LambdaBackend, "delete_function"),
        (SQSBackend, "delete_queue"),
    ]:
        original = getattr(backend_class, method)

        def recorder(self: Any, *args: Any, _original: Any = original, _method: str = method, **kwargs: Any) -> Any:
            deleted.append(_method)
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(backend_class, method, recorder)
    cfn.delete_stack(StackName=stack)
    assert deleted.index("delete_event_source_mapping") < deleted.index("delete_queue")
    assert deleted.index("delete_event_source_mapping") < deleted.index("delete_function")


def test_extensions_survive_a_moto_reset(moto_endpoint: str, moto_client: Callable[[str], Any]) -> None:
    requests.post(f"{moto_endpoint}/moto-api/reset", timeout=10)
    cfn, sns = moto_client("cloudformation"), moto_client("sns")
    stack = unique("AfterReset")
    cfn.create_stack(
        StackName=stack,
        TemplateBody=json.dumps(
            {
                "Resources": {
                    "Topic": {"Type": "AWS::SNS::Topic"},
                    "Queue": {"Type": "AWS::SQS::Queue"},
                    "Subscription": subscription("sqs", "Queue"),
                }
            }
        ),
    )
    assert physical_ids(cfn, stack)["Subscription"] in [
        s["SubscriptionArn"] for s in sns.list_subscriptions()["Subscriptions"]
    ]
    cfn.delete_stack(StackName=stack)
    assert os.environ["MOTO_PORT"] == moto_endpoint.rsplit(":", 1)[-1]
