"""CloudFormation types for SNS: AWS::SNS::Topic (updated in place), AWS::SNS::Subscription, AWS::SNS::TopicPolicy."""

from __future__ import annotations

from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.core.utils import camelcase_to_underscores
from moto.sns.models import SNSBackend, sns_backends

from .common import (
    AttachedPolicy,
    ResourceHandle,
    as_bool,
    as_json_text,
    ignoring_not_found,
    physical_name,
    tags_to_dict,
)

TOPIC_ATTRIBUTES = ("DisplayName", "KmsMasterKeyId", "ContentBasedDeduplication", "SignatureVersion")
SUBSCRIPTION_ATTRIBUTES = (
    "DeliveryPolicy",
    "FilterPolicy",
    "RawMessageDelivery",
    "RedrivePolicy",
    "SubscriptionRoleArn",
)
#: A change to any of these replaces the subscription (as in AWS).
SUBSCRIPTION_IDENTITY = ("TopicArn", "Endpoint", "Protocol")


def sns_backend(account_id: str, region: str) -> SNSBackend:
    return sns_backends[account_id][region]


def region_of(arn: str, default: str) -> str:
    parts = arn.split(":")
    return parts[3] if len(parts) > 3 and parts[3] else default


class SnsTopic(ResourceHandle, CloudFormationModel):
    """An SNS topic whose updates keep the topic (and so its subscriptions) unless its name changes."""

    resource_type = "AWS::SNS::Topic"
    name_property = "TopicName"
    cfn_attributes = ("TopicArn", "TopicName")

    def cfn_attribute(self, name: str) -> str:
        return self.physical_id if name == "TopicArn" else self.physical_id.rsplit(":", 1)[-1]

    @classmethod
    def create_resource(cls, name: str, properties: dict[str, Any], account_id: str, region: str) -> SnsTopic:
        name = physical_name(name, properties, "TopicName", 256)
        if as_bool(properties.get("FifoTopic", False)) and not name.endswith(".fifo"):
            name = f"{name[:251]}.fifo"
        backend = sns_backend(account_id, region)
        attributes: dict[str, Any] = {"FifoTopic": as_bool(properties.get("FifoTopic", False))}
        attributes.update({key: properties[key] for key in TOPIC_ATTRIBUTES if key in properties})
        if "ContentBasedDeduplication" in attributes:
            attributes["ContentBasedDeduplication"] = as_bool(attributes["ContentBasedDeduplication"])
        topic = backend.create_topic(name, attributes, tags_to_dict(properties.get("Tags")))
        for subscription in properties.get("Subscription", []):
            backend.subscribe(topic.arn, subscription["Endpoint"], subscription["Protocol"])
        return cls(topic.arn, properties, account_id, region)

    def needs_replacement(self, properties: dict[str, Any]) -> bool:
        old = self.properties
        renamed = properties.get("TopicName") != old.get("TopicName")
        return renamed or as_bool(properties.get("FifoTopic", False)) != as_bool(old.get("FifoTopic", False))

    def update_in_place(self, properties: dict[str, Any], account_id: str, region: str) -> None:
        backend = sns_backend(account_id, region)
        topic = backend.get_topic(self.physical_id)
        defaults = {
            "DisplayName": "",
            "KmsMasterKeyId": "",
            "ContentBasedDeduplication": False,
            "SignatureVersion": "1",
        }
        for key in TOPIC_ATTRIBUTES:
            value = properties.get(key, defaults[key])
            if key == "ContentBasedDeduplication":
                value = as_bool(value)
            setattr(topic, camelcase_to_underscores(key), value)
        topic._tags = tags_to_dict(properties.get("Tags"))
        wanted = {(s["Endpoint"], s["Protocol"]) for s in properties.get("Subscription", [])}
        had = {(s["Endpoint"], s["Protocol"]) for s in self.properties.get("Subscription", [])}
        for endpoint, protocol in wanted - had:
            backend.subscribe(topic.arn, endpoint, protocol)
        for endpoint, protocol in had - wanted:
            found = backend._find_subscription(topic.arn, endpoint, protocol)
            if found:
                backend.unsubscribe(found.arn)

    @classmethod
    def delete_by_physical_id(cls, physical_id: str, account_id: str, region: str) -> None:
        sns_backend(account_id, region_of(physical_id, region)).delete_topic(physical_id)


class SnsSubscription(ResourceHandle, CloudFormationModel):
    """A subscription (any protocol moto knows, lambda and sqs in the workshop) with its attributes."""

    resource_type = "AWS::SNS::Subscription"
    replaced_when_changed = SUBSCRIPTION_IDENTITY

    @classmethod
    def create_resource(cls, name: str, properties: dict[str, Any], account_id: str, region: str) -> SnsSubscription:
        topic_arn = properties["TopicArn"]
        region = region_of(topic_arn, region)
        backend = sns_backend(account_id, region)
        subscription = backend.subscribe(topic_arn, properties["Endpoint"], properties["Protocol"])
        handle = cls(subscription.arn, properties, account_id, region)
        handle._apply_attributes(backend, previous={})
        return handle

    def update_in_place(self, properties: dict[str, Any], account_id: str, region: str) -> None:
        previous, self.properties = self.properties, properties
        self._apply_attributes(sns_backend(account_id, self.region), previous=previous)

    def _apply_attributes(self, backend: SNSBackend, previous: dict[str, Any]) -> None:
        wanted = self.properties
        # The scope first: moto validates a FilterPolicy against the scope already set.
        if "FilterPolicyScope" in wanted or "FilterPolicyScope" in previous:
            scope = wanted.get("FilterPolicyScope", "MessageAttributes")
            backend.set_subscription_attributes(self.physical_id, "FilterPolicyScope", scope)
        for key in SUBSCRIPTION_ATTRIBUTES:
            if key in wanted:
                value = wanted[key]
                if key == "RawMessageDelivery":
                    value = as_bool(value)
                elif key != "SubscriptionRoleArn":
                    value = as_json_text(value)
                backend.set_subscription_attributes(self.physical_id, key, value)
            elif key in previous:
                self._clear_attribute(backend, key)
        if "FilterPolicyScope" not in wanted:
            backend.subscriptions[self.physical_id].attributes.pop("FilterPolicyScope", None)

    def _clear_attribute(self, backend: SNSBackend, key: str) -> None:
        if key == "RawMessageDelivery":
            backend.set_subscription_attributes(self.physical_id, key, False)
            return
        if key == "FilterPolicy":
            backend.set_subscription_attributes(self.physical_id, key, "")  # drops the matcher too
        backend.subscriptions[self.physical_id].attributes.pop(key, None)

    @classmethod
    def delete_by_physical_id(cls, physical_id: str, account_id: str, region: str) -> None:
        sns_backend(account_id, region_of(physical_id, region)).unsubscribe(physical_id)


class SnsTopicPolicy(AttachedPolicy, CloudFormationModel):
    """A topic access policy; deleting it restores each topic's default policy."""

    resource_type = "AWS::SNS::TopicPolicy"
    targets_property = "Topics"

    def set_policy(self, targets: list[str], policy: str | None) -> None:
        for arn in targets:
            backend = sns_backend(self.account_id, region_of(arn, self.region))
            with ignoring_not_found():
                topic = backend.get_topic(arn)
                if policy is None:
                    topic._policy_json = topic._create_default_topic_policy(
                        topic.sns_backend.region_name, topic.account_id, topic.name
                    )
                else:
                    topic.policy = policy

    def reset_policy(self, targets: list[str]) -> None:
        self.set_policy(targets, None)
