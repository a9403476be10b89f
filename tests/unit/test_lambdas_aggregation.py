"""The Aggregator's pure logic (completeness, best quote, aggregate) and its DynamoDB store's write-once rule."""

from __future__ import annotations

import sys
from pathlib import Path

import boto3
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "lambdas" / "aggregator"))
from aggregate_store import RECORD_TTL_SECONDS, DynamoDBAggregateStore, InMemoryAggregateStore  # noqa: E402
from aggregation import (  # noqa: E402
    aggregate_document,
    aggregate_log_line,
    best_quote,
    is_complete,
    missing_vendors,
    ordered_quotes,
    parse_vendor_list,
)

EXPECTED = ("Avis", "Alamo")


def quote(vendor: str, price: object, uuid: str = "u-1") -> dict:
    return {"car_type": "XL", "days_rental": 2, "uuid": uuid, "price_quote": price, "vendor": vendor}


@pytest.mark.parametrize(
    ("value", "names"),
    [("Avis,Alamo", ("Avis", "Alamo")), (" Avis , Alamo ,", ("Avis", "Alamo")), ("Avis,Avis", ("Avis",)),
     ("", ()), (None, ())],
)
def test_parse_vendor_list(value, names):
    assert parse_vendor_list(value) == names


def test_completeness_needs_every_expected_vendor():
    assert not is_complete(EXPECTED, [quote("Avis", 1)])
    assert is_complete(EXPECTED, [quote("Alamo", 2), quote("Avis", 1)])
    assert is_complete(EXPECTED, [quote("Alamo", 2), quote("Avis", 1), quote("Hertz", 3)])
    assert missing_vendors(EXPECTED, []) == ["Avis", "Alamo"]


def test_quotes_are_ordered_by_the_expected_vendors_then_by_name_and_kept_once_per_vendor():
    quotes = [quote("Zipcar", 5), quote("Alamo", 2), quote("Hertz", 4), quote("Avis", 1), quote("Avis", 9)]

    assert [q["vendor"] for q in ordered_quotes(EXPECTED, quotes)] == ["Avis", "Alamo", "Hertz", "Zipcar"]
    assert ordered_quotes(EXPECTED, quotes)[0]["price_quote"] == 1


def test_best_quote_is_the_cheapest_and_the_first_of_equals():
    assert best_quote([quote("Avis", 300), quote("Alamo", 200), quote("Hertz", 200)])["vendor"] == "Alamo"
    assert best_quote([quote("Avis", 2.5), quote("Alamo", 3)])["vendor"] == "Avis"


def test_best_quote_ignores_prices_that_are_not_numbers():
    assert best_quote([quote("Avis", "cheap"), quote("Alamo", True), quote("Hertz", 7)])["vendor"] == "Hertz"
    assert best_quote([quote("Avis", None)]) is None
    assert best_quote([]) is None


def test_aggregate_document_when_complete():
    document = aggregate_document("u-1", EXPECTED, [quote("Alamo", 240), quote("Avis", 198)], deadline_passed=False)

    assert document == {"uuid": "u-1", "status": "complete", "quotes": [quote("Avis", 198), quote("Alamo", 240)],
                        "best_quote": quote("Avis", 198), "missing_vendors": []}


def test_aggregate_document_at_the_deadline():
    timed_out = aggregate_document("u-1", EXPECTED, [quote("Alamo", 240)], deadline_passed=True)
    complete = aggregate_document("u-1", EXPECTED, [quote("Alamo", 240), quote("Avis", 1)], deadline_passed=True)

    assert (timed_out["status"], timed_out["missing_vendors"]) == ("timed_out", ["Avis"])
    assert complete["status"] == "complete"


def test_an_incomplete_request_is_not_aggregated_before_its_deadline():
    with pytest.raises(ValueError, match="request u-1 is not complete yet \\(missing Avis\\)"):
        aggregate_document("u-1", EXPECTED, [quote("Alamo", 240)], deadline_passed=False)


def test_aggregate_log_line_is_the_prefix_and_json():
    assert aggregate_log_line({"uuid": "u"}) == 'aggregate: {"uuid": "u"}'


