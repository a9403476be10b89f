"""CloudFormation types for SQS: AWS::SQS::Queue (updated in place) and AWS::SQS::QueuePolicy."""

from __future__ import annotations

import copy
from typing import Any

from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.core.common_models import CloudFormationModel
from moto.sqs.models import SQSBackend, sqs_backends

from .cloudformation_common import (
    ResourceHandle,
    as_bool,
    as_json_text,
    ignoring_not_found,
    physical_name,
    tags_to_dict,
)

#: Attributes an update changes in place, with the value AWS uses when the template leaves one out.
QUEUE_DEFAULTS: dict[str, Any] = {
    "DelaySeconds": 0,
    "MaximumMessageSize": 262144,
    "MessageRetentionPeriod": 345600,
    "ReceiveMessageWaitTimeSeconds": 0,
    "VisibilityTimeout": 30,
    "RedrivePolicy": "",
    "RedriveAllowPolicy": None,
    "KmsMasterKeyId": None,
    "KmsDataKeyReusePeriodSeconds": 300,
    "SqsManagedSseEnabled": None,
    "ContentBasedDeduplication": False,
}


def sqs_backend(account_id: str, region: str) -> SQSBackend:
    return sqs_backends[account_id][region]


def queue_name_of(url_or_arn: str) -> str:
    return url_or_arn.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]


class SqsQueue(ResourceHandle, CloudFormationModel):
    """A queue whose updates keep the queue (and its messages) unless its name or FIFO-ness changes."""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::SQS::Queue"

    @staticmethod
    def cloudformation_name_type() -> str:
        return "QueueName"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in ("Arn", "QueueName", "QueueUrl")

    @property
    def queue_name(self) -> str:
        return queue_name_of(self.physical_id)

    def get_cfn_attribute(self, attribute_name: str) -> str:
        if attribute_name == "Arn":
            return f"arn:aws:sqs:{self.region}:{self.account_id}:{self.queue_name}"
        if attribute_name == "QueueName":
            return self.queue_name
        if attribute_name == "QueueUrl":
            return self.physical_id
        raise UnformattedGetAttTemplateException()

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str,
        **kwargs: Any,
    ) -> SqsQueue:
        properties = cloudformation_json.get("Properties", {})
        attributes = copy.deepcopy(properties)
        tags = tags_to_dict(attributes.pop("Tags", None))
        name = physical_name(resource_name, attributes, "QueueName", 80)
        if as_bool(attributes.get("FifoQueue", False)) and not name.endswith(".fifo"):
            name = f"{name[:75]}.fifo"
        attributes.pop("QueueName", None)
        queue = sqs_backend(account_id, region_name).create_queue(name=name, tags=tags, **attributes)
        return cls(queue.physical_resource_id, properties, account_id, region_name)

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[misc]
        cls, original_resource: SqsQueue, new_resource_name: str, cloudformation_json: dict[str, Any],
        account_id: str, region_name: str,
    ) -> SqsQueue:
        properties = cloudformation_json.get("Properties", {})
        old = original_resource.properties
        if any(properties.get(key) != old.get(key) for key in ("QueueName", "FifoQueue")):
            replacement = cls.create_from_cloudformation_json(
                new_resource_name, cloudformation_json, account_id, region_name
            )
            original_resource.delete(account_id, region_name)
            return replacement
        backend = sqs_backend(account_id, region_name)
        queue = backend.get_queue(original_resource.queue_name)
        attributes = {key: properties.get(key, default) for key, default in QUEUE_DEFAULTS.items()}
        attributes = {key: value for key, value in attributes.items() if key in properties or key in old}
        # moto resets the access policy on every attribute update unless it is passed along.
        attributes["Policy"] = queue.policy or ""
        backend.set_queue_attributes(original_resource.queue_name, attributes)
        queue.tags = tags_to_dict(properties.get("Tags"))
        original_resource.properties = properties
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(  # type: ignore[misc]
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str
    ) -> None:
        with ignoring_not_found():
            sqs_backend(account_id, region_name).delete_queue(queue_name_of(resource_name))

    def delete(self, account_id: str, region_name: str) -> None:
        type(self).delete_from_cloudformation_json(self.physical_id, {}, account_id, self.region)


class SqsQueuePolicy(ResourceHandle, CloudFormationModel):
    """A queue access policy; deleting it leaves each queue with no policy."""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::SQS::QueuePolicy"

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str,
        **kwargs: Any,
    ) -> SqsQueuePolicy:
        properties = cloudformation_json.get("Properties", {})
        handle = cls(resource_name, properties, account_id, region_name)
        handle._set_policy(properties.get("Queues", []), as_json_text(properties["PolicyDocument"]))
        return handle

    def _set_policy(self, queue_urls: list[str], policy: str) -> None:
        backend = sqs_backend(self.account_id, self.region)
        for url in queue_urls:
            with ignoring_not_found():
                backend.set_queue_attributes(queue_name_of(url), {"Policy": policy})

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[misc]
        cls, original_resource: SqsQueuePolicy, new_resource_name: str, cloudformation_json: dict[str, Any],
        account_id: str, region_name: str,
    ) -> SqsQueuePolicy:
        properties = cloudformation_json.get("Properties", {})
        queues = properties.get("Queues", [])
        original_resource._set_policy(
            [url for url in original_resource.properties.get("Queues", []) if url not in queues], ""
        )
        original_resource._set_policy(queues, as_json_text(properties["PolicyDocument"]))
        original_resource.properties = properties
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(  # type: ignore[misc]
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str
    ) -> None:
        """Nothing to find by name alone: the instance's delete clears the queues' policy."""

    def delete(self, account_id: str, region_name: str) -> None:
        self._set_policy(self.properties.get("Queues", []), "")
