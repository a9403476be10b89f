"""SQS event source mappings: a poller thread per mapping that batches, honours the batching window, invokes up
to five batches at once and deletes on success (or only the items not reported in batchItemFailures)."""

from __future__ import annotations

import json
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from .invoke import invoke_function

if TYPE_CHECKING:
    from ..lambda_runtime.pool import LambdaRuntime

logger = logging.getLogger(__name__)

POLL_WAIT_SECONDS = 1.0  # how long one empty poll waits for a message before re-reading the mapping's settings
# Lambda's SQS pollers start with five batches in flight at once (scaling up from there); one at a time would
# make a busy queue wait for every invocation in turn.
CONCURRENT_BATCHES = 5


def sqs_record(message: Any, queue_arn: str, region: str) -> dict[str, Any]:
    """One entry of an SQS event's Records, in Lambda's format."""
    attributes = {
        "ApproximateReceiveCount": str(message.approximate_receive_count),
        "SentTimestamp": str(message.sent_timestamp),
        "SenderId": str(message.sender_id),
        "ApproximateFirstReceiveTimestamp": str(message.approximate_first_receive_timestamp),
    }
    if message.group_id:
        attributes["MessageGroupId"] = message.group_id
    if message.deduplication_id:
        attributes["MessageDeduplicationId"] = message.deduplication_id
    if message.sequence_number:
        attributes["SequenceNumber"] = str(message.sequence_number)
    message_attributes = {}
    for name, value in (message.message_attributes or {}).items():
        entry: dict[str, Any] = {"stringListValues": [], "binaryListValues": [], "dataType": value.get("DataType")}
        if "StringValue" in value:
            entry["stringValue"] = value["StringValue"]
        if "BinaryValue" in value:
            entry["binaryValue"] = value["BinaryValue"]
        message_attributes[name] = entry
    record = {
        "messageId": message.id,
        "receiptHandle": message.receipt_handle,
        "body": message.body,
        "attributes": attributes,
        "messageAttributes": message_attributes,
        "md5OfBody": message.body_md5,
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }
    if message_attributes:
        record["md5OfMessageAttributes"] = message.attribute_md5
    return record


def failed_item_ids(response: bytes, batch_ids: set[str]) -> set[str] | None:
    """Message ids to keep under ReportBatchItemFailures; None means the whole batch failed (bad response)."""
    try:
        parsed = json.loads(response) if response.strip() else None
    except ValueError:
        return set()  # a non-JSON response counts as full success, as in AWS
    if not isinstance(parsed, dict) or not parsed.get("batchItemFailures"):
        return set()
    failures = set()
    for item in parsed["batchItemFailures"]:
        identifier = item.get("itemIdentifier") if isinstance(item, dict) else None
        if not identifier or identifier not in batch_ids:
            return None
        failures.add(identifier)
    return failures


