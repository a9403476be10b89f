"""The cleanup's checks: each resource type asked through its own service (moto in-process), before and after."""

from __future__ import annotations

import io
import json
import zipfile

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from workshop_utils.cloud.stacks import Resource
from workshop_utils.teardown import cleanup

REGION = "us-east-1"
TRUST = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
})


def client(service: str):
    return boto3.client(service, region_name=REGION)


@pytest.fixture
def aws(monkeypatch):
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "AWS_DEFAULT_REGION": REGION}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        yield client


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return event\n")
    return buffer.getvalue()


def _role(name: str = "role") -> str:
    return client("iam").create_role(RoleName=name, AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]


def _function(name: str = "fn") -> str:
    return client("lambda").create_function(
        FunctionName=name, Runtime="python3.12", Role=_role(f"{name}-role"), Handler="app.handler",
        Code={"ZipFile": _zip()},
    )["FunctionArn"]


def state_of(resource: Resource) -> str:
    return cleanup.check_resource(resource, client).state


def test_every_check_says_present_then_gone(aws):
    """Create one of each, check it is seen, delete it, check it is not: the checks ask the right API."""
    lam, sns, sqs, iam, logs = client("lambda"), client("sns"), client("sqs"), client("iam"), client("logs")
    function = _function()
    queue_url = sqs.create_queue(QueueName="q")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    statement = {"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
                 "Resource": queue_arn}
    sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"Policy": json.dumps({"Statement": [statement]})})
    topic = sns.create_topic(Name="t")["TopicArn"]
    subscription = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)["SubscriptionArn"]
    mapping = lam.create_event_source_mapping(EventSourceArn=queue_arn, FunctionName="fn")["UUID"]
    lam.put_function_event_invoke_config(FunctionName="fn", Qualifier="$LATEST", MaximumRetryAttempts=0)
    lam.add_permission(FunctionName="fn", StatementId="sns-invoke", Action="lambda:InvokeFunction",
                       Principal="sns.amazonaws.com", SourceArn=topic)
    iam.put_role_policy(RoleName="fn-role", PolicyName="inline", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}]}))
    logs.create_log_group(logGroupName="/group")
    table = client("dynamodb").create_table(
        TableName="table", KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST",
    )["TableDescription"]["TableName"]
    machine = client("stepfunctions").create_state_machine(
        name="sm", roleArn=_role("sm-role"),
        definition=json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}),
    )["stateMachineArn"]
    alias_key = client("kms").create_key()["KeyMetadata"]["KeyId"]
    client("kms").create_alias(AliasName="alias/workshop", TargetKeyId=alias_key)

    resources = [
        Resource("S", "AWS::Lambda::Function", "fn"),
        Resource("S", "AWS::Lambda::EventSourceMapping", mapping),
        Resource("S", "AWS::Lambda::EventInvokeConfig", "fn-config", refs=(("FunctionName", ("fn",)),),
                 props=(("Qualifier", "$LATEST"),)),
        Resource("S", "AWS::Lambda::Permission", "sns-invoke", refs=(("FunctionName", (function,)),)),
        Resource("S", "AWS::SNS::Topic", topic),
        Resource("S", "AWS::SNS::Subscription", subscription),
        Resource("S", "AWS::SNS::TopicPolicy", "tp", refs=(("Topics", (topic,)),)),
        Resource("S", "AWS::SQS::Queue", queue_url),
        Resource("S", "AWS::SQS::QueuePolicy", "qp", refs=(("Queues", (queue_url,)),)),
        Resource("S", "AWS::IAM::Role", "fn-role"),
        Resource("S", "AWS::IAM::Policy", "Stack-Gen-123", refs=(("Roles", ("fn-role",)),),
                 props=(("PolicyName", "inline"),)),
        Resource("S", "AWS::Logs::LogGroup", "/group"),
        Resource("S", "AWS::DynamoDB::Table", table),
        Resource("S", "AWS::StepFunctions::StateMachine", machine),
        Resource("S", "AWS::KMS::Alias", "alias/workshop"),
    ]
    assert {r.resource_type: state_of(r) for r in resources} == {r.resource_type: cleanup.PRESENT for r in resources}

    lam.delete_event_source_mapping(UUID=mapping)
    lam.delete_function_event_invoke_config(FunctionName="fn", Qualifier="$LATEST")
    lam.remove_permission(FunctionName="fn", StatementId="sns-invoke")
    lam.delete_function(FunctionName="fn")
    sns.unsubscribe(SubscriptionArn=subscription)
    sns.delete_topic(TopicArn=topic)
    sqs.delete_queue(QueueUrl=queue_url)
    iam.delete_role_policy(RoleName="fn-role", PolicyName="inline")
    iam.delete_role(RoleName="fn-role")
    logs.delete_log_group(logGroupName="/group")
    client("dynamodb").delete_table(TableName=table)
    client("stepfunctions").delete_state_machine(stateMachineArn=machine)
    client("kms").delete_alias(AliasName="alias/workshop")
    assert {r.resource_type: state_of(r) for r in resources} == {r.resource_type: cleanup.GONE for r in resources}


