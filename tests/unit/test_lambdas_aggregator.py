"""The aggregator handler: correlates quotes by uuid, aggregates each request once, logs the batch's quotes."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

AGGREGATOR_DIR = Path(__file__).resolve().parents[2] / "lambdas" / "aggregator"
QUEUE_ARN = "arn:aws:sqs:us-east-1:123456789012:AggregationQueue"
DEADLINE_ARN = "arn:aws:sqs:us-east-1:123456789012:DeadlineQueue"


def _load_handler_module() -> ModuleType:
    # Each lambda folder is its own asset root (as in Lambda), so its folder goes on sys.path.
    sys.path.insert(0, str(AGGREGATOR_DIR))
    spec = importlib.util.spec_from_file_location("aggregator_app", AGGREGATOR_DIR / "app.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


aggregator = _load_handler_module()
from aggregate_store import InMemoryAggregateStore  # noqa: E402
from quote_records import UnsupportedRecord  # noqa: E402


def quote(vendor: str, price: int, uuid: str = "u-1") -> dict:
    return {"car_type": "XL", "days_rental": 20, "uuid": uuid, "price_quote": price, "vendor": vendor}


AVIS, ALAMO = quote("Avis", 1980), quote("Alamo", 2400)


def responder_destination_record(quote: dict) -> dict:
    """What a responder's OnSuccess destination writes to the aggregation queue."""
    return {
        "version": "1.0",
        "timestamp": "2024-05-01T10:00:01.000Z",
        "requestContext": {
            "requestId": "6b5d2f1e-1111-2222-3333-444455556666",
            "functionArn": f"arn:aws:lambda:us-east-1:123456789012:function:Responder{quote['vendor']}:$LATEST",
            "condition": "Success",
            "approximateInvokeCount": 1,
        },
        "requestPayload": {"Records": [{"EventSource": "aws:sns"}]},
        "responseContext": {"statusCode": 200, "executedVersion": "$LATEST"},
        "responsePayload": {"statusCode": 200, "data": json.dumps(quote)},
    }


def requester_destination_record(uuid: str) -> dict:
    """What the scatter topic delivers raw to the deadline queue: the requester's OnSuccess record."""
    request = {"data": {"car_type": "XL", "days_rental": 20, "uuid": uuid}}
    return {
        "version": "1.0",
        "timestamp": "2024-05-01T10:00:00.000Z",
        "requestContext": {"requestId": "r", "functionArn": "arn:aws:lambda:us-east-1:123456789012:function:Req",
                           "condition": "Success", "approximateInvokeCount": 1},
        "requestPayload": {"data": {"car_type": "XL", "days_rental": 20}},
        "responseContext": {"statusCode": 200, "executedVersion": "$LATEST"},
        "responsePayload": {"statusCode": 200, "body": json.dumps(request)},
    }


def sqs_record(body: object, index: int = 0, source: str = QUEUE_ARN) -> dict:
    return {
        "messageId": f"00000000-0000-4000-8000-{index:012d}",
        "receiptHandle": "AQEB...",
        "body": body if isinstance(body, str) else json.dumps(body),
        "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1714557601000"},
        "messageAttributes": {},
        "md5OfBody": "x",
        "eventSource": "aws:sqs",
        "eventSourceARN": source,
        "awsRegion": "us-east-1",
    }


def quotes_event(*quotes: dict) -> dict:
    return {"Records": [sqs_record(responder_destination_record(q), i) for i, q in enumerate(quotes)]}


def deadline_event(*uuids: str) -> dict:
    return {"Records": [sqs_record(requester_destination_record(u), i, DEADLINE_ARN) for i, u in enumerate(uuids)]}


@pytest.fixture(autouse=True)
def store(monkeypatch) -> InMemoryAggregateStore:
    """The handler's store is an in-memory fake; two vendors are expected."""
    fake = InMemoryAggregateStore()
    monkeypatch.setattr(aggregator, "_store", fake)
    monkeypatch.setenv("EXPECTED_VENDORS", "Avis,Alamo")
    monkeypatch.setenv("DEADLINE_QUEUE_ARN", DEADLINE_ARN)
    monkeypatch.setenv("AGGREGATES_TABLE", "unused-by-the-fake")
    return fake


def prefixed(caplog, prefix: str) -> list:
    return [json.loads(m.removeprefix(prefix)) for m in caplog.messages if m.startswith(prefix)]


def handle(caplog, event: dict) -> dict:
    with caplog.at_level("INFO"):
        return aggregator.lambda_handler(event, None)


