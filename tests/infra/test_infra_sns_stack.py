"""Template of ScatterGatherWithSNSStack: requester -> SNS -> responders -> SQS -> aggregator."""

from __future__ import annotations

import json

import pytest
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


def queue_arn(synthesized, prefix: str) -> dict:
    return {"Fn::GetAtt": [logical_id(synthesized, "AWS::SQS::Queue", prefix), "Arn"]}


def test_requester_publishes_to_the_topic_and_records_a_rejected_request_at_once(synthesized):
    topic = logical_id(synthesized, "AWS::SNS::Topic", "ScatterTopic")
    configs = resources(template(synthesized), "AWS::Lambda::EventInvokeConfig").values()
    requester = function_ids(synthesized)["Requester"]

    (config,) = [c for c in configs if c["Properties"]["FunctionName"] == {"Ref": requester}]
    assert config["Properties"]["DestinationConfig"] == {
        "OnSuccess": {"Destination": {"Ref": topic}},
        "OnFailure": {"Destination": queue_arn(synthesized, "FailedInvocationsQueue")},
    }
    assert config["Properties"]["MaximumRetryAttempts"] == 0  # an invalid request stays invalid


def test_every_responder_is_subscribed_and_answers_into_the_queue(synthesized):
    topic = logical_id(synthesized, "AWS::SNS::Topic", "ScatterTopic")
    queue = logical_id(synthesized, "AWS::SQS::Queue", "AggregationQueue")
    configs = list(resources(template(synthesized), "AWS::Lambda::EventInvokeConfig").values())
    subscriptions = list(resources(template(synthesized), "AWS::SNS::Subscription").values())
    ids = function_ids(synthesized)

    assert len([s for s in subscriptions if s["Properties"]["Protocol"] == "lambda"]) == len(synthesized.vendors)
    assert len(configs) == 1 + len(synthesized.vendors)
    for vendor in synthesized.vendors:
        function = ids[f"Responder{vendor}"]
        (subscription,) = [s for s in subscriptions if s["Properties"]["Endpoint"] == {"Fn::GetAtt": [function, "Arn"]}]
        assert subscription["Properties"]["Protocol"] == "lambda"
        assert subscription["Properties"]["TopicArn"] == {"Ref": topic}
        (config,) = [c for c in configs if c["Properties"]["FunctionName"] == {"Ref": function}]
        destination = config["Properties"]["DestinationConfig"]["OnSuccess"]["Destination"]
        assert destination == {"Fn::GetAtt": [queue, "Arn"]}


def test_a_failing_responder_is_retried_twice_then_recorded_in_the_failed_invocations_queue(synthesized):
    configs = list(resources(template(synthesized), "AWS::Lambda::EventInvokeConfig").values())
    ids = function_ids(synthesized)

    for vendor in synthesized.vendors:
        (config,) = [c for c in configs if c["Properties"]["FunctionName"] == {"Ref": ids[f"Responder{vendor}"]}]
        assert config["Properties"]["MaximumRetryAttempts"] == 2
        on_failure = config["Properties"]["DestinationConfig"]["OnFailure"]["Destination"]
        assert on_failure == queue_arn(synthesized, "FailedInvocationsQueue")


def test_the_failed_invocations_queue_takes_records_of_the_largest_asynchronous_payloads(synthesized):
    failed = logical_id(synthesized, "AWS::SQS::Queue", "FailedInvocationsQueue")

    assert template(synthesized)["Resources"][failed]["Properties"]["MaximumMessageSize"] == 1024 * 1024