def test_a_kms_key_scheduled_for_deletion_is_pending_with_its_date(aws):
    key = client("kms").create_key()["KeyMetadata"]["KeyId"]
    resource = Resource("S", "AWS::KMS::Key", key, props=(("PendingWindowInDays", "7"),))
    assert state_of(resource) == cleanup.PRESENT
    client("kms").schedule_key_deletion(KeyId=key, PendingWindowInDays=7)
    finding = cleanup.check_resource(resource, client)
    assert finding.state == cleanup.PENDING
    assert finding.detail.startswith("deleted by AWS on ") and finding.detail.endswith(" UTC")
    assert finding.checked_with == "KMS DescribeKey"


def test_an_access_error_is_reported_as_unchecked_not_as_gone():
    def denied(service):
        class Denied:
            def get_function(self, **_):
                raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "not allowed"}}, "GetFunction")
        return Denied()

    finding = cleanup.check_resource(Resource("S", "AWS::Lambda::Function", "fn"), denied)
    assert (finding.state, finding.detail) == (cleanup.UNCHECKED, "not allowed")


@pytest.mark.parametrize(
    ("resource_type", "method", "answer"),
    [
        ("AWS::StepFunctions::StateMachine", "describe_state_machine", {"status": "DELETING"}),
        ("AWS::DynamoDB::Table", "describe_table", {"Table": {"TableStatus": "DELETING"}}),
        ("AWS::Lambda::EventSourceMapping", "get_event_source_mapping", {"State": "Deleting"}),
    ],
)
def test_a_resource_its_service_is_still_deleting_is_pending(resource_type, method, answer):
    class Service:
        def __getattr__(self, name):
            assert name == method
            return lambda **_: answer

    finding = cleanup.check_resource(Resource("S", resource_type, "id-1"), lambda _service: Service())
    assert (finding.state, finding.detail) == (cleanup.PENDING, "being deleted")


def test_a_type_without_a_check_is_unchecked():
    finding = cleanup.check_resource(Resource("S", "AWS::EC2::VPC", "vpc-1"), client)
    assert finding.state == cleanup.UNCHECKED


def test_resources_from_a_template_resolve_what_their_checks_need():
    template = {"Resources": {
        "Fn": {"Type": "AWS::Lambda::Function", "Properties": {}},
        "Role": {"Type": "AWS::IAM::Role", "Properties": {}},
        "Policy": {"Type": "AWS::IAM::Policy",
                   "Properties": {"PolicyName": "RoleDefaultPolicy", "Roles": [{"Ref": "Role"}]}},
        "Config": {"Type": "AWS::Lambda::EventInvokeConfig",
                   "Properties": {"FunctionName": {"Ref": "Fn"}, "Qualifier": "$LATEST"}},
        "Perm": {"Type": "AWS::Lambda::Permission", "Properties": {"FunctionName": {"Fn::GetAtt": ["Fn", "Arn"]}}},
        "Key": {"Type": "AWS::KMS::Key", "Properties": {"PendingWindowInDays": 7}, "DeletionPolicy": "Delete"},
    }}
    deployed = [{"LogicalResourceId": "Fn", "PhysicalResourceId": "stack-fn-1"},
                {"LogicalResourceId": "Role", "PhysicalResourceId": "stack-role-1"},
                {"LogicalResourceId": "Policy", "PhysicalResourceId": "Stack-Gen-1"},
                {"LogicalResourceId": "Config", "PhysicalResourceId": "cfg"},
                {"LogicalResourceId": "Perm", "PhysicalResourceId": "perm-sid"},
                {"LogicalResourceId": "Key", "PhysicalResourceId": "key-1"}]
    found = {r.logical_id: r for r in cleanup.resources_from("S", template, deployed)}
    assert found["Policy"].ref("Roles") == ("stack-role-1",)
    assert found["Policy"].prop("PolicyName") == "RoleDefaultPolicy"
    assert found["Config"].ref("FunctionName") == ("stack-fn-1",) and found["Config"].prop("Qualifier") == "$LATEST"
    assert found["Perm"].ref("FunctionName") == ("stack-fn-1",)
    assert found["Key"].prop("PendingWindowInDays") == "7" and found["Key"].prop("DeletionPolicy") == "Delete"


def test_the_report_counts_per_type_and_is_all_gone_only_without_leftovers():
    queue = Resource("S", "AWS::SQS::Queue", "q")
    key = Resource("S", "AWS::KMS::Key", "k")
    report = cleanup.CleanupReport((
        cleanup.Finding(queue, cleanup.GONE, "SQS GetQueueAttributes"),
        cleanup.Finding(key, cleanup.PENDING, "KMS DescribeKey", "deleted by AWS on 2026-12-06 18:00 UTC"),
    ))
    assert report.all_gone
    assert [row["type"] for row in report.rows()] == ["AWS::KMS::Key", "AWS::SQS::Queue"]
    assert report.rows()[0][cleanup.PENDING] == 1 and report.rows()[1][cleanup.GONE] == 1
    assert not cleanup.CleanupReport(report.findings, stacks_left=("S",)).all_gone
    assert not cleanup.CleanupReport((cleanup.Finding(queue, cleanup.PRESENT, "SQS GetQueueAttributes"),)).all_gone


