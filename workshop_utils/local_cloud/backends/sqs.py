"""SQS in the local cloud: moto's backend with receive paths that stay fast as queues fill up."""
from __future__ import annotations

from moto.core.utils import unix_time, unix_time_millis
from moto.sqs import models as sqs_models
from moto.sqs.models import Message, Queue, SQSBackend

from ..moto_urls import MotoUrlsMixin


class LocalSQSBackend(MotoUrlsMixin, SQSBackend):
    """moto's SQS, with the retention check reading one attribute instead of computing them all."""

    def is_message_valid_based_on_retention_period(self, queue_name: str, message: Message) -> bool:
        # moto asks get_queue_attributes for MessageRetentionPeriod, which computes every attribute,
        # approximate counts included (a scan of the whole queue), once per received message. With the
        # Aggregator's deadline queue holding a delayed message per request in flight, that scan made
        # each receive O(n^2) and the SQS pollers the local cloud's hottest code.
        retention_period = int(self.get_queue(queue_name).message_retention_period)
        return retention_period + message.sent_timestamp / 1000 > unix_time()


class LocalQueue(Queue):
    """moto's queue, scanning its messages with one clock reading instead of one or two per message.

    moto asks each message whether it is visible or delayed, and each answer reads the clock through
    datetime; it scans the queue on every receive and, through the queue's attributes, on every send. With a
    few hundred messages waiting (a backlog, or the deadline queue's delayed messages) those scans took most
    of the server's CPU, so a busy queue slowed its own draining.
    """

    @property
    def messages(self) -> list[Message]:
        now = unix_time_millis()
        return [m for m in self._messages if now > m.visible_at and not now < m.delayed_until]

    @property
    def approximate_number_of_messages_delayed(self) -> int:
        now = unix_time_millis()
        return sum(1 for m in self._messages if now < m.delayed_until)

    @property
    def approximate_number_of_messages_not_visible(self) -> int:
        now = unix_time_millis()
        return sum(1 for m in self._messages if not now > m.visible_at)


def install() -> None:
    """Make moto's SQS backend create LocalQueue queues (idempotent); LocalSQSBackend is selected by install."""
    sqs_models.Queue = LocalQueue  # type: ignore[misc]
