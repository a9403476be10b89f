"""One batch of SQS records through the Aggregator: correlate by uuid, complete or time out, aggregate once."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from aggregate_store import AggregateStore
from aggregation import aggregate_document, aggregate_log_line, failed_document, is_complete
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

# Deliveries of a message before SQS moves it to the dead-letter queue: the stack's MAX_RECEIVE_COUNT.
LAST_DELIVERY = 3
STORE_FAILED_AT_DEADLINE = (
    "its deadline passed but the aggregates table could not be read or written on any of its {deliveries} "
    "deliveries ({error}); its records are in the aggregator's dead-letter queue: check the table, then redrive them"
)


def delivery(record: Any) -> int:
    """Which delivery of its SQS message this record is (ApproximateReceiveCount; 1 when not said)."""
    attributes = record.get("attributes") if isinstance(record, dict) else None
    try:
        return int((attributes or {}).get("ApproximateReceiveCount", 1))
    except (TypeError, ValueError):
        return 1


def unreadable_deadline(record: Any, error: Exception, deadline_queue_arn: str | None,
                        expected: Sequence[str]) -> dict[str, Any] | None:
    """The failed aggregate of a deadline record that names no request, written at its first delivery only:
    a request that cannot be read never will be, and its record is redelivered, then dead-lettered."""
    from_deadline_queue = isinstance(record, dict) and deadline_queue_arn is not None and \
        record.get("eventSourceARN") == deadline_queue_arn
    if not from_deadline_queue or delivery(record) != 1:
        return None
    return failed_document(None, expected, str(error))


@dataclass
class RequestRecords:
    """One request's records in a batch: its quotes and its deadline records (by SQS message id)."""

    uuid: str
    quotes: list[tuple[str | None, QuoteArrived]] = field(default_factory=list)
    deadlines: list[str | None] = field(default_factory=list)


def record_label(arrival: QuoteArrived | DeadlineReached) -> str:
    """What a record carries, in words: "Avis's quote for request u-1", "the deadline of request u-1"."""
    if isinstance(arrival, QuoteArrived):
        return f"{arrival.vendor}'s quote for request {arrival.uuid}"
    return f"the deadline of request {arrival.uuid}"


def by_request(arrivals: Sequence[Arrival]) -> list[RequestRecords]:
    """The batch's arrivals grouped by request uuid, in the order each request first appears."""
    groups: dict[str, RequestRecords] = {}
    for message_id, arrival in arrivals:
        group = groups.setdefault(arrival.uuid, RequestRecords(arrival.uuid))
        if isinstance(arrival, QuoteArrived):
            group.quotes.append((message_id, arrival))
        else:
            group.deadlines.append(message_id)
    return list(groups.values())


def settle_quotes(request: RequestRecords, store: AggregateStore, expected: Sequence[str],
                  logger: logging.Logger) -> tuple[dict[str, Any] | None, list[Failure], bool]:
    """Store a request's quotes from this batch and write its aggregate if they complete it.

    Returns the aggregate this call wrote (or None), the records that failed (a quote that could not be
    stored fails alone; a failed read or aggregate write fails all the stored ones), and whether the
    request is known to be aggregated now.
    """
    failures: list[Failure] = []
    stored: list[str | None] = []
    fresh: list[dict[str, Any]] = []
    for message_id, arrival in request.quotes:
        try:
            written = store.put_quote(request.uuid, arrival.vendor, arrival.quote)
        except Exception as error:  # e.g. DynamoDB throttling: this record is delivered again
            failures.append((message_id, error))
            continue
        stored.append(message_id)
        if written:
            fresh.append(arrival.quote)
        else:
            logger.info("duplicate quote from %s for request %s: counted once", arrival.vendor, request.uuid)
    if not stored:
        return None, failures, False
    try:
        # Writes are write-once, so quotes this batch wrote are the stored quotes of their vendors: when
        # they complete the request (the usual case, one batch per request) there is nothing to read back.
        complete_here = len(fresh) == len(stored) and is_complete(expected, fresh)
        quotes = fresh if complete_here else store.quotes(request.uuid)
        if not is_complete(expected, quotes):
            return None, failures, False
        # Of "the last quote arrived" and "the deadline passed", only the first writes and logs an aggregate.
        document = aggregate_document(request.uuid, expected, quotes, deadline_passed=False)
        written = store.put_aggregate(request.uuid, document)
    except Exception as error:
        return None, failures + [(message_id, error) for message_id in stored], False
    return (document if written else None), failures, True


