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


Arrival = tuple[str | None, QuoteArrived | DeadlineReached]  # (SQS message id, what the record says)
Failure = tuple[str | None, Exception]


def settle_request(uuid: str, arrivals: Sequence[Arrival], store: AggregateStore, expected: Sequence[str],
                   logger: logging.Logger) -> tuple[dict[str, Any] | None, list[Failure]]:
    """Record one request's arrivals from a batch; return its aggregate if this batch wrote it, and the
    records that failed (a quote that could not be stored fails alone; a failed read fails them all)."""
    failures: list[Failure] = []
    stored: list[str | None] = []
    deadlines: list[str | None] = []
    for message_id, arrival in arrivals:
        if isinstance(arrival, DeadlineReached):
            deadlines.append(message_id)
            continue
        try:
            if not store.put_quote(uuid, arrival.vendor, arrival.quote):
                logger.info("duplicate quote from %s for request %s: counted once", arrival.vendor, uuid)
        except Exception as error:  # e.g. DynamoDB throttling: this record is delivered again
            failures.append((message_id, error))
            continue
        stored.append(message_id)
    if not stored and not deadlines:
        return None, failures
    try:
        document = _aggregate_once(uuid, store, expected, logger, quotes_stored=bool(stored),
                                   deadline_passed=bool(deadlines))
    except Exception as error:
        return None, failures + [(message_id, error) for message_id in stored + deadlines]
    return document, failures


def _aggregate_once(uuid: str, store: AggregateStore, expected: Sequence[str], logger: logging.Logger, *,
                    quotes_stored: bool, deadline_passed: bool) -> dict[str, Any] | None:
    """Write the request's aggregate if it is due and nobody wrote it first; the document when this call did.

    The quotes are read once per batch, however many of the request's quotes it holds, and a deadline
    first asks whether an aggregate exists: a request costs about five DynamoDB calls, not seven.
    """
    quotes: list[dict[str, Any]] | None = None
    if quotes_stored:
        quotes = store.quotes(uuid)
        if is_complete(expected, quotes):
            # Write-once: of "the last quote arrived" and "the deadline passed", only the first writes and logs.
            document = aggregate_document(uuid, expected, quotes, deadline_passed=False)
            return document if store.put_aggregate(uuid, document) else None
    if not deadline_passed:
        return None
    if not store.has_aggregate(uuid):
        document = aggregate_document(uuid, expected, quotes if quotes is not None else store.quotes(uuid),
                                      deadline_passed=True)
        if store.put_aggregate(uuid, document):
            return document
    logger.info("deadline of request %s passed: it was already aggregated", uuid)
    return None


def _by_request(arrivals: Sequence[Arrival]) -> dict[str, list[Arrival]]:
    """The batch's arrivals grouped by request uuid, in the order each request first appears."""
    groups: dict[str, list[Arrival]] = {}
    for message_id, arrival in arrivals:
        groups.setdefault(arrival.uuid, []).append((message_id, arrival))
    return groups


def gather_batch(event: Any, *, store: AggregateStore, expected: Sequence[str], deadline_queue_arn: str | None,
                 logger: logging.Logger) -> BatchOutcome:
    """Log the batch's `quotes:` line, then settle each request; records that fail are reported, not raised.

    Raises UnsupportedRecord when the event is not an SQS event, or a record that failed has no messageId
    (then the whole batch is delivered again).
    """
    outcome = BatchOutcome()
    arrivals: list[Arrival] = []
    failures: list[Failure] = []
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

    for uuid, group in _by_request(arrivals).items():
        document, failed = settle_request(uuid, group, store, expected, logger)
        failures.extend(failed)
        if document is not None:
            outcome.aggregates.append(document)
            logger.info(aggregate_log_line(document))

    for message_id, error in failures:
        if not message_id:
            raise error
        logger.error("record %s failed and will be delivered again (then dead-lettered): %s", message_id, error)
        outcome.failed_message_ids.append(message_id)
    return outcome
