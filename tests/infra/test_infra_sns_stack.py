"""Template of ScatterGatherWithSNSStack: requester -> SNS -> responders -> SQS -> aggregator."""

from __future__ import annotations

import json

from infra_test_support import SNS, resources


def template(synthesized):
    return synthesized.templates[SNS]


def logical_id(synthesized, resource_type: str, prefix: str) -> str:
    (key,) = [key for key in resources(template(synthesized), resource_type) if key.startswith(prefix)]
    return key


def function_ids(synthesized) -> dict[str, str]:
    """Function logical ids by role name: Requester, Aggregator, Responder<Vendor>."""
    return {key.split("Function")[0]: key for key in resources(template(synthesized), "AWS::Lambda::Function")}


def test_functions_requester_one_responder_per_vendor_and_aggregator(synthesized):
    expected = {"Requester", "Aggregator", *(f"Responder{vendor}" for vendor in synthesized.vendors)}

    assert set(function_ids(synthesized)) == expected


def test_requester_on_success_publishes_to_the_topic(synthesized):
    topic = logical_id(synthesized, "AWS::SNS::Topic", "ScatterTopic")
    configs = resources(template(synthesized), "AWS::Lambda::EventInvokeConfig").values()
    requester = function_ids(synthesized)["Requester"]

    (config,) = [c for c in configs if c["Properties"]["FunctionName"] == {"Ref": requester}]
    assert config["Properties"]["DestinationConfig"] == {"OnSuccess": {"Destination": {"Ref": topic}}}


def test_every_responder_is_subscribed_and_answers_into_the_queue(synthesized):
    topic = logical_id(synthesized, "AWS::SNS::Topic", "ScatterTopic")
    queue = logical_id(synthesized, "AWS::SQS::Queue", "AggregationQueue")
    configs = list(resources(template(synthesized), "AWS::Lambda::EventInvokeConfig").values())
    subscriptions = list(resources(template(synthesized), "AWS::SNS::Subscription").values())
    ids = function_ids(synthesized)

    assert len(subscriptions) == len(synthesized.vendors)
    assert len(configs) == 1 + len(synthesized.vendors)
    for vendor in synthesized.vendors:
        function = ids[f"Responder{vendor}"]
        (subscription,) = [s for s in subscriptions if s["Properties"]["Endpoint"] == {"Fn::GetAtt": [function, "Arn"]}]
        assert subscription["Properties"]["Protocol"] == "lambda"
        assert subscription["Properties"]["TopicArn"] == {"Ref": topic}
        (config,) = [c for c in configs if c["Properties"]["FunctionName"] == {"Ref": function}]
        destination = config["Properties"]["DestinationConfig"]["OnSuccess"]["Destination"]
        assert destination == {"Fn::GetAtt": [queue, "Arn"]}


def test_sns_may_invoke_each_responder(synthesized):
    permissions = resources(template(synthesized), "AWS::Lambda::Permission").values()

    assert sorted(p["Properties"]["Principal"] for p in permissions) == ["sns.amazonaws.com"] * len(synthesized.vendors)


def test_aggregator_reads_the_queue_in_batches_of_one_per_vendor(synthesized):
    (mapping,) = resources(template(synthesized), "AWS::Lambda::EventSourceMapping").values()
    queue = logical_id(synthesized, "AWS::SQS::Queue", "AggregationQueue")

    assert mapping["Properties"]["BatchSize"] == len(synthesized.vendors)
    assert mapping["Properties"]["MaximumBatchingWindowInSeconds"] == synthesized.batching_window
    assert mapping["Properties"]["EventSourceArn"] == {"Fn::GetAtt": [queue, "Arn"]}
    assert mapping["Properties"]["FunctionName"] == {"Ref": function_ids(synthesized)["Aggregator"]}