def test_logs_the_batch_quotes_once_and_returns_them_without_failures(caplog):
    response = handle(caplog, quotes_event(AVIS, ALAMO))

    assert response == {"statusCode": 200, "body": json.dumps([AVIS, ALAMO]), "batchItemFailures": []}
    assert prefixed(caplog, "quotes: ") == [[AVIS, ALAMO]]


def test_only_the_quotes_and_aggregate_lines_carry_quote_json(caplog):
    handle(caplog, quotes_event(AVIS, ALAMO))

    assert [m.split(": ")[0] for m in caplog.messages if "price_quote" in m] == ["quotes", "aggregate"]


def test_complete_when_every_expected_vendor_answered(caplog, store):
    handle(caplog, quotes_event(AVIS, ALAMO))

    (aggregate,) = prefixed(caplog, "aggregate: ")
    assert aggregate == {"uuid": "u-1", "status": "complete", "quotes": [AVIS, ALAMO], "best_quote": AVIS,
                         "missing_vendors": []}
    assert store.aggregate("u-1") == aggregate


def test_one_quote_of_two_does_not_aggregate_yet(caplog, store):
    handle(caplog, quotes_event(AVIS))

    assert prefixed(caplog, "aggregate: ") == []
    assert store.aggregate("u-1") is None


def test_a_duplicate_delivery_is_counted_once(caplog, store):
    handle(caplog, quotes_event(AVIS, AVIS))
    handle(caplog, quotes_event(AVIS))
    assert prefixed(caplog, "aggregate: ") == []

    handle(caplog, quotes_event(ALAMO))

    (aggregate,) = prefixed(caplog, "aggregate: ")
    assert aggregate["quotes"] == [AVIS, ALAMO]
    assert len(store.quotes("u-1")) == 2
    assert any("duplicate quote from Avis" in m for m in caplog.messages)


def test_out_of_order_arrival_gives_the_same_aggregate(caplog):
    handle(caplog, quotes_event(ALAMO))
    handle(caplog, quotes_event(AVIS))

    (aggregate,) = prefixed(caplog, "aggregate: ")
    assert aggregate["status"] == "complete"
    assert aggregate["quotes"] == [AVIS, ALAMO]  # in the expected vendors' order, whatever the arrival order


def test_deadline_names_the_missing_vendor(caplog, store):
    handle(caplog, quotes_event(ALAMO))
    handle(caplog, deadline_event("u-1"))

    (aggregate,) = prefixed(caplog, "aggregate: ")
    assert aggregate == {"uuid": "u-1", "status": "timed_out", "quotes": [ALAMO], "best_quote": ALAMO,
                         "missing_vendors": ["Avis"]}
    assert store.aggregate("u-1")["status"] == "timed_out"


def test_deadline_without_any_quote_names_every_vendor(caplog):
    handle(caplog, deadline_event("u-9"))

    (aggregate,) = prefixed(caplog, "aggregate: ")
    assert aggregate == {"uuid": "u-9", "status": "timed_out", "quotes": [], "best_quote": None,
                         "missing_vendors": ["Avis", "Alamo"]}


def test_deadline_after_complete_does_nothing(caplog, store):
    handle(caplog, quotes_event(AVIS, ALAMO))
    complete = store.aggregate("u-1")

    response = handle(caplog, deadline_event("u-1"))

    assert len(prefixed(caplog, "aggregate: ")) == 1
    assert store.aggregate("u-1") == complete
    assert response["batchItemFailures"] == []
    assert any("deadline of request u-1 passed: it was already aggregated" in m for m in caplog.messages)


def test_a_late_quote_after_the_deadline_does_not_aggregate_again(caplog, store):
    handle(caplog, quotes_event(AVIS))
    handle(caplog, deadline_event("u-1"))

    handle(caplog, quotes_event(ALAMO))

    assert [a["status"] for a in prefixed(caplog, "aggregate: ")] == ["timed_out"]
    assert store.aggregate("u-1")["missing_vendors"] == ["Alamo"]


def test_a_deadline_delivered_twice_aggregates_once(caplog):
    handle(caplog, deadline_event("u-1", "u-1"))

    assert len(prefixed(caplog, "aggregate: ")) == 1


