"""DynamoDB in the local cloud: a table Query reads its own partition instead of sorting the whole table."""

from __future__ import annotations

import threading
from typing import Any

from moto.dynamodb import models as dynamodb_models
from moto.dynamodb.models.table import Table


class LocalTable(Table):
    """moto answers a table (not index) Query by sorting every item of the table, with slow comparisons,
    then keeping the queried partition: the Aggregator's quote reads grew with its table (about 5 ms each
    at a thousand items) until a busy run could not keep up. Here that Query sees only its partition; moto
    still sorts, filters, pages and projects it as before."""

    _query_partition = threading.local()  # the hash key of the table Query this thread is answering

    def query(self, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        # moto's caller passes index_name positionally (8th), tests and other callers by keyword.
        index_name = kwargs.get("index_name", args[6] if len(args) > 6 else None)
        if index_name or hash_key is None:
            return super().query(hash_key, *args, **kwargs)
        self._query_partition.key = hash_key
        try:
            return super().query(hash_key, *args, **kwargs)
        finally:
            self._query_partition.key = None

    def all_items(self) -> list[Any]:
        hash_key = getattr(self._query_partition, "key", None)
        if hash_key is None:
            return super().all_items()
        partition = self.items.get(hash_key)  # .get: self.items is a defaultdict, indexing would add a key
        if partition is None:
            return []
        return list(partition.values()) if self.range_key_attr else [partition]


def install() -> None:
    """Make moto's DynamoDB backend create LocalTable tables (idempotent)."""
    dynamodb_models.Table = LocalTable  # type: ignore[misc]