def test_queues_are_encrypted_ssl_only_and_the_aggregation_queue_has_a_dead_letter_queue(synthesized):
    queues = resources(template(synthesized), "AWS::SQS::Queue")
    queue = logical_id(synthesized, "AWS::SQS::Queue", "AggregationQueue")
    dead_letter = logical_id(synthesized, "AWS::SQS::Queue", "AggregationDeadLetterQueue")

    assert len(queues) == 2
    assert all(q["Properties"]["SqsManagedSseEnabled"] is True for q in queues.values())
    redrive = queues[queue]["Properties"]["RedrivePolicy"]
    assert redrive["deadLetterTargetArn"] == {"Fn::GetAtt": [dead_letter, "Arn"]}
    policies = resources(template(synthesized), "AWS::SQS::QueuePolicy").values()
    assert len(policies) == 2
    for policy in policies:
        (deny,) = policy["Properties"]["PolicyDocument"]["Statement"]
        assert deny["Effect"] == "Deny"
        assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_queue_visibility_timeout_covers_the_aggregator(synthesized):
    queue = logical_id(synthesized, "AWS::SQS::Queue", "AggregationQueue")
    timeout = template(synthesized)["Resources"][function_ids(synthesized)["Aggregator"]]["Properties"]["Timeout"]

    assert template(synthesized)["Resources"][queue]["Properties"]["VisibilityTimeout"] >= 6 * timeout


def test_topic_uses_a_rotated_customer_managed_key_and_ssl(synthesized):
    (topic,) = resources(template(synthesized), "AWS::SNS::Topic").values()
    (key_id, key), = resources(template(synthesized), "AWS::KMS::Key").items()
    (topic_policy,) = resources(template(synthesized), "AWS::SNS::TopicPolicy").values()

    assert topic["Properties"]["KmsMasterKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}
    assert "TopicName" not in topic["Properties"]
    assert key["Properties"]["EnableKeyRotation"] is True
    assert key["DeletionPolicy"] == "Delete"
    assert key["Properties"]["PendingWindowInDays"] == 7
    (deny,) = topic_policy["Properties"]["PolicyDocument"]["Statement"]
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def statements(synthesized, role_prefix: str) -> list[dict]:
    policies = resources(template(synthesized), "AWS::IAM::Policy")
    (policy,) = [p for key, p in policies.items() if key.startswith(f"{role_prefix}Role")]
    return policy["Properties"]["PolicyDocument"]["Statement"]


def test_requester_may_publish_to_the_topic_with_its_key_and_nothing_more(synthesized):
    topic = logical_id(synthesized, "AWS::SNS::Topic", "ScatterTopic")
    key = logical_id(synthesized, "AWS::KMS::Key", "ScatterTopicKey")
    granted = {json.dumps(s["Action"]): s["Resource"] for s in statements(synthesized, "Requester")}

    assert granted['"sns:Publish"'] == {"Ref": topic}
    assert granted['["kms:Decrypt", "kms:GenerateDataKey*"]'] == {"Fn::GetAtt": [key, "Arn"]}
    assert len(granted) == 3  # plus writing to its own log group


def test_responders_may_send_to_the_queue_and_the_aggregator_may_consume_it(synthesized):
    queue = {"Fn::GetAtt": [logical_id(synthesized, "AWS::SQS::Queue", "AggregationQueue"), "Arn"]}
    for vendor in synthesized.vendors:
        sends = [s for s in statements(synthesized, f"Responder{vendor}") if "sqs:SendMessage" in s["Action"]]
        assert [s["Resource"] for s in sends] == [queue]
    consumes = [s for s in statements(synthesized, "Aggregator") if "sqs:ReceiveMessage" in s["Action"]]
    assert [s["Resource"] for s in consumes] == [queue]


def test_outputs_name_everything_the_notebooks_need(synthesized):
    outputs = template(synthesized)["Outputs"]
    ids = function_ids(synthesized)

    assert outputs["RequesterFunctionName"]["Value"] == {"Ref": ids["Requester"]}
    assert outputs["AggregatorFunctionName"]["Value"] == {"Ref": ids["Aggregator"]}
    assert outputs["ScatterTopicArn"]["Value"] == {"Ref": logical_id(synthesized, "AWS::SNS::Topic", "ScatterTopic")}
    queue = logical_id(synthesized, "AWS::SQS::Queue", "AggregationQueue")
    assert outputs["AggregationQueueUrl"]["Value"] == {"Ref": queue}
    aggregator = template(synthesized)["Resources"][ids["Aggregator"]]
    assert outputs["AggregatorLogGroupName"]["Value"] == aggregator["Properties"]["LoggingConfig"]["LogGroup"]