def test_a_mixed_batch_of_two_requests_gives_two_aggregates(caplog):
    first_avis, first_alamo = quote("Avis", 99, "u-a"), quote("Alamo", 120, "u-a")
    second_avis, second_alamo = quote("Avis", 198, "u-b"), quote("Alamo", 240, "u-b")

    handle(caplog, quotes_event(first_avis, second_alamo, second_avis, first_alamo))

    aggregates = {a["uuid"]: a for a in prefixed(caplog, "aggregate: ")}
    assert set(aggregates) == {"u-a", "u-b"}
    assert aggregates["u-a"]["quotes"] == [first_avis, first_alamo]
    assert aggregates["u-b"]["quotes"] == [second_avis, second_alamo]
    assert prefixed(caplog, "quotes: ") == [[first_avis, second_alamo, second_avis, first_alamo]]


def test_a_mixed_batch_of_quotes_and_deadlines(caplog):
    event = {"Records": [sqs_record(responder_destination_record(AVIS), 0),
                         sqs_record(requester_destination_record("u-2"), 1, DEADLINE_ARN)]}

    response = handle(caplog, event)

    assert json.loads(response["body"]) == [AVIS]
    assert [(a["uuid"], a["status"]) for a in prefixed(caplog, "aggregate: ")] == [("u-2", "timed_out")]


def test_a_deadline_only_batch_logs_an_empty_quotes_line(caplog):
    response = handle(caplog, deadline_event("u-1"))

    assert response["body"] == "[]"
    assert prefixed(caplog, "quotes: ") == [[]]


def test_an_unreadable_record_is_reported_alone_and_the_others_proceed(caplog, store):
    event = quotes_event(AVIS, ALAMO)
    event["Records"].insert(1, sqs_record("not json", 7))

    response = handle(caplog, event)

    assert response["batchItemFailures"] == [{"itemIdentifier": "00000000-0000-4000-8000-000000000007"}]
    assert store.aggregate("u-1")["status"] == "complete"
    assert any(m.startswith("record 00000000-0000-4000-8000-000000000007 (unreadable) failed") for m in caplog.messages)


def test_a_quote_without_uuid_or_vendor_is_reported(caplog):
    no_uuid = {key: value for key, value in AVIS.items() if key != "uuid"}

    response = handle(caplog, quotes_event(no_uuid))

    assert len(response["batchItemFailures"]) == 1
    assert prefixed(caplog, "quotes: ") == [[]]


def test_a_storage_error_reports_only_that_record(caplog, store, monkeypatch):
    def throttled(uuid, vendor, quote):
        if vendor == "Alamo":
            raise RuntimeError("ProvisionedThroughputExceededException")
        return InMemoryAggregateStore.put_quote(store, uuid, vendor, quote)

    monkeypatch.setattr(store, "put_quote", throttled)

    response = handle(caplog, quotes_event(AVIS, ALAMO))

    assert response["batchItemFailures"] == [{"itemIdentifier": "00000000-0000-4000-8000-000000000001"}]
    assert len(store.quotes("u-1")) == 1


def count_calls(store, monkeypatch, *names: str) -> dict[str, int]:
    """Count the store calls the handler makes (each one is a DynamoDB request in the deployed stack)."""
    counts = dict.fromkeys(names, 0)
    for name in names:
        original = getattr(store, name)

        def counted(*args, _name=name, _original=original):
            counts[_name] += 1
            return _original(*args)

        monkeypatch.setattr(store, name, counted)
    return counts


def test_a_batch_that_completes_a_request_writes_without_reading_back(caplog, store, monkeypatch):
    counts = count_calls(store, monkeypatch, "put_quote", "quotes", "put_aggregate", "aggregated")

    handle(caplog, quotes_event(AVIS, ALAMO))

    assert counts == {"put_quote": 2, "quotes": 0, "put_aggregate": 1, "aggregated": 0}
    assert store.aggregate("u-1")["quotes"] == [AVIS, ALAMO]


def test_a_duplicate_in_the_batch_makes_it_read_the_stored_quotes(caplog, store, monkeypatch):
    handle(caplog, quotes_event(AVIS))
    counts = count_calls(store, monkeypatch, "quotes")

    handle(caplog, quotes_event(AVIS, ALAMO))

    assert counts == {"quotes": 1}
    assert store.aggregate("u-1")["status"] == "complete"


def test_the_deadlines_of_a_batch_take_one_read_when_their_requests_are_aggregated(caplog, store, monkeypatch):
    for uuid in ("u-a", "u-b", "u-c"):
        handle(caplog, quotes_event(quote("Avis", 99, uuid), quote("Alamo", 120, uuid)))
    counts = count_calls(store, monkeypatch, "put_quote", "quotes", "put_aggregate", "aggregated")

    handle(caplog, deadline_event("u-a", "u-b", "u-c"))

    assert counts == {"put_quote": 0, "quotes": 0, "put_aggregate": 0, "aggregated": 1}
    assert len(prefixed(caplog, "aggregate: ")) == 3  # the three complete ones, none timed out


