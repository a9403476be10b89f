"""SQS in the local cloud: moto's backend with a receive path that stays fast as queues fill up."""
from __future__ import annotations

from moto.core.utils import unix_time
from moto.sqs.models import Message, SQSBackend

from .moto_urls import MotoUrlsMixin


class LocalSQSBackend(MotoUrlsMixin, SQSBackend):
    """moto's SQS, with the retention check reading one attribute instead of computing them all."""

    def is_message_valid_based_on_retention_period(self, queue_name: str, message: Message) -> bool:
        # moto asks get_queue_attributes for MessageRetentionPeriod, which computes every attribute,
        # approximate counts included (a scan of the whole queue), once per received message. With the
        # Aggregator's deadline queue holding a delayed message per request in flight, that scan made
        # each receive O(n^2) and the SQS pollers the local cloud's hottest code.
        retention_period = int(self.get_queue(queue_name).message_retention_period)
        return retention_period + message.sent_timestamp / 1000 > unix_time()