def test_the_deadline_queue_gets_every_request_raw_and_delayed_by_the_deadline(synthesized):
    topic = logical_id(synthesized, "AWS::SNS::Topic", "ScatterTopic")
    deadline_queue = logical_id(synthesized, "AWS::SQS::Queue", "DeadlineQueue")
    subscriptions = resources(template(synthesized), "AWS::SNS::Subscription").values()

    (subscription,) = [s for s in subscriptions if s["Properties"]["Protocol"] == "sqs"]
    assert subscription["Properties"] == {
        "Protocol": "sqs",
        "TopicArn": {"Ref": topic},
        "Endpoint": {"Fn::GetAtt": [deadline_queue, "Arn"]},
        "RawMessageDelivery": True,
    }
    properties = template(synthesized)["Resources"][deadline_queue]["Properties"]
    assert properties["DelaySeconds"] == synthesized.deadline
    dead_letter = logical_id(synthesized, "AWS::SQS::Queue", "AggregationDeadLetterQueue")
    assert properties["RedrivePolicy"]["deadLetterTargetArn"] == {"Fn::GetAtt": [dead_letter, "Arn"]}


def test_the_topic_may_send_to_the_deadline_queue_only(synthesized):
    topic = logical_id(synthesized, "AWS::SNS::Topic", "ScatterTopic")
    deadline_queue = logical_id(synthesized, "AWS::SQS::Queue", "DeadlineQueue")
    policies = resources(template(synthesized), "AWS::SQS::QueuePolicy").values()

    allows = [(p["Properties"]["Queues"], s) for p in policies for s in p["Properties"]["PolicyDocument"]["Statement"]
              if s["Effect"] == "Allow"]
    ((queues, allow),) = allows
    assert queues == [{"Ref": deadline_queue}]
    assert allow["Principal"] == {"Service": "sns.amazonaws.com"}
    assert allow["Action"] == "sqs:SendMessage"
    assert allow["Condition"] == {"ArnEquals": {"aws:SourceArn": {"Ref": topic}}}


def test_sns_may_invoke_each_responder(synthesized):
    permissions = resources(template(synthesized), "AWS::Lambda::Permission").values()

    assert sorted(p["Properties"]["Principal"] for p in permissions) == ["sns.amazonaws.com"] * len(synthesized.vendors)


def mappings_by_queue(synthesized) -> dict[str, dict]:
    mappings = resources(template(synthesized), "AWS::Lambda::EventSourceMapping").values()
    return {m["Properties"]["EventSourceArn"]["Fn::GetAtt"][0]: m["Properties"] for m in mappings}


def test_aggregator_reads_the_queue_in_batches_of_one_per_vendor(synthesized):
    queue = logical_id(synthesized, "AWS::SQS::Queue", "AggregationQueue")
    mapping = mappings_by_queue(synthesized)[queue]

    assert mapping["BatchSize"] == len(synthesized.vendors)
    assert mapping["MaximumBatchingWindowInSeconds"] == synthesized.batching_window
    assert mapping["FunctionName"] == {"Ref": function_ids(synthesized)["Aggregator"]}
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def test_aggregator_also_reads_the_deadline_queue_at_once(synthesized):
    queue = logical_id(synthesized, "AWS::SQS::Queue", "AggregationQueue")
    deadline_queue = logical_id(synthesized, "AWS::SQS::Queue", "DeadlineQueue")
    mappings = mappings_by_queue(synthesized)

    assert set(mappings) == {queue, deadline_queue}
    mapping = mappings[deadline_queue]
    assert mapping["FunctionName"] == {"Ref": function_ids(synthesized)["Aggregator"]}
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["BatchSize"] == 10
    assert "MaximumBatchingWindowInSeconds" not in mapping


def test_aggregator_environment_names_the_table_the_vendors_and_the_deadline_queue(synthesized):
    aggregator = template(synthesized)["Resources"][function_ids(synthesized)["Aggregator"]]

    assert aggregator["Properties"]["Environment"]["Variables"] == {
        "AGGREGATES_TABLE": {"Ref": logical_id(synthesized, "AWS::DynamoDB::Table", "AggregatesTable")},
        "EXPECTED_VENDORS": ",".join(synthesized.vendors),
        "DEADLINE_QUEUE_ARN": queue_arn(synthesized, "DeadlineQueue"),
    }


