"""The wiring read from a CloudFormation template: references resolved, every kind of edge, nothing inferred."""

from __future__ import annotations

import json

from workshop_utils.wiring import from_template
from workshop_utils.wiring.model import vendor_from, words


def ref(key):
    return {"Ref": key}


def arn(key):
    return {"Fn::GetAtt": [key, "Arn"]}


def function(vendor=None, role="Role1A2B3C4D"):
    props = {"Role": arn(role)}
    if vendor:
        props["Environment"] = {"Variables": {"VENDOR": vendor}}
    return {"Type": "AWS::Lambda::Function", "Properties": props}


def queue(**props):
    return {"Type": "AWS::SQS::Queue", "Properties": props}


def small_template():
    """A requester publishing to a topic, one responder, a queue with a dead-letter queue, an aggregator."""
    return {"Resources": {
        "RequesterFunction1907AB88": function(),
        "ResponderXFunctionD8DFECDE": function("Sixt"),
        "AggregatorFunction65A1DE15": function(role="AggRole1A2B3C4D"),
        "AggRole1A2B3C4D": {"Type": "AWS::IAM::Role", "Properties": {}},
        "ScatterTopicCDE63327": {"Type": "AWS::SNS::Topic", "Properties": {}},
        "AggregationQueue8D109DB5": queue(RedrivePolicy={"deadLetterTargetArn": arn("SpareQueue5CA6E113"),
                                                         "maxReceiveCount": 5}),
        "SpareQueue5CA6E113": queue(),
        "SlowQueue86C14A6B": queue(DelaySeconds=30),
        "FailuresQueue05746262": queue(),
        "AggregatesTable0F8EFB12": {"Type": "AWS::DynamoDB::Table", "Properties": {}},
        "UnusedTable1A2B3C4D": {"Type": "AWS::DynamoDB::Table", "Properties": {}},
        "RequesterConfig": {"Type": "AWS::Lambda::EventInvokeConfig", "Properties": {
            "FunctionName": ref("RequesterFunction1907AB88"), "MaximumRetryAttempts": 0,
            "DestinationConfig": {"OnSuccess": {"Destination": ref("ScatterTopicCDE63327")},
                                  "OnFailure": {"Destination": arn("FailuresQueue05746262")}}}},
        "ResponderConfig": {"Type": "AWS::Lambda::EventInvokeConfig", "Properties": {
            "FunctionName": ref("ResponderXFunctionD8DFECDE"),
            "DestinationConfig": {"OnSuccess": {"Destination": arn("AggregationQueue8D109DB5")}}}},
        "ResponderSubscription": {"Type": "AWS::SNS::Subscription", "Properties": {
            "TopicArn": ref("ScatterTopicCDE63327"), "Endpoint": arn("ResponderXFunctionD8DFECDE"),
            "Protocol": "lambda"}},
        "SlowSubscription": {"Type": "AWS::SNS::Subscription", "Properties": {
            "TopicArn": ref("ScatterTopicCDE63327"), "Endpoint": arn("SlowQueue86C14A6B"), "Protocol": "sqs"}},
        "Mapping": {"Type": "AWS::Lambda::EventSourceMapping", "Properties": {
            "EventSourceArn": arn("AggregationQueue8D109DB5"), "FunctionName": ref("AggregatorFunction65A1DE15"),
            "BatchSize": 4, "MaximumBatchingWindowInSeconds": 2}},
        "SlowMapping": {"Type": "AWS::Lambda::EventSourceMapping", "Properties": {
            "EventSourceArn": arn("SlowQueue86C14A6B"), "FunctionName": ref("AggregatorFunction65A1DE15")}},
        "AggPolicy": {"Type": "AWS::IAM::Policy", "Properties": {"Roles": [ref("AggRole1A2B3C4D")], "PolicyDocument": {
            "Statement": [
                {"Effect": "Allow", "Action": ["dynamodb:PutItem"], "Resource": [arn("AggregatesTable0F8EFB12")]},
                {"Effect": "Allow", "Action": "DynamoDB:query", "Resource": arn("AggregatesTable0F8EFB12")},
                {"Effect": "Allow", "Action": "sqs:ReceiveMessage", "Resource": arn("AggregationQueue8D109DB5")},
                {"Effect": "Deny", "Action": "dynamodb:*", "Resource": arn("UnusedTable1A2B3C4D")},
            ]}}},
    }}