def test_the_in_memory_store_writes_each_key_once():
    store = InMemoryAggregateStore()

    assert store.put_quote("u-1", "Avis", quote("Avis", 1)) is True
    assert store.put_quote("u-1", "Avis", quote("Avis", 999)) is False
    assert store.put_quote("u-2", "Avis", quote("Avis", 5, "u-2")) is True
    assert store.quotes("u-1") == [quote("Avis", 1)]
    assert store.aggregated(["u-1"]) == set()
    assert store.put_aggregate("u-1", {"status": "complete"}) is True
    assert store.put_aggregate("u-1", {"status": "timed_out"}) is False
    assert store.aggregate("u-1") == {"status": "complete"}
    assert store.aggregated(["u-1", "u-2"]) == {"u-1"}


@pytest.fixture
def dynamodb(moto_aws):
    client = boto3.client("dynamodb", region_name="us-east-1")
    client.create_table(
        TableName="aggregates",
        KeySchema=[{"AttributeName": "uuid", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "uuid", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    return client


def test_the_dynamodb_store_writes_quotes_and_aggregates_once(dynamodb):
    store = DynamoDBAggregateStore(dynamodb, "aggregates", clock=lambda: 1_700_000_000.0)

    assert store.put_quote("u-1", "Avis", quote("Avis", 1)) is True
    assert store.put_quote("u-1", "Avis", quote("Avis", 999)) is False
    assert store.put_quote("u-1", "Alamo", quote("Alamo", 2)) is True
    assert store.put_quote("u-2", "Avis", quote("Avis", 3, "u-2")) is True
    assert sorted(q["vendor"] for q in store.quotes("u-1")) == ["Alamo", "Avis"]
    assert [q["price_quote"] for q in store.quotes("u-1") if q["vendor"] == "Avis"] == [1]

    assert store.aggregated(["u-1"]) == set()
    assert store.put_aggregate("u-1", {"uuid": "u-1", "status": "complete"}) is True
    assert store.put_aggregate("u-1", {"uuid": "u-1", "status": "timed_out"}) is False
    assert store.aggregated(["u-1", "u-2", "u-1"]) == {"u-1"}
    item = dynamodb.get_item(TableName="aggregates", Key={"uuid": {"S": "u-1"}, "sk": {"S": "AGGREGATE"}})["Item"]
    assert item["status"] == {"S": "complete"}
    assert item["expires_at"] == {"N": str(1_700_000_000 + RECORD_TTL_SECONDS)}
    assert store.quotes("u-1") == store.quotes("u-1")  # the aggregate item is not a quote
    assert len(store.quotes("u-1")) == 2


def test_the_dynamodb_store_reads_every_page_of_quotes(dynamodb, monkeypatch):
    store = DynamoDBAggregateStore(dynamodb, "aggregates")
    padding = "x" * 200_000  # eight such quotes exceed the 1 MB a query returns at once
    for index in range(8):
        store.put_quote("u-big", f"V{index}", {**quote(f"V{index}", index, "u-big"), "notes": padding})
    pages = []
    query = dynamodb.query
    monkeypatch.setattr(dynamodb, "query", lambda **kwargs: pages.append(kwargs) or query(**kwargs))

    assert len(store.quotes("u-big")) == 8
    assert len(pages) > 1


def test_the_dynamodb_store_asks_for_many_aggregates_in_batches_and_retries_unread_keys(dynamodb, monkeypatch):
    store = DynamoDBAggregateStore(dynamodb, "aggregates")
    uuids = [f"u-{n}" for n in range(130)]
    for uuid in uuids[::2]:
        store.put_aggregate(uuid, {"uuid": uuid, "status": "complete"})
    calls = []
    batch_get = dynamodb.batch_get_item

    def first_call_leaves_one_key(**kwargs):
        calls.append(len(kwargs["RequestItems"]["aggregates"]["Keys"]))
        page = batch_get(**kwargs)
        if len(calls) == 1:  # as DynamoDB does when throttled: one key comes back unprocessed
            request = kwargs["RequestItems"]["aggregates"]
            kept = request["Keys"][-1]["uuid"]["S"]
            page["Responses"]["aggregates"] = [i for i in page["Responses"]["aggregates"] if i["uuid"]["S"] != kept]
            page["UnprocessedKeys"] = {"aggregates": {**request, "Keys": request["Keys"][-1:]}}
        return page

    monkeypatch.setattr(dynamodb, "batch_get_item", first_call_leaves_one_key)

    assert store.aggregated(uuids) == set(uuids[::2])
    assert calls == [100, 1, 30]