def test_the_aggregates_table_is_keyed_by_uuid_and_record_on_demand_with_ttl(synthesized):
    ((key, table),) = resources(template(synthesized), "AWS::DynamoDB::Table").items()

    assert table["Properties"]["KeySchema"] == [
        {"AttributeName": "uuid", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]
    assert table["Properties"]["BillingMode"] == "PAY_PER_REQUEST"
    assert table["Properties"]["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert table["DeletionPolicy"] == table["UpdateReplacePolicy"] == "Delete"
    assert "TableName" not in table["Properties"]


def test_the_aggregator_may_only_put_and_query_items_of_its_table(synthesized):
    table = logical_id(synthesized, "AWS::DynamoDB::Table", "AggregatesTable")
    dynamodb = [s for s in statements(synthesized, "Aggregator") if "dynamodb" in json.dumps(s["Action"])]

    (statement,) = dynamodb
    assert sorted(statement["Action"]) == ["dynamodb:BatchGetItem", "dynamodb:PutItem", "dynamodb:Query"]
    assert statement["Resource"] == [{"Fn::GetAtt": [table, "Arn"]}]


def test_queues_are_encrypted_ssl_only_and_the_aggregation_queue_has_a_dead_letter_queue(synthesized):
    queues = resources(template(synthesized), "AWS::SQS::Queue")
    queue = logical_id(synthesized, "AWS::SQS::Queue", "AggregationQueue")
    dead_letter = logical_id(synthesized, "AWS::SQS::Queue", "AggregationDeadLetterQueue")

    assert sorted(key.rstrip("0123456789ABCDEF") for key in queues) == [
        "AggregationDeadLetterQueue", "AggregationQueue", "DeadlineQueue", "FailedInvocationsQueue"]
    assert all(q["Properties"]["SqsManagedSseEnabled"] is True for q in queues.values())
    redrive = queues[queue]["Properties"]["RedrivePolicy"]
    assert redrive["deadLetterTargetArn"] == {"Fn::GetAtt": [dead_letter, "Arn"]}
    policies = resources(template(synthesized), "AWS::SQS::QueuePolicy").values()
    assert len(policies) == 4
    for policy in policies:
        (deny,) = [s for s in policy["Properties"]["PolicyDocument"]["Statement"] if s["Effect"] == "Deny"]
        assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


@pytest.mark.parametrize("prefix", ["AggregationQueue", "DeadlineQueue"])
def test_queue_visibility_timeout_covers_the_aggregator(synthesized, prefix):
    queue = logical_id(synthesized, "AWS::SQS::Queue", prefix)
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
    sends = [s["Resource"] for s in statements(synthesized, "Requester") if "sqs:SendMessage" in s["Action"]]
    assert sends == [queue_arn(synthesized, "FailedInvocationsQueue")]
    assert len(granted) == 4  # plus writing to its own log group


def test_responders_may_send_to_the_queue_and_the_aggregator_may_consume_it(synthesized):
    queue = queue_arn(synthesized, "AggregationQueue")
    failed = queue_arn(synthesized, "FailedInvocationsQueue")
    for vendor in synthesized.vendors:
        sends = [s for s in statements(synthesized, f"Responder{vendor}") if "sqs:SendMessage" in s["Action"]]
        assert sorted((s["Resource"] for s in sends), key=json.dumps) == sorted([queue, failed], key=json.dumps)
    consumes = [s for s in statements(synthesized, "Aggregator") if "sqs:ReceiveMessage" in s["Action"]]
    assert sorted((s["Resource"] for s in consumes), key=json.dumps) == sorted(
        [queue, queue_arn(synthesized, "DeadlineQueue")], key=json.dumps)


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
    table = logical_id(synthesized, "AWS::DynamoDB::Table", "AggregatesTable")
    assert outputs["AggregatesTableName"]["Value"] == {"Ref": table}
    for name in ("FailedInvocationsQueue", "DeadlineQueue", "AggregationDeadLetterQueue"):
        assert outputs[f"{name}Url"]["Value"] == {"Ref": logical_id(synthesized, "AWS::SQS::Queue", name)}
    assert outputs["AggregationDeadlineSeconds"]["Value"] == str(synthesized.deadline)
