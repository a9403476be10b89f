"""Fail loudly when a moto extension point the local Lambda runtime relies on moves (moto is pinned)."""

from __future__ import annotations

import base64
import importlib.metadata
from collections.abc import Callable, Iterator

import boto3
import pytest
from moto import mock_aws
from moto.awslambda.models import EventSourceMapping, LambdaFunction
from moto.sns.models import Subscription, Topic, sns_backends
from moto.sqs.models import Message, Queue

from workshop_utils.local_cloud import pins
from workshop_utils.local_cloud.lambda_runtime.functions import FunctionSpec

ACCOUNT = "999999999999"  # an account no other test uses
REGION = "us-east-1"
MOCK_ACCOUNT = "123456789012"  # mock_aws's


@pytest.fixture
def mocked_client(monkeypatch) -> Iterator[Callable[[str], object]]:
    """boto3 clients for moto in this process (mock_aws), whatever endpoint the environment names."""
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        yield lambda service: boto3.client(service, region_name=REGION)


def test_moto_is_the_pinned_version() -> None:
    assert importlib.metadata.version("moto") == pins.PINNED_MOTO_VERSION


def test_every_extension_point_is_where_the_local_cloud_expects_it() -> None:
    assert pins.check_extension_points() == []


def test_a_moto_function_has_the_attributes_a_worker_reads(zip_code: Callable[[str], bytes]) -> None:
    package = zip_code("def handler(event, context):\n    return 1\n")
    fn = LambdaFunction(ACCOUNT, {
        "FunctionName": "pinned", "Role": f"arn:aws:iam::{ACCOUNT}:role/r", "Handler": "app.handler",
        "Runtime": "python3.11", "Code": {"ZipFile": base64.b64encode(package).decode()}, "Timeout": 7,
        "MemorySize": 256, "Environment": {"Variables": {"VENDOR": "Avis"}},
    }, REGION, version="$LATEST")

    spec = FunctionSpec.from_moto(fn)

    assert spec.code == package and spec.code_sha256 == fn.code_sha_256
    assert (spec.name, spec.handler, spec.runtime, spec.timeout, spec.memory_size) == (
        "pinned", "app.handler", "python3.11", 7.0, 256)
    assert spec.environment == {"VENDOR": "Avis"} and spec.version == "$LATEST"
    assert spec.arn == f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:pinned"
    assert spec.log_group == "/aws/lambda/pinned" and spec.package_type == "Zip"
    assert fn.event_invoke_config == []