def settle_deadlines(requests: Sequence[RequestRecords], store: AggregateStore, expected: Sequence[str],
                     logger: logging.Logger) -> tuple[list[dict[str, Any]], list[Failure]]:
    """Write a timed-out aggregate for each request whose deadline passed and that has none yet.

    One read asks which of the batch's requests are already aggregated (most are, by then), so a
    deadline usually costs a tenth of a call instead of a read and a write.
    """
    if not requests:
        return [], []
    try:
        done = store.aggregated([request.uuid for request in requests])
    except Exception as error:
        return [], [(message_id, error) for request in requests for message_id in request.deadlines]
    documents: list[dict[str, Any]] = []
    failures: list[Failure] = []
    for request in requests:
        try:
            if request.uuid not in done:
                document = aggregate_document(request.uuid, expected, store.quotes(request.uuid),
                                              deadline_passed=True)
                if store.put_aggregate(request.uuid, document):
                    documents.append(document)
                    continue
        except Exception as error:
            failures.extend((message_id, error) for message_id in request.deadlines)
            continue
        logger.info("deadline of request %s passed: it was already aggregated", request.uuid)
    return documents, failures


def gather_batch(event: Any, *, store: AggregateStore, expected: Sequence[str], deadline_queue_arn: str | None,
                 logger: logging.Logger) -> BatchOutcome:
    """Log the batch's `quotes:` line, then settle each request; records that fail are reported, not raised.

    Every request ends in one `aggregate:` line: complete, timed out at its deadline, or failed (with the
    reason) when its deadline record names no request, or the table is unusable on the record's last delivery.

    Raises UnsupportedRecord when the event is not an SQS event, or a record that failed has no messageId
    (then the whole batch is delivered again).
    """
    outcome = BatchOutcome()
    arrivals: list[Arrival] = []
    failures: list[Failure] = []
    failed_aggregates: list[dict[str, Any]] = []  # of requests that cannot be aggregated, logged after quotes
    deliveries: dict[str | None, int] = {}
    for index, record in enumerate(records_of(event)):
        message_id = record.get("messageId") if isinstance(record, dict) else None
        deliveries[message_id] = delivery(record)
        try:
            arrival = read_record(record, index, deadline_queue_arn)
        except UnsupportedRecord as error:
            failures.append((message_id, error))
            if (document := unreadable_deadline(record, error, deadline_queue_arn, expected)) is not None:
                failed_aggregates.append(document)
            continue
        arrivals.append((message_id, arrival))
        if isinstance(arrival, QuoteArrived):
            outcome.quotes.append(arrival.quote)
    logger.info(quotes_log_line(outcome.quotes))

    requests = by_request(arrivals)
    due: list[RequestRecords] = []
    for request in requests:
        document, failed, aggregated = settle_quotes(request, store, expected, logger)
        failures.extend(failed)
        if document is not None:
            outcome.aggregates.append(document)
            logger.info(aggregate_log_line(document))
        if request.deadlines and not aggregated:
            due.append(request)
        elif request.deadlines:
            logger.info("deadline of request %s passed: it was already aggregated", request.uuid)
    documents, failed_deadlines = settle_deadlines(due, store, expected, logger)
    failures.extend(failed_deadlines)
    # A request whose deadline cannot be settled on its last delivery still ends in one aggregate: failed.
    uuid_of = {message_id: request.uuid for request in due for message_id in request.deadlines}
    for message_id, error in failed_deadlines:
        if deliveries.get(message_id, 1) >= LAST_DELIVERY:
            reason = STORE_FAILED_AT_DEADLINE.format(deliveries=deliveries[message_id], error=error)
            failed_aggregates.append(failed_document(uuid_of.get(message_id), expected, reason))
    for document in documents + failed_aggregates:
        outcome.aggregates.append(document)
        logger.info(aggregate_log_line(document))

    # Named by what it carries, so a learner searching the log for a request's uuid finds why it is missing.
    carried = {message_id: record_label(arrival) for message_id, arrival in arrivals}
    for message_id, error in failures:
        if not message_id:
            raise error
        logger.error("record %s (%s) failed and will be delivered again (then dead-lettered): %s",
                     message_id, carried.get(message_id, "unreadable"), error)
        outcome.failed_message_ids.append(message_id)
    return outcome