def test_a_quote_and_its_deadline_in_one_batch_time_out_once(caplog, store):
    event = {"Records": [sqs_record(responder_destination_record(AVIS), 0),
                         sqs_record(requester_destination_record("u-1"), 1, DEADLINE_ARN)]}

    response = handle(caplog, event)

    (aggregate,) = prefixed(caplog, "aggregate: ")
    assert (aggregate["status"], aggregate["missing_vendors"]) == ("timed_out", ["Alamo"])
    assert response["batchItemFailures"] == []


def test_a_failed_aggregate_write_reports_every_record_of_that_request_only(caplog, store, monkeypatch):
    original = store.put_aggregate

    def throttled(uuid, document):
        if uuid == "u-b":
            raise RuntimeError("ProvisionedThroughputExceededException")
        return original(uuid, document)

    monkeypatch.setattr(store, "put_aggregate", throttled)
    event = quotes_event(quote("Avis", 99, "u-a"), quote("Avis", 198, "u-b"), quote("Alamo", 240, "u-b"))

    response = handle(caplog, event)

    assert [f["itemIdentifier"][-1] for f in response["batchItemFailures"]] == ["1", "2"]
    assert store.quotes("u-a") and store.aggregate("u-a") is None and store.aggregate("u-b") is None


def test_a_failed_deadline_read_reports_the_deadline_records(caplog, store, monkeypatch):
    monkeypatch.setattr(store, "aggregated", lambda uuids: (_ for _ in ()).throw(RuntimeError("throttled")))

    response = handle(caplog, deadline_event("u-1", "u-2"))

    assert len(response["batchItemFailures"]) == 2
    assert prefixed(caplog, "aggregate: ") == []


def test_a_failed_record_without_message_id_fails_the_whole_batch():
    with pytest.raises(UnsupportedRecord, match="^Aggregator cannot read the body of record 0: it is not valid JSON"):
        aggregator.lambda_handler({"Records": [{"body": "not json"}]}, None)


def test_without_the_deadline_queue_arn_every_record_is_a_quote(caplog, monkeypatch):
    monkeypatch.delenv("DEADLINE_QUEUE_ARN")

    response = handle(caplog, deadline_event("u-1"))

    assert len(response["batchItemFailures"]) == 1  # a request is not a responder result


def test_a_missing_environment_variable_is_named(monkeypatch):
    monkeypatch.delenv("EXPECTED_VENDORS")

    with pytest.raises(aggregator.AggregatorConfigError, match="EXPECTED_VENDORS is missing or empty; redeploy"):
        aggregator.lambda_handler(quotes_event(AVIS), None)


@pytest.mark.parametrize(
    ("record", "problem"),
    [
        (sqs_record({"responsePayload": {"statusCode": 200}}), "it holds no responder result"),
        (sqs_record({"responsePayload": {"data": "[1, 2]"}}), "its quote is not an object"),
        (sqs_record({"responsePayload": {"data": "{oops"}}), "the quote in the body of record 0: it is not valid"),
        (sqs_record({"statusCode": 200, "body": "{}"}, 0, DEADLINE_ARN), "it holds no request with a 'data.uuid'"),
        (sqs_record("[]", 0, DEADLINE_ARN), "it holds no request with a 'data.uuid'"),
    ],
)
def test_unreadable_records_are_reported_with_a_reason(caplog, record, problem):
    response = handle(caplog, {"Records": [record]})

    assert response["batchItemFailures"] == [{"itemIdentifier": record["messageId"]}]
    (line,) = [m for m in caplog.messages if m.startswith("record ")]
    assert problem in line and "Aggregator cannot read" in line


@pytest.mark.parametrize("event", [{}, [], {"Records": "x"}])
def test_an_event_that_is_not_from_sqs_is_rejected(event):
    with pytest.raises(UnsupportedRecord, match="^Aggregator cannot read this event: it has no 'Records' list"):
        aggregator.lambda_handler(event, None)


def test_accepts_a_bare_responder_result_and_an_already_decoded_quote(caplog):
    event = {"Records": [sqs_record({"statusCode": 200, "data": json.dumps(AVIS)}, 0),
                         sqs_record({"statusCode": 200, "data": ALAMO}, 1)]}

    response = handle(caplog, event)

    assert json.loads(response["body"]) == [AVIS, ALAMO]