def test_every_kind_of_edge_is_read_with_its_label():
    wiring = from_template(small_template(), "S")
    assert wiring.described() == sorted([
        "Aggregation queue -> Aggregator: event source: batch 4, window 2 s",
        "Aggregation queue -> Dead-letter queue: redrive after 5 receives",
        "Aggregator -> Aggregates table: reads and writes",  # two statements, one edge
        "Requester -> Failed-invocations queue: on failure, no retry",
        "Requester -> Scatter topic: on success",
        "Responder · Sixt -> Aggregation queue: on success",
        "Scatter topic -> Responder · Sixt: subscription",
        "Scatter topic -> Slow queue (delay 30 s): subscription, delay 30 s",
        "Slow queue (delay 30 s) -> Aggregator: event source: batch 10, no window",
    ])


def test_nodes_are_named_by_their_place_in_the_wiring_and_unreached_tables_are_left_out():
    wiring = from_template(small_template(), "S")
    roles = {node.key: (node.role, node.label) for node in wiring.nodes}
    assert roles["SpareQueue5CA6E113"] == ("dead-letter-queue", "Dead-letter queue")
    assert roles["FailuresQueue05746262"] == ("failed-invocations-queue", "Failed-invocations queue")
    assert roles["SlowQueue86C14A6B"] == ("queue", "Slow queue (delay 30 s)")
    assert roles["ResponderXFunctionD8DFECDE"] == ("responder", "Responder · Sixt")  # the VENDOR, not the id
    assert "UnusedTable1A2B3C4D" not in roles  # a denial is not a relationship
    assert [n.role for n in wiring.nodes][:2] == ["requester", "topic"]


def test_a_destination_outside_the_stack_is_a_node_of_its_own_and_default_retries_are_lambdas():
    template = small_template()
    template["Resources"]["ResponderConfig"]["Properties"]["DestinationConfig"]["OnFailure"] = {
        "Destination": "arn:aws:sqs:us-east-1:123456789012:elsewhere"}
    wiring = from_template(template, "S")
    assert "Responder · Sixt -> elsewhere (not in this stack): on failure, after 2 retries" in wiring.described()


def test_a_state_machines_tasks_and_parallel_branches_are_read_from_its_joined_definition():
    definition = {"StartAt": "First", "States": {
        "First": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                  "Parameters": {"FunctionName": "@A@"}, "Next": "Fan"},
        "Fan": {"Type": "Parallel", "End": True, "Branches": [
            {"StartAt": "B", "States": {"B": {"Type": "Task", "Resource": "@B@", "End": True}}},
            {"StartAt": "C", "States": {"C": {"Type": "Pass", "End": True}}},
        ]},
    }}
    text = json.dumps(definition)
    head, rest = text.split('"@A@"')
    middle, tail = rest.split('"@B@"')
    joined = {"Fn::Join": ["", [head + '"', arn("RequesterFunction1907AB88"), '"' + middle + '"arn:',
                                ref("AWS::Partition"), ":lambda:us-east-1:1:function:x", '"' + tail]]}
    template = {"Resources": {
        "RequesterFunction1907AB88": function(),
        "ResponderBFunction1A2B3C4D": function("B"),
        "Machine1A2B3C4D": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {"DefinitionString": joined}},
    }}
    wiring = from_template(template, "P")
    assert wiring.described() == [
        "Machine -> Requester: step 1: task",
        "Machine -> x (not in this stack): step 2: Parallel branch",
    ]
    # The same with the function of the branch in the stack, through Fn::Sub this time.
    template["Resources"]["Machine1A2B3C4D"]["Properties"]["DefinitionString"] = {"Fn::Sub": text.replace(
        '"@A@"', '"${RequesterFunction1907AB88.Arn}"').replace('"@B@"', '"${ResponderBFunction1A2B3C4D.Arn}"')}
    assert from_template(template, "P").described() == [
        "Machine -> Requester: step 1: task", "Machine -> Responder · B: step 2: Parallel branch"]


def test_titles_come_from_logical_ids_without_cdk_hashes():
    assert words("AggregationQueue8D109DB5") == "Aggregation queue"
    assert words("StateMachine2E01A3A5") == "State machine"
    assert words("DLQ") == "DLQ"
    assert vendor_from("ResponderAvisFunctionD8DFECDE") == "Avis"
    assert vendor_from("RespondersHertz1A2B3C4D") == "Hertz"
    assert vendor_from("AggregatorFunction65A1DE15") == ""


def test_an_empty_template_gives_an_empty_wiring():
    wiring = from_template({}, "S")
    assert (wiring.nodes, wiring.edges) == ([], [])
