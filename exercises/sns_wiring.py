"""Exercise of notebook 02a: wire the SNS stack yourself (the parts are built; connect them)."""

from __future__ import annotations

from aws_cdk import aws_lambda_destinations as destinations  # noqa: F401  (you will need these)
from aws_cdk import aws_lambda_event_sources as event_sources  # noqa: F401
from aws_cdk import aws_sns_subscriptions as subscriptions  # noqa: F401

from infra.sns_wiring import REQUESTER_RETRY_ATTEMPTS, RESPONDER_RETRY_ATTEMPTS, SnsParts


def wire_scatter_gather(parts: SnsParts) -> None:
    """Connect the parts: requester -> topic -> every responder -> queue -> aggregator."""
    # Given: a failed invocation is recorded in the failed-invocations queue (parts.record_failure).
    parts.requester.configure_async_invoke(
        on_success=None,  # ✏️ 1. publish the requester's result to the topic (destinations.SnsDestination)
        on_failure=parts.record_failure,
        retry_attempts=REQUESTER_RETRY_ATTEMPTS,
    )
    for responder in parts.responders.values():
        responder.configure_async_invoke(
            on_success=None,  # ✏️ 2. send each quote to parts.aggregation_queue (destinations.SqsDestination)
            on_failure=parts.record_failure,
            retry_attempts=RESPONDER_RETRY_ATTEMPTS,
        )
        # ✏️ 3. subscribe the responder to parts.topic (subscriptions.LambdaSubscription)
    # ✏️ 4. let parts.aggregator consume parts.aggregation_queue (event_sources.SqsEventSource): one message
    #       per vendor in a batch (len(parts.responders)), parts.batching_window, report_batch_item_failures=True
