"""CloudFormation types for SQS: AWS::SQS::Queue (updated in place) and AWS::SQS::QueuePolicy."""

from __future__ import annotations

import copy
from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.sqs.models import SQSBackend, sqs_backends

from .common import AttachedPolicy, ResourceHandle, as_bool, ignoring_not_found, physical_name, tags_to_dict

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

    resource_type = "AWS::SQS::Queue"
    name_property = "QueueName"
    cfn_attributes = ("Arn", "QueueName", "QueueUrl")
    replaced_when_changed = ("QueueName", "FifoQueue")

    @property
    def queue_name(self) -> str:
        return queue_name_of(self.physical_id)

    def cfn_attribute(self, name: str) -> str:
        if name == "Arn":
            return f"arn:aws:sqs:{self.region}:{self.account_id}:{self.queue_name}"
        return self.queue_name if name == "QueueName" else self.physical_id

    @classmethod
    def create_resource(cls, name: str, properties: dict[str, Any], account_id: str, region: str) -> SqsQueue:
        attributes = copy.deepcopy(properties)
        tags = tags_to_dict(attributes.pop("Tags", None))
        name = physical_name(name, attributes, "QueueName", 80)
        if as_bool(attributes.get("FifoQueue", False)) and not name.endswith(".fifo"):
            name = f"{name[:75]}.fifo"
        attributes.pop("QueueName", None)
        queue = sqs_backend(account_id, region).create_queue(name=name, tags=tags, **attributes)
        return cls(queue.physical_resource_id, properties, account_id, region)

    def update_in_place(self, properties: dict[str, Any], account_id: str, region: str) -> None:
        backend = sqs_backend(account_id, region)
        queue = backend.get_queue(self.queue_name)
        attributes = {key: properties.get(key, default) for key, default in QUEUE_DEFAULTS.items()}
        attributes = {key: value for key, value in attributes.items() if key in properties or key in self.properties}
        # moto resets the access policy on every attribute update unless it is passed along.
        attributes["Policy"] = queue.policy or ""
        backend.set_queue_attributes(self.queue_name, attributes)
        queue.tags = tags_to_dict(properties.get("Tags"))

    @classmethod
    def delete_by_physical_id(cls, physical_id: str, account_id: str, region: str) -> None:
        sqs_backend(account_id, region).delete_queue(queue_name_of(physical_id))


class SqsQueuePolicy(AttachedPolicy, CloudFormationModel):
    """A queue access policy; deleting it leaves each queue with no policy."""

    resource_type = "AWS::SQS::QueuePolicy"
    targets_property = "Queues"

    def set_policy(self, targets: list[str], policy: str) -> None:
        backend = sqs_backend(self.account_id, self.region)
        for url in targets:
            with ignoring_not_found():
                backend.set_queue_attributes(queue_name_of(url), {"Policy": policy})

    def reset_policy(self, targets: list[str]) -> None:
        self.set_policy(targets, "")
