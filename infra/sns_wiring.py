"""The refactoring itself: the wiring that replaces the Parallel state (destinations, subscriptions, event source)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from aws_cdk import Duration
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs

RESPONDER_RETRY_ATTEMPTS = 2  # Lambda's asynchronous retries of a failed vendor before its OnFailure record
# A requester fails only on an invalid request, which a retry cannot fix: record the failure at once.
REQUESTER_RETRY_ATTEMPTS = 0


@dataclass(frozen=True)
class SnsParts:
    """What the SNS stack has built before it is wired: the channels and the functions, not yet connected."""

    topic: sns.ITopic  # the scatter topic: whoever is subscribed hears of every request
    aggregation_queue: sqs.IQueue  # where the quotes are gathered
    requester: lambda_.Function
    responders: Mapping[str, lambda_.Function]  # one per vendor, by vendor name
    aggregator: lambda_.Function
    record_failure: lambda_.IDestination  # the failed-invocations queue, as an OnFailure destination
    batching_window: Duration  # how long the aggregator's event source waits to fill a batch


Wiring = Callable[[SnsParts], None]


def wire_scatter_gather(parts: SnsParts) -> None:
    """Connect the parts: requester -> topic -> every responder -> queue -> aggregator."""
    # region: scatter
    # Scatter: the requester's result is published to the topic by Lambda, not by the requester's code.
    parts.requester.configure_async_invoke(
        on_success=destinations.SnsDestination(parts.topic),
        on_failure=parts.record_failure,
        retry_attempts=REQUESTER_RETRY_ATTEMPTS,
    )
    # endregion
    # region: responders
    for responder in parts.responders.values():
        # Each quote goes to the aggregation queue; a vendor that still fails after its retries is recorded.
        responder.configure_async_invoke(
            on_success=destinations.SqsDestination(parts.aggregation_queue),
            on_failure=parts.record_failure,
            retry_attempts=RESPONDER_RETRY_ATTEMPTS,
        )
        # A vendor joins the scatter by subscribing: SNS invokes it asynchronously for every request.
        parts.topic.add_subscription(subscriptions.LambdaSubscription(responder))
    # endregion
    # region: gather
    # Gather: one batch per request when every vendor answers within the batching window.
    parts.aggregator.add_event_source(
        event_sources.SqsEventSource(
            parts.aggregation_queue,
            batch_size=len(parts.responders),
            max_batching_window=parts.batching_window,
            report_batch_item_failures=True,
        )
    )
    # endregion
