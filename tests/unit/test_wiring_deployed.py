"""The wiring read through the APIs (moto in process): every kind of edge, ARNs mapped back to logical ids."""

from __future__ import annotations

import io
import json
import zipfile

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from workshop_utils.cloud import wiring as deployed

REGION = "us-east-1"


def client(name):
    return boto3.client(name, region_name=REGION)


def package() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return event\n")
    return buffer.getvalue()


@pytest.fixture
def stack(monkeypatch):
    """A small stack made through the APIs, and the resources CloudFormation would list for it."""
    with mock_aws():
        monkeypatch.setattr(deployed.target, "client", client)
        iam, lam, sqs, sns = client("iam"), client("lambda"), client("sqs"), client("sns")
        trust = {"Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                "Action": "sts:AssumeRole"}]}
        roles = {name: iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
                 for name in ("plain", "reads")}  # only the reader's role may query the table
        table = client("dynamodb").create_table(
            TableName="t", BillingMode="PAY_PER_REQUEST", KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}])["TableDescription"]["TableArn"]
        policy = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["dynamodb:Query"], "Resource": [table]},
            {"Effect": "Allow", "Action": ["logs:PutLogEvents"], "Resource": "arn:aws:logs:us-east-1:1:log-group:x"},
        ]}
        iam.put_role_policy(RoleName="reads", PolicyName="p", PolicyDocument=json.dumps(policy))
        urls = {name: sqs.create_queue(QueueName=name)["QueueUrl"] for name in ("dlq", "work", "failed")}
        arns = {name: sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
                for name, url in urls.items()}
        redrive = {"deadLetterTargetArn": arns["dlq"], "maxReceiveCount": "4"}
        sqs.set_queue_attributes(QueueUrl=urls["work"], Attributes={"DelaySeconds": "5",
                                                                    "RedrivePolicy": json.dumps(redrive)})
        functions = {}
        for name, vendor in (("requester", ""), ("responder", "Sixt"), ("reader", "")):
            env = {"Variables": {"VENDOR": vendor}} if vendor else {}
            functions[name] = lam.create_function(
                FunctionName=name, Runtime="python3.12", Role=roles["reads" if name == "reader" else "plain"],
                Handler="app.handler",
                Code={"ZipFile": package()}, Environment=env)["FunctionArn"]
        topic = sns.create_topic(Name="topic")["TopicArn"]
        sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=functions["responder"])
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arns["work"])
        lam.put_function_event_invoke_config(FunctionName="requester", MaximumRetryAttempts=1, DestinationConfig={
            "OnSuccess": {"Destination": topic}, "OnFailure": {"Destination": arns["failed"]}})
        lam.put_function_event_invoke_config(FunctionName="responder", DestinationConfig={
            "OnFailure": {"Destination": "arn:aws:sqs:us-east-1:123456789012:elsewhere"}})
        lam.create_event_source_mapping(EventSourceArn=arns["work"], FunctionName="reader", BatchSize=3,
                                        MaximumBatchingWindowInSeconds=2)
        resources = [
            ("AWS::Lambda::Function", "RequesterFunction1A2B3C4D", "requester"),
            ("AWS::Lambda::Function", "ResponderSixtFunction1A2B3C4D", "responder"),
            ("AWS::Lambda::Function", "AggregatorFunction1A2B3C4D", "reader"),
            ("AWS::SNS::Topic", "ScatterTopic1A2B3C4D", topic),
            ("AWS::DynamoDB::Table", "QuotesTable1A2B3C4D", "t"),
            *[("AWS::SQS::Queue", f"{name.title()}Queue1A2B3C4D", url) for name, url in urls.items()],
            ("AWS::IAM::Role", "Role1A2B3C4D", "plain"),
        ]
        listed = [{"ResourceType": t, "LogicalResourceId": k, "PhysicalResourceId": p} for t, k, p in resources]
        monkeypatch.setattr(deployed.stacks, "stack_resources", lambda _stack: listed)
        yield


def test_every_edge_is_read_from_the_apis_and_named_by_logical_id(stack):
    wiring = deployed.read_deployed("S")
    assert wiring.described() == sorted([
        "Aggregator -> Quotes table: reads",
        "Requester -> Failed-invocations queue: on failure, after 1 retry",
        "Requester -> Scatter topic: on success",
        "Responder · Sixt -> elsewhere (not in this stack): on failure, after 2 retries",
        "Scatter topic -> Responder · Sixt: subscription",
        "Scatter topic -> Work queue (delay 5 s): subscription, delay 5 s",
        "Work queue (delay 5 s) -> Aggregator: event source: batch 3, window 2 s",
        "Work queue (delay 5 s) -> Dead-letter queue: redrive after 4 receives",
    ])
    assert wiring.node("ResponderSixtFunction1A2B3C4D").name == "responder"
    assert wiring.read_from == (
        "the deployed subscriptions, destinations, event sources, redrive policies and IAM policies")  # no machine


def test_without_iam_read_access_the_rest_is_drawn_and_a_note_says_what_to_allow(stack, monkeypatch):
    def denied(_role):
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "GetRolePolicy")

    monkeypatch.setattr(deployed, "_role_statements", denied)
    wiring = deployed.read_deployed("S")
    assert not [e for e in wiring.edges if e.kind == "table-access"]
    assert len(wiring.edges) == 7
    assert "IAM" not in wiring.read_from
    (note,) = wiring.notes
    assert "iam:GetRolePolicy" in note and note.endswith(".")


def test_a_resource_gone_meanwhile_says_to_wait_for_the_deploy(stack):
    client("sqs").delete_queue(QueueUrl=client("sqs").get_queue_url(QueueName="failed")["QueueUrl"])
    with pytest.raises(deployed.WiringUnreadable, match=r"FailedQueue1A2B3C4D .*: wait until its deploy or destroy "
                                                        r"has finished, then run this cell again\.$"):
        deployed.read_deployed("S")


def test_a_policy_document_sent_url_encoded_is_read_too():
    encoded = "%7B%22Statement%22%3A%5B%5D%7D"
    assert deployed._document(encoded) == {"Statement": []}
    assert deployed._document("not json") == {}
