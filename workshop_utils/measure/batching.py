"""The deployed aggregator's batching (size and window) and what its window costs one request, in words."""

from __future__ import annotations

from dataclasses import dataclass

from workshop_utils.cloud import stacks, target


@dataclass
class Batching:
    """How the aggregator's event source on the aggregation queue batches: up to `size` messages, waiting at
    most `window_s` seconds from a batch's first message for the rest."""

    size: int
    window_s: float

    def cost_sentence(self) -> str:
        """What the batching window costs one request, in the learner's words."""
        if not self.window_s:
            return (f"The aggregator's event source hands it up to {self.size} quotes at once, without waiting: "
                    "a batching window of 0 s costs a request nothing.")
        return (
            f"The aggregator's event source hands it a batch as soon as it holds {self.size} quotes (one per "
            f"vendor), or {self.window_s:g} s after the batch's first quote, whichever comes first. A request "
            f"whose quotes arrive together fills its batch and pays nothing for the window; one whose quotes "
            f"straggle (a slow vendor, or a batch shared with another request's quotes under load) waits up to "
            f"{self.window_s:g} s more. That is the price of one invocation per request instead of one per quote."
        )


def aggregator_batching() -> Batching:
    """The deployed aggregator's batching on the aggregation queue, read from its event source mapping."""
    outputs = stacks.stack_outputs(stacks.SNS_STACK)
    queue_name = outputs["AggregationQueueUrl"].rstrip("/").rsplit("/", 1)[-1]
    mappings = target.client("lambda").list_event_source_mappings(FunctionName=outputs["AggregatorFunctionName"])
    for mapping in mappings["EventSourceMappings"]:
        if mapping["EventSourceArn"].rsplit(":", 1)[-1] == queue_name:
            return Batching(int(mapping["BatchSize"]), float(mapping.get("MaximumBatchingWindowInSeconds") or 0))
    raise LookupError(
        f"The aggregator has no event source on {queue_name}: redeploy {stacks.SNS_STACK} (notebook 02), "
        "then run this cell again."
    )