def test_mappings_queues_messages_and_subscriptions_have_the_attributes_we_use() -> None:
    mapping = EventSourceMapping({
        "RegionName": REGION, "AccountId": ACCOUNT, "FunctionName": "pinned",
        "FunctionArn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:pinned",
        "EventSourceArn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:pinned", "BatchSize": 5,
        "MaximumBatchingWindowInSeconds": 2, "FunctionResponseTypes": ["ReportBatchItemFailures"],
    })
    assert (mapping.batch_size, mapping.max_batch_window, mapping.enabled) == (5, 2, True)
    assert mapping.function_response_types == ["ReportBatchItemFailures"] and mapping.uuid
    assert mapping.function_arn.endswith(":function:pinned") and mapping.event_source_arn.endswith(":pinned")

    queue = Queue("pinned", region=REGION, account_id=ACCOUNT)
    assert queue.lambda_event_source_mappings == {} and int(queue.visibility_timeout) == 30
    assert queue.queue_arn == f"arn:aws:sqs:{REGION}:{ACCOUNT}:pinned" and queue.name == "pinned"

    message = Message("id-1", "body")
    for attribute in ("id", "body", "receipt_handle", "approximate_receive_count", "sent_timestamp", "sender_id",
                      "approximate_first_receive_timestamp", "group_id", "deduplication_id", "sequence_number",
                      "message_attributes", "body_md5", "attribute_md5"):
        assert hasattr(message, attribute), attribute

    topic = Topic("pinned", sns_backends[ACCOUNT][REGION])
    subscription = Subscription(ACCOUNT, topic, f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:pinned", "lambda")
    assert subscription._filter_policy_matcher is None and subscription.arn.startswith(topic.arn + ":")
    assert (subscription.topic, subscription.protocol) == (topic, "lambda")


def test_step_functions_lambda_tasks_run_in_process_or_reuse_one_boto3_client():
    """The interpreter looks both helpers up in lambda_eval_utils' globals at each Task; we replace them there."""
    import inspect

    from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils

    import workshop_utils.local_cloud.backends.stepfunctions as local_sfn

    source = inspect.getsource(lambda_eval_utils.execute_lambda_function_integration)
    assert "_invoke_lambda_function(" in source
    assert "boto_client_for(" in inspect.getsource(local_sfn._moto_invoke_lambda_function)
    assert lambda_eval_utils._invoke_lambda_function is local_sfn._invoke_lambda_function
    assert lambda_eval_utils.boto_client_for is local_sfn._cached_boto_client_for
    first = lambda_eval_utils.boto_client_for(region="us-east-1", service="lambda", state_credentials=object())
    assert lambda_eval_utils.boto_client_for(region="us-east-1", service="lambda", state_credentials=None) is first


def test_executions_reuse_the_parse_tree_but_get_fresh_components():
    """The execution worker looks the parser up in its module's globals; ours parses a definition once and
    builds new components for every execution (they hold per-execution state)."""
    import inspect
    import json

    from moto.stepfunctions.parser.backend import execution_worker

    import workshop_utils.local_cloud.backends.stepfunctions as local_sfn

    assert "AmazonStateLanguageParser.parse(" in inspect.getsource(
        execution_worker.ExecutionWorker._get_evaluation_entrypoint)
    assert execution_worker.AmazonStateLanguageParser is local_sfn.CachedAslParser
    definition = json.dumps({"StartAt": "Both", "States": {"Both": {"Type": "Parallel", "End": True, "Branches": [
        {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}},
        {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": True}}}]}}})
    first_program, first_tree = local_sfn.CachedAslParser.parse(definition)
    second_program, second_tree = local_sfn.CachedAslParser.parse(definition)
    assert first_tree is second_tree
    assert first_program is not second_program
    assert type(first_program) is type(second_program)


def test_jsonpath_expressions_are_parsed_once_and_still_evaluate():
    from moto.stepfunctions.parser.asl.component.common.path import result_path
    from moto.stepfunctions.parser.asl.utils import json_path

    import workshop_utils.local_cloud.backends.stepfunctions as local_sfn

    assert json_path.parse is local_sfn._cached_jsonpath_ext_parse
    assert result_path.parse is local_sfn._cached_jsonpath_parse
    assert json_path.parse("$.data.days") is json_path.parse("$.data.days")
    assert json_path.extract_json("$[*].quote", [{"quote": 1}, {"quote": 2}]) == [1, 2]
    assert json_path.extract_json("$.data.days", {"data": {"days": 3}}) == 3


def test_sqs_retention_check_is_the_one_the_local_cloud_overrides():
    """moto's receive path calls this per message; LocalSQSBackend answers it without scanning the queue."""
    import inspect

    from moto.sqs.models import Queue, SQSBackend

    from workshop_utils.local_cloud.backends.sqs import LocalSQSBackend

    assert "is_message_valid_based_on_retention_period" in inspect.getsource(SQSBackend.receive_message)
    assert list(inspect.signature(SQSBackend.is_message_valid_based_on_retention_period).parameters) == [
        "self", "queue_name", "message"
    ]
    assert "MessageRetentionPeriod" in Queue.BASE_ATTRIBUTES
    assert LocalSQSBackend.is_message_valid_based_on_retention_period is not (
        SQSBackend.is_message_valid_based_on_retention_period
    )


def test_dispatcher_finds_the_same_backends_as_moto_and_remembers_them():
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    from workshop_utils.local_cloud.dispatcher import LocalDispatcher

    ours, motos = LocalDispatcher(create_backend_app), DomainDispatcherApplication(create_backend_app)
    hosts = [None, "moto_api", "sqs", "dynamodb.us-east-1.amazonaws.com", "sns.us-east-1.amazonaws.com",
             "lambda.us-east-1.amazonaws.com", "states.us-east-1.amazonaws.com", "logs.eu-west-1.amazonaws.com"]
    for host in hosts:
        assert ours.get_backend_for_host(host) == motos.get_backend_for_host(host), host
    ours.backend_url_patterns = []  # a second look-up must not need them
    assert ours.get_backend_for_host("dynamodb.us-east-1.amazonaws.com") == "dynamodb"


def test_a_table_query_reads_only_its_partition_with_moto_semantics(monkeypatch, mocked_client):
    """LocalTable answers table Queries from the queried partition; results, order and paging are moto's."""
    from moto.dynamodb.models.table import Table

    from workshop_utils.local_cloud.backends import dynamodb as dynamodb_table

    dynamodb_table.install()
    client = mocked_client("dynamodb")
    client.create_table(
        TableName="t", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "S"}])
    for pk in ("a", "b", "c"):
        for sk in ("QUOTE#2", "AGGREGATE", "QUOTE#1", "QUOTE#3"):
            client.put_item(TableName="t", Item={"pk": {"S": pk}, "sk": {"S": sk}})
    monkeypatch.setattr(Table, "all_items", lambda self: (_ for _ in ()).throw(AssertionError("full scan")))

    def query(**extra):
        return client.query(TableName="t", KeyConditionExpression="pk = :pk AND begins_with(sk, :q)",
                            ExpressionAttributeValues={":pk": {"S": "b"}, ":q": {"S": "QUOTE#"}}, **extra)

    assert [i["sk"]["S"] for i in query()["Items"]] == ["QUOTE#1", "QUOTE#2", "QUOTE#3"]
    assert [i["sk"]["S"] for i in query(ScanIndexForward=False)["Items"]] == ["QUOTE#3", "QUOTE#2", "QUOTE#1"]
    first = query(Limit=2)
    assert [i["sk"]["S"] for i in first["Items"]] == ["QUOTE#1", "QUOTE#2"]
    rest = query(Limit=2, ExclusiveStartKey=first["LastEvaluatedKey"])
    assert [i["sk"]["S"] for i in rest["Items"]] == ["QUOTE#3"]
    assert client.query(TableName="t", KeyConditionExpression="pk = :pk",
                        ExpressionAttributeValues={":pk": {"S": "nobody"}})["Items"] == []


def test_response_classes_list_their_actions_once():
    from moto.core import responses as moto_responses
    from moto.sts.responses import TokenResponse

    from workshop_utils.local_cloud import dispatcher

    dispatcher.install()
    assert moto_responses.method_names_from_class is dispatcher._method_names_from_class
    names = moto_responses.method_names_from_class(TokenResponse)
    assert "get_caller_identity" in names
    assert moto_responses.method_names_from_class(TokenResponse) is names


def test_a_queue_lists_the_same_receivable_messages_as_moto(mocked_client):
    from moto.sqs.models import sqs_backends

    from workshop_utils.local_cloud.backends import sqs as sqs_backend

    sqs_backend.install()
    client = mocked_client("sqs")
    url = client.create_queue(QueueName="pinned-listing")["QueueUrl"]
    for n in range(6):
        client.send_message(QueueUrl=url, MessageBody=f"m{n}", DelaySeconds=60 if n % 3 == 0 else 0)
    received = client.receive_message(QueueUrl=url, MaxNumberOfMessages=1, VisibilityTimeout=60)["Messages"]
    queue = sqs_backends[MOCK_ACCOUNT][REGION].get_queue("pinned-listing")

    assert isinstance(queue, sqs_backend.LocalQueue)
    ours = [m.body for m in queue.messages]
    assert ours == [m.body for m in Queue.messages.fget(queue)]
    for count in ("approximate_number_of_messages_delayed", "approximate_number_of_messages_not_visible"):
        assert getattr(queue, count) == getattr(Queue, count).fget(queue), count
    assert (queue.approximate_number_of_messages_delayed, queue.approximate_number_of_messages_not_visible) == (
        2, 1)  # two delayed, one received (in flight)
    assert ours == [body for body in ("m1", "m2", "m4", "m5") if body != received[0]["Body"]]


def test_a_stacks_resource_map_creates_on_lookup_only_inside_a_step(mocked_client):
    """moto's ResourceMap creates a resource when it is first looked up; LocalResourceMap lets only its own steps
    do that (a DescribeStackResources during a deploy must not create anything) and records their events."""
    import json
    import threading

    from moto.cloudformation.models import Stack

    from workshop_utils.local_cloud.cloudformation import install as cloudformation_install
    from workshop_utils.local_cloud.cloudformation.resource_map import LocalResourceMap

    cloudformation_install.install()
    template = json.dumps({"Resources": {"Queue": {"Type": "AWS::SQS::Queue"}}})
    stack = Stack("arn:aws:cloudformation:us-east-1:123456789012:stack/Pinned/1", "Pinned", template, {},
                  MOCK_ACCOUNT, REGION)
    assert type(stack.resource_map).__getitem__ is not LocalResourceMap.__getitem__
    stack_lock = threading.RLock()
    resource_map = LocalResourceMap.adopt(stack.resource_map, stack, stack_lock)

    assert resource_map.lock is stack_lock and resource_map["AWS::StackName"] == "Pinned"
    assert resource_map["Queue"] is None and "Queue" not in resource_map._parsed_resources
    with resource_map._step():
        queue = resource_map["Queue"]
    assert resource_map["Queue"] is queue and "Pinned-Queue-" in queue.physical_resource_id
    assert [(e.logical_resource_id, e.resource_status) for e in stack.events] == [
        ("Queue", "CREATE_IN_PROGRESS"), ("Queue", "CREATE_COMPLETE")]
    assert [e.resource_type for e in stack.events] == ["AWS::SQS::Queue"] * 2
