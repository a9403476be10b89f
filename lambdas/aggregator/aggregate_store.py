"""Where the aggregator keeps quotes and aggregates: DynamoDB with conditional writes, or memory (for tests)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

QUOTE_PREFIX = "QUOTE#"
AGGREGATE_KEY = "AGGREGATE"
RECORD_TTL_SECONDS = 24 * 60 * 60  # DynamoDB deletes a request's items a day after they were written
TTL_ATTRIBUTE = "expires_at"
# Each key may be written once: a duplicate quote counts once, and only the first aggregate of a request sticks.
WRITE_ONCE = "attribute_not_exists(sk)"
BATCH_GET_LIMIT = 100  # keys per BatchGetItem call
UNPROCESSED_RETRIES = 4


class AggregateStore(Protocol):
    """The operations the Aggregator needs; writes are write-once per key."""

    def put_quote(self, uuid: str, vendor: str, quote: dict[str, Any]) -> bool:
        """Store a vendor's quote for a request; False when that vendor's quote was already stored."""

    def quotes(self, uuid: str) -> list[dict[str, Any]]:
        """Every quote stored for a request, as seen after every write that finished before the call."""

    def put_aggregate(self, uuid: str, document: dict[str, Any]) -> bool:
        """Store the request's aggregate; False when the request already has one (nothing is changed)."""

    def aggregated(self, uuids: Sequence[str]) -> set[str]:
        """Which of these requests have an aggregate stored, as seen after every write that finished before."""


class InMemoryAggregateStore:
    """An AggregateStore in a dict, for unit tests and for running the handler without AWS."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], dict[str, Any]] = {}
        self._lock = threading.Lock()

    def _put_once(self, key: tuple[str, str], item: dict[str, Any]) -> bool:
        with self._lock:
            if key in self.items:
                return False
            self.items[key] = item
            return True

    def put_quote(self, uuid: str, vendor: str, quote: dict[str, Any]) -> bool:
        return self._put_once((uuid, QUOTE_PREFIX + vendor), dict(quote))

    def quotes(self, uuid: str) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(item) for (pk, sk), item in sorted(self.items.items())
                    if pk == uuid and sk.startswith(QUOTE_PREFIX)]

    def put_aggregate(self, uuid: str, document: dict[str, Any]) -> bool:
        return self._put_once((uuid, AGGREGATE_KEY), dict(document))

    def aggregated(self, uuids: Sequence[str]) -> set[str]:
        with self._lock:
            return {uuid for uuid in uuids if (uuid, AGGREGATE_KEY) in self.items}

    def aggregate(self, uuid: str) -> dict[str, Any] | None:
        return self.items.get((uuid, AGGREGATE_KEY))


class DynamoDBAggregateStore:
    """The aggregates table: PK `uuid`, SK `QUOTE#<vendor>` or `AGGREGATE`; JSON kept as strings."""

    def __init__(self, client: Any, table_name: str, *, clock: Callable[[], float] = time.time) -> None:
        self._client = client
        self._table = table_name
        self._clock = clock

    def _put_once(self, item: dict[str, Any]) -> bool:
        now = self._clock()
        item = {
            **item,
            "written_at": {"S": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))},
            TTL_ATTRIBUTE: {"N": str(int(now) + RECORD_TTL_SECONDS)},
        }
        try:
            self._client.put_item(TableName=self._table, Item=item, ConditionExpression=WRITE_ONCE)
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def put_quote(self, uuid: str, vendor: str, quote: dict[str, Any]) -> bool:
        return self._put_once({
            "uuid": {"S": uuid},
            "sk": {"S": QUOTE_PREFIX + vendor},
            "vendor": {"S": vendor},
            "quote": {"S": json.dumps(quote)},
        })

    def quotes(self, uuid: str) -> list[dict[str, Any]]:
        query: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "#uuid = :uuid AND begins_with(sk, :prefix)",
            "ExpressionAttributeNames": {"#uuid": "uuid"},
            "ExpressionAttributeValues": {":uuid": {"S": uuid}, ":prefix": {"S": QUOTE_PREFIX}},
            # Strongly consistent: whichever of two concurrent quote writes finishes last sees both.
            "ConsistentRead": True,
        }
        quotes: list[dict[str, Any]] = []
        while True:
            page = self._client.query(**query)
            quotes.extend(json.loads(item["quote"]["S"]) for item in page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                return quotes
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def put_aggregate(self, uuid: str, document: dict[str, Any]) -> bool:
        return self._put_once({
            "uuid": {"S": uuid},
            "sk": {"S": AGGREGATE_KEY},
            "status": {"S": str(document["status"])},
            "aggregate": {"S": json.dumps(document)},
        })

    def aggregated(self, uuids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        unique = list(dict.fromkeys(uuids))
        for first in range(0, len(unique), BATCH_GET_LIMIT):
            keys = [{"uuid": {"S": uuid}, "sk": {"S": AGGREGATE_KEY}} for uuid in unique[first:first + BATCH_GET_LIMIT]]
            request = {self._table: {"Keys": keys, "ProjectionExpression": "#uuid",
                                     "ExpressionAttributeNames": {"#uuid": "uuid"}, "ConsistentRead": True}}
            for attempt in range(UNPROCESSED_RETRIES + 1):
                page = self._client.batch_get_item(RequestItems=request)
                found.update(item["uuid"]["S"] for item in page.get("Responses", {}).get(self._table, []))
                request = page.get("UnprocessedKeys") or {}
                if not request:
                    break
                if attempt == UNPROCESSED_RETRIES:
                    raise RuntimeError(f"DynamoDB left {len(request[self._table]['Keys'])} keys unread; "
                                       "the records are delivered again")
                time.sleep(0.05 * 2**attempt)  # throttled: back off as the SDKs do
        return found