class SqsPoller(threading.Thread):
    """Polls one queue for one mapping, the way Lambda's pollers do, and invokes the function synchronously
    with each batch, up to CONCURRENT_BATCHES batches at once."""

    def __init__(self, account_id: str, region: str, mapping_uuid: str, runtime: LambdaRuntime) -> None:
        super().__init__(name=f"sqs-poller-{mapping_uuid[:8]}", daemon=True)
        self.account_id = account_id
        self.region = region
        self.mapping_uuid = mapping_uuid
        self._runtime = runtime
        self.batches = 0
        self._stopping = threading.Event()
        self._slots = threading.Semaphore(CONCURRENT_BATCHES)
        self._invokers = ThreadPoolExecutor(CONCURRENT_BATCHES, thread_name_prefix=f"sqs-batch-{mapping_uuid[:8]}")

    def stop(self) -> None:
        self._stopping.set()
        self._invokers.shutdown(wait=False)

    def run(self) -> None:
        from moto.awslambda.exceptions import UnknownFunctionException
        from moto.sqs.exceptions import QueueDoesNotExist

        logger.info("SQS poller for mapping %s started", self.mapping_uuid)
        while not self._stopping.is_set():
            try:
                if not self._poll_once():
                    return
            except (UnknownFunctionException, QueueDoesNotExist):
                # Deleted while we waited on it (a stack being destroyed): the mapping's own delete stops us.
                self._stopping.wait(POLL_WAIT_SECONDS)
            except Exception:
                logger.exception("SQS poller for mapping %s failed; retrying in 1 s", self.mapping_uuid)
                self._stopping.wait(1.0)
        logger.info("SQS poller for mapping %s stopped", self.mapping_uuid)

    def _backends(self) -> tuple[Any, Any]:
        from moto.awslambda.models import lambda_backends
        from moto.sqs.models import sqs_backends

        return lambda_backends[self.account_id][self.region], sqs_backends[self.account_id][self.region]

    def _poll_once(self) -> bool:
        """One batch handed to an invoker (or one idle wait); False when the mapping is gone."""
        # Receive only with a free invoker, so no message sits invisible waiting for one.
        if not self._slots.acquire(timeout=POLL_WAIT_SECONDS):
            return True
        handed_over = False
        try:
            keep_polling, handed_over = self._receive_and_hand_over()
            return keep_polling
        finally:
            if not handed_over:
                self._slots.release()

    def _receive_and_hand_over(self) -> tuple[bool, bool]:
        """(keep polling, a batch was handed to an invoker, which releases the slot when it is done)."""
        from moto.awslambda.exceptions import UnknownFunctionException
        from moto.sqs.exceptions import QueueDoesNotExist

        lambda_backend, sqs_backend = self._backends()
        mapping = lambda_backend.get_event_source_mapping(self.mapping_uuid)
        if mapping is None:
            return False, False
        if not mapping.enabled:
            self._stopping.wait(POLL_WAIT_SECONDS)
            return True, False
        try:
            fn = lambda_backend.get_function(mapping.function_arn)
            queue = sqs_backend.get_queue(mapping.event_source_arn.split(":")[-1])
        except (UnknownFunctionException, QueueDoesNotExist):
            self._stopping.wait(POLL_WAIT_SECONDS)  # AWS keeps the mapping; it resumes when both exist again
            return True, False
        batch_size = int(mapping.batch_size or 10)
        window = float(mapping.max_batch_window or 0)
        visibility = int(queue.visibility_timeout or 30)

        def receive(count: int, wait: float) -> list[Any]:
            messages = sqs_backend.receive_message(queue.name, count, 0, visibility, message_attribute_names=["All"])
            if messages or wait <= 0 or self._stopping.is_set():
                return messages
            started = time.monotonic()
            queue.wait_for_messages(wait)
            messages = sqs_backend.receive_message(queue.name, count, 0, visibility, message_attribute_names=["All"])
            if not messages:  # visible but not receivable (a FIFO group in flight): do not spin
                self._stopping.wait(max(0.0, wait - (time.monotonic() - started)))
            return messages

        batch = receive(batch_size, POLL_WAIT_SECONDS)
        if not batch:
            return True, False
        # Invoke when the batch is full or the batching window (from the first record) has passed.
        window_ends = time.monotonic() + window
        while len(batch) < batch_size and not self._stopping.is_set():
            remaining = window_ends - time.monotonic()
            if remaining <= 0:
                break
            batch += receive(batch_size - len(batch), min(remaining, POLL_WAIT_SECONDS))
        # A message whose visibility ran out during the window is received again: keep its newest receipt.
        batch = list({message.id: message for message in batch}.values())
        current = lambda_backend.get_event_source_mapping(self.mapping_uuid)
        if current is None or not current.enabled:  # disabled or deleted while we waited: hand them back
            for message in batch:
                sqs_backend.change_message_visibility(queue.name, message.receipt_handle, visibility_timeout=0)
            return current is not None, False
        self.batches += 1
        try:
            self._invokers.submit(self._process_then_release, fn, current, sqs_backend, queue, batch)
        except RuntimeError:  # stopped meanwhile: the messages come back after their visibility timeout
            return False, False
        return True, True

    def _process_then_release(self, fn: Any, mapping: Any, sqs_backend: Any, queue: Any, batch: list[Any]) -> None:
        try:
            self._process(fn, mapping, sqs_backend, queue, batch)
        except Exception:
            logger.exception("batch of %d from %s could not be processed; the messages return", len(batch), queue.name)
        finally:
            self._slots.release()

    def _process(self, fn: Any, mapping: Any, sqs_backend: Any, queue: Any, batch: list[Any]) -> None:
        event = {"Records": [sqs_record(m, queue.queue_arn, self.region) for m in batch]}
        result = invoke_function(self._runtime, fn, json.dumps(event).encode())
        if result.failed:
            # Leave them: they come back after the visibility timeout (and go to a DLQ per the redrive policy).
            logger.info(
                "batch of %d from %s failed in %s; messages return after %s s",
                len(batch),
                queue.name,
                fn.function_name,
                queue.visibility_timeout,
            )
            return
        keep: set[str] | None = set()
        if "ReportBatchItemFailures" in (mapping.function_response_types or []):
            keep = failed_item_ids(result.payload, {m.id for m in batch})
            if keep is None:
                logger.info("invalid batchItemFailures from %s; the whole batch returns", fn.function_name)
                return
        for message in batch:
            if message.id not in keep:
                try:
                    sqs_backend.delete_message(queue.name, message.receipt_handle)
                except Exception:  # already gone (purged, or deleted by someone else)
                    logger.debug("message %s could not be deleted", message.id, exc_info=True)


class SqsPollers:
    """The running pollers, one per enabled-or-disabled mapping (a disabled one idles until enabled)."""

    def __init__(self, runtime: LambdaRuntime) -> None:
        self._runtime = runtime
        self._pollers: dict[str, SqsPoller] = {}
        self._lock = threading.Lock()
        self._closed = False

    def start(self, account_id: str, region: str, mapping_uuid: str) -> None:
        with self._lock:
            if self._closed or mapping_uuid in self._pollers:
                return
            poller = self._pollers[mapping_uuid] = SqsPoller(account_id, region, mapping_uuid, self._runtime)
        poller.start()

    def stop(self, mapping_uuid: str) -> None:
        with self._lock:
            poller = self._pollers.pop(mapping_uuid, None)
        if poller is not None:
            poller.stop()

    def stop_region(self, account_id: str, region: str) -> None:
        with self._lock:
            uuids = [u for u, p in self._pollers.items() if (p.account_id, p.region) == (account_id, region)]
        for mapping_uuid in uuids:
            self.stop(mapping_uuid)

    def shutdown(self) -> None:
        with self._lock:
            self._closed = True
            pollers, self._pollers = list(self._pollers.values()), {}
        for poller in pollers:
            poller.stop()

    def describe(self) -> list[dict[str, object]]:
        with self._lock:
            return [{"mapping": u, "batches": p.batches, "alive": p.is_alive()} for u, p in self._pollers.items()]
