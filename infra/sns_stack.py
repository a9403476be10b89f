"""The refactored design: the requester publishes to SNS, responders answer into SQS, an aggregator gathers."""

from __future__ import annotations

from aws_cdk import CfnOutput, Duration, RemovalPolicy, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.config import DEFAULT_AGGREGATION_DEADLINE_SECONDS, Vendor
from infra.functions import TIMEOUT, PythonLambda
from infra.sns_wiring import SnsParts, Wiring, wire_scatter_gather

STACK_NAME = "ScatterGatherWithSNSStack"
MAX_RECEIVE_COUNT = 3  # deliveries of a message before it moves to the dead-letter queue
RETENTION = Duration.days(4)  # how long unconsumed messages (and failure records) stay readable
DEADLINE_BATCH_SIZE = 10
MAX_SQS_MESSAGE_BYTES = 1024 * 1024
TTL_ATTRIBUTE = "expires_at"  # the aggregator sets it; DynamoDB deletes expired items


class SnsScatterGatherStack(Stack):
    """Requester -> (OnSuccess) SNS topic -> responders -> (OnSuccess) SQS queue -> aggregator -> DynamoDB.

    The topic also feeds a deadline queue whose delivery delay is the aggregation deadline, so the aggregator
    hears of every scattered request once more when its deadline passes. Failed invocations of the requester
    and the responders (after their retries) are recorded in the failed-invocations queue.

    `wiring` connects the parts (infra.sns_wiring.wire_scatter_gather, or a learner's version of it).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str = STACK_NAME,
        *,
        vendors: tuple[Vendor, ...],
        max_batching_window_seconds: int,
        aggregation_deadline_seconds: int = DEFAULT_AGGREGATION_DEADLINE_SECONDS,
        wiring: Wiring = wire_scatter_gather,
    ) -> None:
        super().__init__(scope, construct_id, description="Scatter-gather with SNS, SQS and Lambda destinations.")
        batching_window = Duration.seconds(max_batching_window_seconds)
        # AWS advises six times the consumer's timeout plus the batching window.
        visibility_timeout = Duration.seconds(6 * TIMEOUT.to_seconds() + max_batching_window_seconds)

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

        # Receives what the aggregator could not process after MAX_RECEIVE_COUNT deliveries, from both queues.
        self.dead_letter_queue = self._queue("AggregationDeadLetterQueue")
        self.queue = self._queue(
            "AggregationQueue",
            visibility_timeout=visibility_timeout,
            dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=MAX_RECEIVE_COUNT, queue=self.dead_letter_queue),
        )
        # Every published request lands here too, and becomes visible only when its deadline has passed.
        self.deadline_queue = self._queue(
            "DeadlineQueue",
            delivery_delay=Duration.seconds(aggregation_deadline_seconds),
            visibility_timeout=visibility_timeout,
            dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=MAX_RECEIVE_COUNT, queue=self.dead_letter_queue),
        )
        self.topic.add_subscription(subscriptions.SqsSubscription(self.deadline_queue, raw_message_delivery=True))
        # OnFailure records of the requester (an invalid request) and of the responders (a vendor that failed).
        # A record holds the whole request, and Lambda accepts asynchronous payloads up to 1 MB: the queue takes
        # SQS's largest messages, so even an oversized request is recorded with its payload.
        self.failed_invocations_queue = self._queue(
            "FailedInvocationsQueue", max_message_size_bytes=MAX_SQS_MESSAGE_BYTES
        )
        record_failure = destinations.SqsDestination(self.failed_invocations_queue)

        self.table = dynamodb.Table(
            self,
            "AggregatesTable",
            partition_key=dynamodb.Attribute(name="uuid", type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name="sk", type=dynamodb.AttributeType.STRING),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            time_to_live_attribute=TTL_ATTRIBUTE,
            removal_policy=RemovalPolicy.DESTROY,
        )

        self.requester = PythonLambda(
            self,
            "Requester",
            asset="requester",
            description="Validates a quote request and adds its uuid; OnSuccess publishes it to the topic",
        )
        self.responders: dict[str, PythonLambda] = {
            vendor.name: PythonLambda(
                self,
                f"Responder{vendor.name}",
                asset="responder",
                description=f"Prices a quote request for {vendor.name}; OnSuccess sends it to the queue",
                environment=vendor.environment(),
            )
            for vendor in vendors
        }
        self.aggregator = PythonLambda(
            self,
            "Aggregator",
            asset="aggregator",
            description="Correlates quotes by uuid and writes one aggregate per request (complete or timed out)",
            environment={
                "AGGREGATES_TABLE": self.table.table_name,
                "EXPECTED_VENDORS": ",".join(vendor.name for vendor in vendors),
                "DEADLINE_QUEUE_ARN": self.deadline_queue.queue_arn,
            },
        )
        self.table.grant(self.aggregator.role, "dynamodb:PutItem", "dynamodb:Query", "dynamodb:BatchGetItem")

        # The refactoring: what replaces the Parallel state. SnsDestination grants sns:Publish through
        # Topic.grant_publish, which also grants the requester's role kms:Decrypt and kms:GenerateDataKey* on
        # the topic key; no other role here is granted the key.
        wiring(
            SnsParts(
                topic=self.topic,
                aggregation_queue=self.queue,
                requester=self.requester.function,
                responders={name: responder.function for name, responder in self.responders.items()},
                aggregator=self.aggregator.function,
                record_failure=record_failure,
                batching_window=batching_window,
            )
        )
        # The deadline is not part of the Parallel state's job, so it stays here, after the wiring.
        self.aggregator.function.add_event_source(
            event_sources.SqsEventSource(
                self.deadline_queue, batch_size=DEADLINE_BATCH_SIZE, report_batch_item_failures=True
            )
        )

        CfnOutput(self, "RequesterFunctionName", value=self.requester.function.function_name)
        CfnOutput(self, "AggregatorFunctionName", value=self.aggregator.function.function_name)
        CfnOutput(self, "AggregatorLogGroupName", value=self.aggregator.log_group.log_group_name)
        CfnOutput(self, "ScatterTopicArn", value=self.topic.topic_arn)
        CfnOutput(self, "AggregationQueueUrl", value=self.queue.queue_url)
        CfnOutput(self, "AggregationDeadLetterQueueUrl", value=self.dead_letter_queue.queue_url)
        CfnOutput(self, "DeadlineQueueUrl", value=self.deadline_queue.queue_url)
        CfnOutput(self, "AggregationDeadlineSeconds", value=str(aggregation_deadline_seconds))
        CfnOutput(self, "FailedInvocationsQueueUrl", value=self.failed_invocations_queue.queue_url)
        CfnOutput(self, "AggregatesTableName", value=self.table.table_name)
        for name, responder in self.responders.items():
            CfnOutput(self, f"ResponderFunctionName{name}", value=responder.function.function_name)

    def _queue(self, construct_id: str, **settings: object) -> sqs.Queue:
        """An SQS-encrypted, SSL-only queue, deleted with the stack."""
        return sqs.Queue(
            self,
            construct_id,
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=RETENTION,
            removal_policy=RemovalPolicy.DESTROY,
            **settings,  # type: ignore[arg-type]
        )