def _key_inventory(key_id: str) -> cleanup.Inventory:
    key = Resource("S", "AWS::KMS::Key", key_id, props=(("PendingWindowInDays", "7"), ("DeletionPolicy", "Delete")))
    return cleanup.Inventory((key,), {"S": 1})


def test_what_remains_says_where_the_key_stands_and_what_ends_it(aws):
    kms = client("kms")
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    inventory = _key_inventory(key_id)
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    report = cleanup.check_gone(inventory, client=client)
    assert report.all_gone  # pending deletion is AWS's to finish, not the learner's
    (row,) = cleanup.what_remains(inventory, report, on_aws=True, client=client)
    assert "pending deletion, deleted by AWS on" in row["where it stands"] and "not billed" in row["where it stands"]
    assert "7-day window" in row["what ends it"] and f"--key-id {key_id}" in row["what ends it"]

    ok, sentence = cleanup.report_summary(report)
    assert ok and sentence.startswith("1 resource checked, each through its own service's API (1 service): ")
    assert "0 are gone and 1 is pending deletion: AWS::KMS::Key (deleted by AWS on " in sentence


def test_on_the_local_cloud_the_key_row_says_what_aws_would_do_instead(aws):
    inventory = _key_inventory("gone-key")
    report = cleanup.check_gone(inventory, client=client)
    (row,) = cleanup.what_remains(inventory, report, on_aws=False, client=client)
    assert row["where it stands"].startswith("deleted at once by the local cloud; on AWS")
    assert "waits 7 days" in row["where it stands"]


def test_a_retained_key_is_billed_and_its_deletion_command_is_given(aws):
    key_id = client("kms").create_key()["KeyMetadata"]["KeyId"]
    inventory = _key_inventory(key_id)
    report = cleanup.check_gone(inventory, client=client)
    assert not report.all_gone
    (row,) = cleanup.what_remains(inventory, report, on_aws=True, client=client)
    assert "billed" in row["where it stands"]
    assert row["what ends it"] == f"`aws kms schedule-key-deletion --key-id {key_id} --pending-window-in-days 7`"
    ok, sentence = cleanup.report_summary(report)
    assert not ok and "still there: AWS::KMS::Key" in sentence and sentence.endswith("in its service's console).")


def test_the_bootstrap_stack_row_gives_the_commands_with_its_bucket(aws, monkeypatch):
    from workshop_utils.cloud import stacks

    toolkit = {"StackName": "CDKToolkit", "Outputs": [{"OutputKey": "BucketName", "OutputValue": "assets-bucket"}]}
    monkeypatch.setattr(
        stacks, "deployed_description", lambda name, client=None: toolkit if name == "CDKToolkit" else None
    )
    client("s3").create_bucket(Bucket="assets-bucket")
    client("s3").put_object(Bucket="assets-bucket", Key="code.zip", Body=b"zip")
    (row,) = cleanup.what_remains(cleanup.Inventory(()), cleanup.CleanupReport(()), on_aws=True, client=client)
    assert "holds 1 uploaded file" in row["where it stands"]
    assert "`aws cloudformation delete-stack --stack-name CDKToolkit`" in row["what ends it"]
    assert "`aws s3 rb s3://assets-bucket`" in row["what ends it"]


def test_the_inventory_summary_counts_from_the_templates():
    queue, role = Resource("A", "AWS::SQS::Queue", "q"), Resource("B", "AWS::IAM::Role", "r")
    both = cleanup.Inventory((queue, role), {"A": 1, "B": 1})
    assert cleanup.inventory_summary(both).startswith(
        "2 stacks are deployed; their templates hold 2 resources (A 1 and B 1) of 2 types. "
    )
    assert "(2 services)" in cleanup.inventory_summary(both)
    one = cleanup.Inventory((queue,), {"A": 1})
    assert cleanup.inventory_summary(one).startswith("A is deployed; its template holds 1 resource of 1 type.")
    assert "nothing to destroy" in cleanup.inventory_summary(cleanup.Inventory(()))
    assert cleanup.inventory_rows(both)[0] == {"type": "AWS::IAM::Role", "A": 0, "B": 1, "checked with": "IAM GetRole"}


def test_an_empty_cleanup_says_there_was_nothing():
    ok, sentence = cleanup.report_summary(cleanup.CleanupReport(()))
    assert ok and sentence.startswith("Nothing was deployed")
    ok, sentence = cleanup.report_summary(cleanup.CleanupReport((), stacks_left=("S",)))
    assert not ok and "the stack S" in sentence