def delivered(record: dict, count: int) -> dict:
    """The same SQS record on its `count`-th delivery."""
    return {**record, "attributes": {**record["attributes"], "ApproximateReceiveCount": str(count)}}


def published_straight(message: object) -> dict:
    """What the deadline queue receives when a message is published to the scatter topic directly (raw delivery)."""
    return sqs_record(message, 5, DEADLINE_ARN)


@pytest.mark.parametrize("message", ['{"data": {"car_type": "XL", "days_rental": 2}}', "hi", '{"data": {"uuid": 7}}'])
def test_a_deadline_naming_no_request_is_one_failed_aggregate_with_its_reason(caplog, message):
    record = published_straight(message)

    responses = [handle(caplog, {"Records": [delivered(record, count)]}) for count in (1, 2, 3)]

    (aggregate,) = prefixed(caplog, "aggregate: ")
    assert aggregate == {"uuid": None, "status": "failed", "quotes": [], "best_quote": None,
                         "missing_vendors": ["Avis", "Alamo"], "reason": aggregate["reason"]}
    assert aggregate["reason"].startswith("Aggregator cannot read the body of record 0: ")
    # Still delivered again, then dead-lettered, so it can be read there.
    assert all(r["batchItemFailures"] == [{"itemIdentifier": record["messageId"]}] for r in responses)


class BrokenTable:
    """A table every call to fails, as a deleted or unreachable aggregates table does."""

    def __getattr__(self, name):
        def fails(*args, **kwargs):
            raise RuntimeError("ResourceNotFoundException: Requested resource not found")
        return fails


def test_a_request_whose_quotes_cannot_be_stored_ends_in_one_failed_aggregate_at_its_last_deadline_delivery(
    caplog, monkeypatch
):
    monkeypatch.setattr(aggregator, "_store", BrokenTable())
    quotes = quotes_event(AVIS, ALAMO)["Records"]
    deadline = sqs_record(requester_destination_record("u-1"), 9, DEADLINE_ARN)

    # The quotes are delivered three times, then the deadline three times (SQS's redrive policy).
    for count in (1, 2, 3):
        response = handle(caplog, {"Records": [delivered(record, count) for record in quotes]})
        assert len(response["batchItemFailures"]) == 2
    deadline_responses = [handle(caplog, {"Records": [delivered(deadline, count)]}) for count in (1, 2, 3)]

    (aggregate,) = prefixed(caplog, "aggregate: ")
    assert (aggregate["uuid"], aggregate["status"]) == ("u-1", "failed")
    assert aggregate["missing_vendors"] == ["Avis", "Alamo"]
    assert "aggregates table could not be read or written on any of its 3 deliveries" in aggregate["reason"]
    assert "ResourceNotFoundException" in aggregate["reason"] and "dead-letter queue" in aggregate["reason"]
    assert all(r["batchItemFailures"] == [{"itemIdentifier": deadline["messageId"]}] for r in deadline_responses)


def test_a_table_that_recovers_before_the_last_delivery_gives_the_real_aggregate(caplog, store, monkeypatch):
    deadline = sqs_record(requester_destination_record("u-1"), 9, DEADLINE_ARN)
    monkeypatch.setattr(aggregator, "_store", BrokenTable())
    handle(caplog, {"Records": [delivered(deadline, 1)]})
    monkeypatch.setattr(aggregator, "_store", store)

    response = handle(caplog, {"Records": [delivered(deadline, 2)]})

    (aggregate,) = prefixed(caplog, "aggregate: ")
    assert (aggregate["status"], aggregate["missing_vendors"]) == ("timed_out", ["Avis", "Alamo"])
    assert response["batchItemFailures"] == []


def test_the_last_delivery_is_the_stacks_max_receive_count():
    from gathering import LAST_DELIVERY

    from infra.sns_stack import MAX_RECEIVE_COUNT

    assert LAST_DELIVERY == MAX_RECEIVE_COUNT


def test_a_record_that_failed_is_named_by_the_quote_it_carries(caplog, monkeypatch):
    monkeypatch.setattr(aggregator, "_store", BrokenTable())

    handle(caplog, quotes_event(AVIS))

    (line,) = [m for m in caplog.messages if m.startswith("record ")]
    assert line.startswith("record 00000000-0000-4000-8000-000000000000 (Avis's quote for request u-1) failed and "
                           "will be delivered again (then dead-lettered): ResourceNotFoundException")
