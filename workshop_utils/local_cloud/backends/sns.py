"""SNS to Lambda as AWS does it: an asynchronous invocation carrying a real SNS event (SQS/HTTP stay moto's)."""

from __future__ import annotations

import base64
import importlib
import json
import logging
import secrets
from types import ModuleType
from typing import Any

from moto.sns.models import SNSBackend, Subscription

from ..lambda_runtime.invocation import iso_timestamp
from ..lambda_service import services

logger = logging.getLogger(__name__)


def sns_lambda_event(
    *,
    subscription_arn: str,
    topic_arn: str,
    message_id: str,
    message: str,
    subject: str | None,
    message_attributes: dict[str, Any] | None,
) -> dict[str, Any]:
    """The event a Lambda subscriber receives (Records[0].Sns), as documented for SNS notifications."""
    region = topic_arn.split(":")[3]
    attributes = {
        name: {"Type": value.get("Type") or value.get("DataType"), "Value": value.get("Value")}
        for name, value in (message_attributes or {}).items()
    }
    return {
        "Records": [
            {
                "EventSource": "aws:sns",
                "EventVersion": "1.0",
                "EventSubscriptionArn": subscription_arn,
                "Sns": {
                    "Type": "Notification",
                    "MessageId": message_id,
                    "TopicArn": topic_arn,
                    "Subject": subject,
                    "Message": message,
                    "Timestamp": iso_timestamp(),
                    "SignatureVersion": "1",
                    "Signature": base64.b64encode(secrets.token_bytes(64)).decode(),
                    "SigningCertUrl": f"https://sns.{region}.amazonaws.com/SimpleNotificationService-local.pem",
                    "UnsubscribeUrl": (
                        f"https://sns.{region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={subscription_arn}"
                    ),
                    "MessageAttributes": attributes,
                },
            }
        ]
    }


class LambdaSubscription(Subscription):
    """A lambda-protocol subscription: filter as moto does, then queue an asynchronous invocation."""

    def publish(
        self,
        message: str,
        message_id: str,
        subject: str | None = None,
        message_attributes: dict[str, Any] | None = None,
        group_id: str | None = None,
        deduplication_id: str | None = None,
        message_structure: str | None = None,
    ) -> None:
        if self.protocol != "lambda":
            super().publish(message, message_id, subject, message_attributes, group_id, deduplication_id,
                            message_structure)
            return
        if self._filter_policy_matcher is not None and not self._filter_policy_matcher.matches(
            message_attributes, message
        ):
            return
        if message_structure == "json":
            message = self._parse_message_structure(message, self.protocol)
        event = sns_lambda_event(
            subscription_arn=self.arn,
            topic_arn=self.topic.arn,
            message_id=message_id,
            message=message,
            subject=subject,
            message_attributes=message_attributes,
        )
        request_id = services.current().async_invoker.submit_to_arn(self.endpoint, json.dumps(event).encode())
        logger.info("SNS %s -> %s queued as %s", self.topic.arn, self.endpoint, request_id)


class LocalSNSBackend(SNSBackend):
    """moto's SNS backend whose lambda subscriptions deliver asynchronously through the local Lambda runtime."""

    @property
    def _url_module(self) -> ModuleType:  # type: ignore[override]
        # BaseBackend derives the urls module from the class's module; ours lives outside moto.
        return importlib.import_module("moto.sns.urls")

    def subscribe(self, topic_arn: str, endpoint: str, protocol: str) -> Subscription:
        subscription = super().subscribe(topic_arn, endpoint, protocol)
        if protocol == "lambda" and type(subscription) is Subscription:
            # moto builds Subscription inline; upgrade it in place (same state, our publish()).
            subscription.__class__ = LambdaSubscription
        return subscription
