"""CloudFormation types for SNS: AWS::SNS::Topic (updated in place), AWS::SNS::Subscription, AWS::SNS::TopicPolicy."""

from __future__ import annotations

from typing import Any

from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.core.common_models import CloudFormationModel
from moto.core.utils import camelcase_to_underscores
from moto.sns.models import SNSBackend, sns_backends

from .cloudformation_common import (
    ResourceHandle,
    as_bool,
    as_json_text,
    ignoring_not_found,
    physical_name,
    tags_to_dict,
)

TOPIC_ATTRIBUTES = ("DisplayName", "KmsMasterKeyId", "ContentBasedDeduplication", "SignatureVersion")
SUBSCRIPTION_ATTRIBUTES = ("DeliveryPolicy", "FilterPolicy", "RawMessageDelivery", "RedrivePolicy",
                           "SubscriptionRoleArn")
#: A change to any of these replaces the subscription (as in AWS).
SUBSCRIPTION_IDENTITY = ("TopicArn", "Endpoint", "Protocol")


def sns_backend(account_id: str, region: str) -> SNSBackend:
    return sns_backends[account_id][region]


def region_of(arn: str, default: str) -> str:
    parts = arn.split(":")
    return parts[3] if len(parts) > 3 and parts[3] else default


class SnsTopic(ResourceHandle, CloudFormationModel):
    """An SNS topic whose updates keep the topic (and so its subscriptions) unless its name changes."""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::SNS::Topic"

    @staticmethod
    def cloudformation_name_type() -> str:
        return "TopicName"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in ("TopicArn", "TopicName")

    def get_cfn_attribute(self, attribute_name: str) -> str:
        if attribute_name == "TopicArn":
            return self.physical_id
        if attribute_name == "TopicName":
            return self.physical_id.rsplit(":", 1)[-1]
        raise UnformattedGetAttTemplateException()

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str,
        **kwargs: Any,
    ) -> SnsTopic:
        properties = cloudformation_json.get("Properties", {})
        name = physical_name(resource_name, properties, "TopicName", 256)
        if as_bool(properties.get("FifoTopic", False)) and not name.endswith(".fifo"):
            name = f"{name[:251]}.fifo"
        backend = sns_backend(account_id, region_name)
        attributes: dict[str, Any] = {"FifoTopic": as_bool(properties.get("FifoTopic", False))}
        attributes.update({key: properties[key] for key in TOPIC_ATTRIBUTES if key in properties})
        if "ContentBasedDeduplication" in attributes:
            attributes["ContentBasedDeduplication"] = as_bool(attributes["ContentBasedDeduplication"])
        topic = backend.create_topic(name, attributes, tags_to_dict(properties.get("Tags")))
        for subscription in properties.get("Subscription", []):
            backend.subscribe(topic.arn, subscription["Endpoint"], subscription["Protocol"])
        return cls(topic.arn, properties, account_id, region_name)

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[misc]
        cls, original_resource: SnsTopic, new_resource_name: str, cloudformation_json: dict[str, Any],
        account_id: str, region_name: str,
    ) -> SnsTopic:
        properties = cloudformation_json.get("Properties", {})
        old = original_resource.properties
        renamed = properties.get("TopicName") != old.get("TopicName")
        refifoed = as_bool(properties.get("FifoTopic", False)) != as_bool(old.get("FifoTopic", False))
        if renamed or refifoed:
            replacement = cls.create_from_cloudformation_json(
                new_resource_name, cloudformation_json, account_id, region_name
            )
            original_resource.delete(account_id, region_name)
            return replacement
        backend = sns_backend(account_id, region_name)
        topic = backend.get_topic(original_resource.physical_id)
        defaults = {"DisplayName": "", "KmsMasterKeyId": "", "ContentBasedDeduplication": False,
                    "SignatureVersion": "1"}
        for key in TOPIC_ATTRIBUTES:
            value = properties.get(key, defaults[key])
            if key == "ContentBasedDeduplication":
                value = as_bool(value)
            setattr(topic, camelcase_to_underscores(key), value)
        topic._tags = tags_to_dict(properties.get("Tags"))
        wanted = {(s["Endpoint"], s["Protocol"]) for s in properties.get("Subscription", [])}
        had = {(s["Endpoint"], s["Protocol"]) for s in old.get("Subscription", [])}
        for endpoint, protocol in wanted - had:
            backend.subscribe(topic.arn, endpoint, protocol)
        for endpoint, protocol in had - wanted:
            found = backend._find_subscription(topic.arn, endpoint, protocol)
            if found:
                backend.unsubscribe(found.arn)
        original_resource.properties = properties
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(  # type: ignore[misc]
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str
    ) -> None:
        sns_backend(account_id, region_of(resource_name, region_name)).delete_topic(resource_name)

    def delete(self, account_id: str, region_name: str) -> None:
        type(self).delete_from_cloudformation_json(self.physical_id, {}, account_id, region_name)


