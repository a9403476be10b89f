"""The refactored design: the requester publishes to SNS, responders answer into SQS, an aggregator gathers."""

from __future__ import annotations

from aws_cdk import CfnOutput, Duration, RemovalPolicy, Stack
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.config import Vendor
from infra.functions import TIMEOUT, PythonLambda

STACK_NAME = "ScatterGatherWithSNSStack"
MAX_RECEIVE_COUNT = 3  # deliveries of a batch before its messages move to the dead-letter queue


class SnsScatterGatherStack(Stack):
    """Requester -> (OnSuccess) SNS topic -> responders -> (OnSuccess) SQS queue -> aggregator."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str = STACK_NAME,
        *,
        vendors: tuple[Vendor, ...],
        max_batching_window_seconds: int,
    ) -> None:
        super().__init__(scope, construct_id, description="Scatter-gather with SNS, SQS and Lambda destinations.")
        batching_window = Duration.seconds(max_batching_window_seconds)

        # A customer-managed key, not alias/aws/sns: a Lambda destination publishes with the function's
        # role, and the AWS-managed key's policy (which cannot be edited) does not let that role use it.
        self.topic_key = kms.Key(
            self,
            "ScatterTopicKey",
            description="Encrypts the scatter topic of the SNS scatter-gather workshop stack",
            enable_key_rotation=True,
            pending_window=Duration.days(7),
            removal_policy=RemovalPolicy.DESTROY,
        )
        self.topic = sns.Topic(self, "ScatterTopic", master_key=self.topic_key, enforce_ssl=True)

        self.dead_letter_queue = sqs.Queue(
            self,
            "AggregationDeadLetterQueue",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=Duration.days(4),
            removal_policy=RemovalPolicy.DESTROY,
        )
        self.queue = sqs.Queue(
            self,
            "AggregationQueue",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            # AWS advises six times the consumer's timeout plus the batching window.
            visibility_timeout=Duration.seconds(6 * TIMEOUT.to_seconds() + max_batching_window_seconds),
            dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=MAX_RECEIVE_COUNT, queue=self.dead_letter_queue),
            removal_policy=RemovalPolicy.DESTROY,
        )

        self.requester = PythonLambda(
            self,
            "Requester",
            asset="requester",
            description="Validates a quote request and adds its uuid; OnSuccess publishes it to the topic",
            on_success=destinations.SnsDestination(self.topic),
        )
        # SnsDestination grants sns:Publish through Topic.grant_publish, which also grants the requester's
        # role kms:Decrypt and kms:GenerateDataKey* on the topic key; no other role here is granted the key.

        self.responders: dict[str, PythonLambda] = {}
        for vendor in vendors:
            responder = PythonLambda(
                self,
                f"Responder{vendor.name}",
                asset="responder",
                description=f"Prices a quote request for {vendor.name}; OnSuccess sends it to the queue",
                environment=vendor.environment(),
                on_success=destinations.SqsDestination(self.queue),
            )
            self.topic.add_subscription(subscriptions.LambdaSubscription(responder.function))
            self.responders[vendor.name] = responder

        self.aggregator = PythonLambda(
            self, "Aggregator", asset="aggregator", description="Logs the quotes gathered from the queue"
        )
        # One batch per quote request when every vendor answers within the batching window.
        self.aggregator.function.add_event_source(
            event_sources.SqsEventSource(self.queue, batch_size=len(vendors), max_batching_window=batching_window)
        )

        CfnOutput(self, "RequesterFunctionName", value=self.requester.function.function_name)
        CfnOutput(self, "AggregatorFunctionName", value=self.aggregator.function.function_name)
        CfnOutput(self, "AggregatorLogGroupName", value=self.aggregator.log_group.log_group_name)
        CfnOutput(self, "ScatterTopicArn", value=self.topic.topic_arn)
        CfnOutput(self, "AggregationQueueUrl", value=self.queue.queue_url)
        CfnOutput(self, "AggregationDeadLetterQueueUrl", value=self.dead_letter_queue.queue_url)
        for name, responder in self.responders.items():
            CfnOutput(self, f"ResponderFunctionName{name}", value=responder.function.function_name)
