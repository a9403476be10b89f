"""SQS event source mappings: batch size, batching window, deletion on success, return after failure."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from typing import Any

# The function reports every batch it gets to a "report" queue, then fails or succeeds as asked.
REPORTER = """
import json, os, boto3

def handler(event, context):
    records = event["Records"]
    boto3.client("sqs").send_message(QueueUrl=os.environ["REPORT_URL"], MessageBody=json.dumps({
        "bodies": [r["body"] for r in records],
        "receive_counts": [r["attributes"]["ApproximateReceiveCount"] for r in records],
        "record": records[0],
    }))
    if os.environ["MODE"] == "fail-first" and records[0]["attributes"]["ApproximateReceiveCount"] == "1":
        raise RuntimeError("first delivery fails")
    if os.environ["MODE"] == "report-item-failures":
        first_time = [r for r in records if r["attributes"]["ApproximateReceiveCount"] == "1"]
        return {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in first_time
                                      if r["body"].startswith("bad")]}
    return {"ok": len(records)}
"""


def mapped_function(aws: Any, make_function: Callable[..., str], make_queue: Callable[..., tuple[str, str]],
                    *, mode: str, queue_attributes: dict[str, str] | None = None,
                    **mapping: Any) -> tuple[str, str, str]:
    """A source queue mapped to the reporter; returns (function name, source url, report url)."""
    source_url, source_arn = make_queue(**(queue_attributes or {}))
    report_url, _ = make_queue()
    name = make_function(REPORTER, Timeout=10,
                         Environment={"Variables": {"REPORT_URL": report_url, "MODE": mode}})
    uuid = aws.client("lambda").create_event_source_mapping(EventSourceArn=source_arn, FunctionName=name,
                                                            **mapping)["UUID"]
    assert aws.client("lambda").get_event_source_mapping(UUID=uuid)["State"] == "Enabled"
    return name, source_url, report_url


def test_the_batching_window_collects_messages_into_one_invocation_and_deletes_them(
    aws: Any, make_function: Callable[..., str], make_queue: Callable[..., tuple[str, str]]
) -> None:
    name, source_url, report_url = mapped_function(
        aws, make_function, make_queue, mode="succeed", BatchSize=10, MaximumBatchingWindowInSeconds=3
    )

    for n in range(3):
        aws.client("sqs").send_message(QueueUrl=source_url, MessageBody=f"quote-{n}",
                                       MessageAttributes={"vendor": {"DataType": "String", "StringValue": "Avis"}})
        time.sleep(0.2)  # separate sends, well inside the window

    (report,) = aws.receive_json(report_url)
    assert report["bodies"] == ["quote-0", "quote-1", "quote-2"]
    record = report["record"]
    assert record["eventSource"] == "aws:sqs" and record["awsRegion"] == "us-east-1"
    assert record["eventSourceARN"].endswith(source_url.rsplit("/", 1)[1])
    assert record["messageAttributes"]["vendor"]["stringValue"] == "Avis"
    assert {"messageId", "receiptHandle", "md5OfBody", "attributes"} <= record.keys()
    assert {"SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp"} <= record["attributes"].keys()
    assert aws.wait_for(lambda: aws.queue_depth(source_url) == 0)
    assert aws.client("sqs").receive_message(QueueUrl=report_url, WaitTimeSeconds=1).get("Messages") is None


def test_the_batch_size_caps_an_invocation(
    aws: Any, make_function: Callable[..., str], make_queue: Callable[..., tuple[str, str]]
) -> None:
    name, source_url, report_url = mapped_function(
        aws, make_function, make_queue, mode="succeed", BatchSize=2, MaximumBatchingWindowInSeconds=2
    )
    aws.client("sqs").send_message_batch(
        QueueUrl=source_url, Entries=[{"Id": str(n), "MessageBody": f"m{n}"} for n in range(5)]
    )

    reports = aws.receive_json(report_url, count=3)

    assert sorted(len(r["bodies"]) for r in reports) == [1, 2, 2]
    assert sorted(b for r in reports for b in r["bodies"]) == [f"m{n}" for n in range(5)]


def test_a_failed_batch_comes_back_after_the_visibility_timeout(
    aws: Any, make_function: Callable[..., str], make_queue: Callable[..., tuple[str, str]]
) -> None:
    name, source_url, report_url = mapped_function(
        aws, make_function, make_queue, mode="fail-first", queue_attributes={"VisibilityTimeout": "3"}, BatchSize=1
    )

    aws.client("sqs").send_message(QueueUrl=source_url, MessageBody="retry-me")

    first, second = aws.receive_json(report_url, count=2)
    assert first["bodies"] == second["bodies"] == ["retry-me"]
    assert (first["receive_counts"], second["receive_counts"]) == (["1"], ["2"])
    assert aws.wait_for(lambda: aws.queue_depth(source_url) == 0)


def test_report_batch_item_failures_keeps_only_the_failed_items(
    aws: Any, make_function: Callable[..., str], make_queue: Callable[..., tuple[str, str]]
) -> None:
    name, source_url, report_url = mapped_function(
        aws, make_function, make_queue, mode="report-item-failures", queue_attributes={"VisibilityTimeout": "3"},
        BatchSize=10, MaximumBatchingWindowInSeconds=1, FunctionResponseTypes=["ReportBatchItemFailures"],
    )
    aws.client("sqs").send_message_batch(QueueUrl=source_url, Entries=[
        {"Id": "1", "MessageBody": "good-1"}, {"Id": "2", "MessageBody": "bad-2"}, {"Id": "3", "MessageBody": "good-3"}
    ])

    first, second = aws.receive_json(report_url, count=2)

    assert sorted(first["bodies"]) == ["bad-2", "good-1", "good-3"]
    assert second["bodies"] == ["bad-2"] and second["receive_counts"] == ["2"]
    assert aws.wait_for(lambda: aws.queue_depth(source_url) == 0)


def test_a_disabled_mapping_stops_polling_and_a_deleted_one_is_gone(
    aws: Any, make_function: Callable[..., str], make_queue: Callable[..., tuple[str, str]]
) -> None:
    name, source_url, report_url = mapped_function(aws, make_function, make_queue, mode="succeed", BatchSize=1)
    lam = aws.client("lambda")
    (mapping,) = lam.list_event_source_mappings(FunctionName=name)["EventSourceMappings"]
    lam.update_event_source_mapping(UUID=mapping["UUID"], Enabled=False)

    aws.client("sqs").send_message(QueueUrl=source_url, MessageBody="parked")
    time.sleep(2)  # give a (wrongly) running poller the chance to take it
    assert aws.queue_depth(source_url) == 1

    lam.update_event_source_mapping(UUID=mapping["UUID"], Enabled=True)
    (report,) = aws.receive_json(report_url)
    assert report["bodies"] == ["parked"]
    lam.delete_event_source_mapping(UUID=mapping["UUID"])
    assert lam.list_event_source_mappings(FunctionName=name)["EventSourceMappings"] == []


SLOW_REPORTER = """
import json, os, time, boto3