class SnsSubscription(ResourceHandle, CloudFormationModel):
    """A subscription (any protocol moto knows, lambda and sqs in the workshop) with its attributes."""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::SNS::Subscription"

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str,
        **kwargs: Any,
    ) -> SnsSubscription:
        properties = cloudformation_json.get("Properties", {})
        topic_arn = properties["TopicArn"]
        region = region_of(topic_arn, region_name)
        backend = sns_backend(account_id, region)
        subscription = backend.subscribe(topic_arn, properties["Endpoint"], properties["Protocol"])
        handle = cls(subscription.arn, properties, account_id, region)
        handle._apply_attributes(backend, previous={})
        return handle

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
    def update_from_cloudformation_json(  # type: ignore[misc]
        cls, original_resource: SnsSubscription, new_resource_name: str, cloudformation_json: dict[str, Any],
        account_id: str, region_name: str,
    ) -> SnsSubscription:
        properties = cloudformation_json.get("Properties", {})
        previous = original_resource.properties
        if any(properties.get(key) != previous.get(key) for key in SUBSCRIPTION_IDENTITY):
            replacement = cls.create_from_cloudformation_json(
                new_resource_name, cloudformation_json, account_id, region_name
            )
            original_resource.delete(account_id, region_name)
            return replacement
        original_resource.properties = properties
        backend = sns_backend(account_id, original_resource.region)
        original_resource._apply_attributes(backend, previous=previous)
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(  # type: ignore[misc]
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str
    ) -> None:
        sns_backend(account_id, region_of(resource_name, region_name)).unsubscribe(resource_name)

    def delete(self, account_id: str, region_name: str) -> None:
        type(self).delete_from_cloudformation_json(self.physical_id, {}, account_id, region_name)


class SnsTopicPolicy(ResourceHandle, CloudFormationModel):
    """A topic access policy; deleting it restores each topic's default policy."""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::SNS::TopicPolicy"

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str,
        **kwargs: Any,
    ) -> SnsTopicPolicy:
        properties = cloudformation_json.get("Properties", {})
        handle = cls(resource_name, properties, account_id, region_name)
        handle._set_policy(properties.get("Topics", []), as_json_text(properties["PolicyDocument"]))
        return handle

    def _set_policy(self, topic_arns: list[str], policy: str | None) -> None:
        for arn in topic_arns:
            backend = sns_backend(self.account_id, region_of(arn, self.region))
            with ignoring_not_found():
                topic = backend.get_topic(arn)
                if policy is None:
                    topic._policy_json = topic._create_default_topic_policy(
                        topic.sns_backend.region_name, topic.account_id, topic.name
                    )
                else:
                    topic.policy = policy

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[misc]
        cls, original_resource: SnsTopicPolicy, new_resource_name: str, cloudformation_json: dict[str, Any],
        account_id: str, region_name: str,
    ) -> SnsTopicPolicy:
        properties = cloudformation_json.get("Properties", {})
        topics = properties.get("Topics", [])
        dropped = [arn for arn in original_resource.properties.get("Topics", []) if arn not in topics]
        original_resource._set_policy(dropped, None)
        original_resource._set_policy(topics, as_json_text(properties["PolicyDocument"]))
        original_resource.properties = properties
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(  # type: ignore[misc]
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str
    ) -> None:
        """Nothing to find by name alone: the instance's delete restores the topics' default policy."""

    def delete(self, account_id: str, region_name: str) -> None:
        self._set_policy(self.properties.get("Topics", []), None)

