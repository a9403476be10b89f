"""One batch of SQS records through the Aggregator: correlate by uuid, complete or time out, aggregate once."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from aggregate_store import AggregateStore
from aggregation import aggregate_document, aggregate_log_line, is_complete
from quote_records import DeadlineReached, QuoteArrived, UnsupportedRecord, quotes_log_line, read_record, records_of


@dataclass
class BatchOutcome:
    """What one invocation did: the batch's quotes, the aggregates it wrote, the records to deliver again."""

    quotes: list[dict[str, Any]] = field(default_factory=list)
    aggregates: list[dict[str, Any]] = field(default_factory=list)
    failed_message_ids: list[str] = field(default_factory=list)

    def response(self, body: str) -> dict[str, Any]:
        """The handler's return value; `batchItemFailures` is what the SQS event source redelivers."""
        return {
            "statusCode": 200,
            "body": body,
            "batchItemFailures": [{"itemIdentifier": message_id} for message_id in self.failed_message_ids],
        }


def settle(arrival: QuoteArrived | DeadlineReached, store: AggregateStore, expected: Sequence[str],
           logger: logging.Logger) -> dict[str, Any] | None:
    """Record one arrival; return the request's aggregate if this arrival is the one that wrote it."""
    if isinstance(arrival, QuoteArrived):
        if not store.put_quote(arrival.uuid, arrival.vendor, arrival.quote):
            logger.info("duplicate quote from %s for request %s: counted once", arrival.vendor, arrival.uuid)
        quotes = store.quotes(arrival.uuid)
        if not is_complete(expected, quotes):
            return None
        document = aggregate_document(arrival.uuid, expected, quotes, deadline_passed=False)
    else:
        quotes = store.quotes(arrival.uuid)
        document = aggregate_document(arrival.uuid, expected, quotes, deadline_passed=True)
    # Write-once: of "the last quote arrived" and "the deadline passed", only the first writes and logs.
    if store.put_aggregate(arrival.uuid, document):
        return document
    if isinstance(arrival, DeadlineReached):
        logger.info("deadline of request %s passed: it was already aggregated", arrival.uuid)
    return None


def gather_batch(event: Any, *, store: AggregateStore, expected: Sequence[str], deadline_queue_arn: str | None,
                 logger: logging.Logger) -> BatchOutcome:
    """Log the batch's `quotes:` line, then settle each record; a record that fails is reported, not raised.

    Raises UnsupportedRecord when the event is not an SQS event, or a record that failed has no messageId
    (then the whole batch is delivered again).
    """
    outcome = BatchOutcome()
    arrivals: list[tuple[str | None, QuoteArrived | DeadlineReached]] = []
    failures: list[tuple[str | None, Exception]] = []
    for index, record in enumerate(records_of(event)):
        message_id = record.get("messageId") if isinstance(record, dict) else None
        try:
            arrival = read_record(record, index, deadline_queue_arn)
        except UnsupportedRecord as error:
            failures.append((message_id, error))
            continue
        arrivals.append((message_id, arrival))
        if isinstance(arrival, QuoteArrived):
            outcome.quotes.append(arrival.quote)
    logger.info(quotes_log_line(outcome.quotes))

    for message_id, arrival in arrivals:
        try:
            document = settle(arrival, store, expected, logger)
        except Exception as error:  # e.g. DynamoDB throttling: this record is delivered again
            failures.append((message_id, error))
            continue
        if document is not None:
            outcome.aggregates.append(document)
            logger.info(aggregate_log_line(document))

    for message_id, error in failures:
        if not message_id:
            raise error
        logger.error("record %s failed and will be delivered again (then dead-lettered): %s", message_id, error)
        outcome.failed_message_ids.append(message_id)
    return outcome
