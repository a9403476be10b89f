"""The refactoring as data: each job the Parallel state did, what does it after the refactoring, what is lost."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CodeRef:
    """A piece of the project's source to show: file, what in it, which lines to mark (by text)."""

    path: str
    target: str  # a qualified name, or "region:<name>"
    emphasise: tuple[str, ...]
    title: str


# The lines that do the scatter and the gather, before and after: the view marks these.
BEFORE = CodeRef(
    "infra/parallel_stack.py",
    "region:definition",
    ("sfn.Parallel(", "scatter.branch("),
    "Orchestration: the state machine's definition",
)
AFTER = CodeRef(
    "infra/sns_wiring.py",
    "wire_scatter_gather",
    ("SnsDestination(", "SqsDestination(", "add_subscription(", "add_event_source("),
    "Choreography: the wiring that replaces it",
)


@dataclass(frozen=True)
class Job:
    """One job of the Parallel state, and who does it in the SNS design."""

    job: str
    parallel: str  # how the Parallel state does it (orchestration)
    sns: str  # what does it after the refactoring (choreography)
    lost: str  # what the refactoring gives up


JOBS: tuple[Job, ...] = (
    Job(
        "Fan-out: ask every vendor",
        "One branch per vendor, written into the state machine definition.",
        "The requester's OnSuccess destination publishes to the SNS topic; every responder subscribed to it "
        "is invoked asynchronously.",
        "The requester no longer knows who answers: a vendor joins by subscribing, without touching the "
        "requester (the aggregator's EXPECTED_VENDORS still lists it).",
    ),
    Job(
        "Wait for all answers",
        "The Parallel state moves on only when every branch has ended.",
        "Each responder's OnSuccess destination sends its quote to the aggregation queue; the aggregator "
        "correlates quotes by uuid in DynamoDB and writes the aggregate when every expected vendor answered.",
        "No built-in wait: the caller gets 202 Accepted at once and must look for the aggregate.",
    ),
    Job(
        "A vendor that never answers",
        "The execution waits, up to the state machine's timeout (5 minutes here).",
        "The deadline queue, subscribed to the topic with a delivery delay, brings every request back to the "
        "aggregator when its deadline passes: a timed_out aggregate names the missing vendors.",
        "Nothing is lost here, but the deadline is one more queue and one more setting to choose.",
    ),
    Job(
        "Per-branch errors",
        "Retry and Catch on each branch's task: a caught failure is listed in the output's errors.",
        "Lambda retries a failed asynchronous invocation twice, then sends an OnFailure record to the "
        "failed-invocations queue.",
        "The error and the partial result are in two places: the failed-invocations queue and the aggregate.",
    ),
    Job(
        "Result order",
        "The output array follows the branches' order.",
        "Quotes arrive in any order; the aggregator orders them by the expected vendor list.",
        "Arrival order means nothing any more; duplicates (SQS delivers at least once) are the aggregator's job.",
    ),
    Job(
        "One place to look",
        "The execution's graph and history show every step of one request.",
        "Each function logs on its own; the aggregator's one `aggregate:` line per request is the summary.",
        "The single picture: following one request means searching every log for its uuid.",
    ),
)


def jobs_rows() -> list[list[str]]:
    """The table's rows: job, Parallel state, after the refactoring, what is lost."""
    return [[job.job, job.parallel, job.sns, job.lost] for job in JOBS]