def handler(event, context):
    started = time.time()
    time.sleep(1.0)
    boto3.client("sqs").send_message(QueueUrl=os.environ["REPORT_URL"], MessageBody=json.dumps({
        "bodies": [r["body"] for r in event["Records"]], "started": started, "ended": time.time()}))
"""


def test_batches_are_invoked_side_by_side_not_one_after_another(
    aws: Any, make_function: Callable[..., str], make_queue: Callable[..., tuple[str, str]]
) -> None:
    """Lambda's pollers keep several batches in flight; one at a time would queue a busy aggregator."""
    source_url, source_arn = make_queue()
    report_url, _ = make_queue()
    name = make_function(SLOW_REPORTER, Timeout=10, Environment={"Variables": {"REPORT_URL": report_url}})
    aws.client("lambda").create_event_source_mapping(EventSourceArn=source_arn, FunctionName=name, BatchSize=1)

    aws.client("sqs").send_message_batch(
        QueueUrl=source_url, Entries=[{"Id": str(n), "MessageBody": f"m{n}"} for n in range(3)]
    )

    reports = sorted(aws.receive_json(report_url, count=3), key=lambda report: report["started"])
    assert sorted(b for r in reports for b in r["bodies"]) == ["m0", "m1", "m2"]
    assert any(later["started"] < earlier["ended"] for earlier, later in itertools.pairwise(reports))
    assert aws.wait_for(lambda: aws.queue_depth(source_url) == 0)
