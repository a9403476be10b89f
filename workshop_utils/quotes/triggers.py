"""Send quote requests through either pattern and collect what happened, as plain data."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from botocore.exceptions import BotoCoreError, ClientError

from workshop_utils.cloud import stacks, target
from workshop_utils.cloud.logs import fetch_log_events, function_log_group, now_ms
from workshop_utils.quotes import failures as quote_failures
from workshop_utils.quotes.request import QuoteRequest
from workshop_utils.render.quotes import parse_quotes_line


class QuoteTimeout(TimeoutError):
    """A request's result did not arrive in time."""


class ExecutionInputRefused(ValueError):
    """Step Functions refused to start an execution with this input (not JSON, or over 256 KiB)."""


def start_execution(state_machine_arn: str, execution_input: str) -> str:
    """StartExecution, with AWS's refusals of bad input said in one sentence; returns the execution ARN."""
    try:
        started = target.client("stepfunctions").start_execution(stateMachineArn=state_machine_arn,
                                                                  input=execution_input)
    except ClientError as error:
        code, message = error.response["Error"].get("Code"), error.response["Error"].get("Message")
        if code not in ("InvalidExecutionInput", "ValidationException"):
            raise
        raise ExecutionInputRefused(
            f"Step Functions refused to start the execution ({code}: {message}): send a JSON object of at most "
            "262,144 bytes (256 KiB) in UTF-8."
        ) from None
    return started["executionArn"]


def _poll_interval() -> float:
    # The local cloud answers in milliseconds; real AWS is billed per API call, so poll gently there.
    return 0.05 if target.current() == "local" else 0.5


# ---------------------------------------------------------------- Parallel (Step Functions)


@dataclass
class ParallelExecution:
    """One Step Functions execution: its status, output, definition and full history."""

    execution_arn: str
    status: str
    request: dict
    output: dict | None
    error: str | None
    cause: str | None
    definition: dict
    history: list[dict]
    started_at: datetime
    stopped_at: datetime | None

    @property
    def quotes(self) -> list[dict]:
        return list((self.output or {}).get("quotes", []))

    @property
    def duration_ms(self) -> float | None:
        if self.stopped_at is None:
            return None
        return (self.stopped_at - self.started_at).total_seconds() * 1000


def _execution_history(arn: str) -> list[dict]:
    events: list[dict] = []
    paginator = target.client("stepfunctions").get_paginator("get_execution_history")
    for page in paginator.paginate(executionArn=arn, includeExecutionData=True):
        events.extend(page["events"])
    return events


# Called while an execution runs with the state machine's definition and the history so far (the last call
# has the whole history), e.g. to colour the graph state by state.
ExecutionWatcher = Callable[[dict, list[dict]], None]


def request_parallel_quote(
    request: QuoteRequest,
    *,
    state_machine_arn: str | None = None,
    timeout_s: float = 60.0,
    watch: ExecutionWatcher | None = None,
) -> ParallelExecution:
    """Start the Parallel state machine with a request, wait for it to finish, return the execution."""
    return run_parallel_payload(
        request.payload(), state_machine_arn=state_machine_arn, timeout_s=timeout_s, watch=watch
    )


def run_parallel_payload(
    payload: object,
    *,
    state_machine_arn: str | None = None,
    timeout_s: float = 60.0,
    watch: ExecutionWatcher | None = None,
) -> ParallelExecution:
    """Start the Parallel state machine with any JSON payload (even an invalid one) and wait for the end.

    Raises ExecutionInputRefused when Step Functions refuses the input itself (over 256 KiB).
    """
    arn = state_machine_arn or stacks.stack_outputs(stacks.PARALLEL_STACK)["StatemachineArn"]
    sfn = target.client("stepfunctions")
    definition = json.loads(sfn.describe_state_machine(stateMachineArn=arn)["definition"])
    execution_arn = start_execution(arn, json.dumps(payload))
    deadline = time.monotonic() + timeout_s
    history: list[dict] | None = None
    while True:
        described = sfn.describe_execution(executionArn=execution_arn)
        if watch is not None:
            history = _execution_history(execution_arn)  # read after the status: complete once it has stopped
            watch(definition, history)
        if described["status"] != "RUNNING":
            break
        if time.monotonic() > deadline:
            raise QuoteTimeout(
                f"Execution {execution_arn} still running after {timeout_s:.0f} s: "
                "open its history below or in the Step Functions console, then try again."
            )
        time.sleep(_poll_interval())
    output = described.get("output")
    return ParallelExecution(
        execution_arn=execution_arn,
        status=described["status"],
        request=payload if isinstance(payload, dict) else {"payload": payload},
        output=json.loads(output) if output else None,
        error=described.get("error"),
        cause=described.get("cause"),
        definition=definition,
        history=history if history is not None else _execution_history(execution_arn),
        started_at=described["startDate"],
        stopped_at=described.get("stopDate"),
    )


# ---------------------------------------------------------------- SNS scatter-gather


@dataclass
class SnsQuoteHandle:
    """A quote request handed to the requester asynchronously; the uuid correlates its quotes."""

    uuid: str
    requester_function: str
    lambda_request_id: str
    sent_at_ms: int
    request: dict


@dataclass
class SnsQuoteResult:
    """The quotes collected from the aggregator's log for one request."""

    handle: SnsQuoteHandle
    quotes: list[dict]
    expected_vendors: int
    log_events: list[dict] = field(default_factory=list)
    arrived_at_ms: int | None = None

    @property
    def complete(self) -> bool:
        return len(self.quotes) >= self.expected_vendors

    @property
    def elapsed_ms(self) -> int | None:
        return None if self.arrived_at_ms is None else self.arrived_at_ms - self.handle.sent_at_ms


def request_sns_quote(request: QuoteRequest, *, requester_function: str | None = None) -> SnsQuoteHandle:
    """Invoke the requester asynchronously (as Lambda destinations require) and return at once."""
    correlation_id = str(uuid.uuid4())
    return send_sns_payload(request.payload(uuid=correlation_id), requester_function=requester_function)


def send_sns_payload(payload: object, *, requester_function: str | None = None) -> SnsQuoteHandle:
    """Invoke the requester asynchronously with any JSON payload (even an invalid one)."""
    function = requester_function or stacks.stack_outputs(stacks.SNS_STACK)["RequesterFunctionName"]
    data = payload.get("data") if isinstance(payload, dict) else None
    correlation_id = data.get("uuid") if isinstance(data, dict) and isinstance(data.get("uuid"), str) else ""
    sent_at = now_ms()
    response = target.client("lambda").invoke(
        FunctionName=function, InvocationType="Event", Payload=json.dumps(payload).encode()
    )
    return SnsQuoteHandle(
        uuid=correlation_id,
        requester_function=function,
        lambda_request_id=response["ResponseMetadata"]["RequestId"],
        sent_at_ms=sent_at,
        request=payload if isinstance(payload, dict) else {"payload": payload},
    )


def expected_vendor_count() -> int:
    """How many responders are subscribed to the scatter topic right now."""
    topic = stacks.stack_outputs(stacks.SNS_STACK)["ScatterTopicArn"]
    subscriptions = target.client("sns").list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    return sum(1 for s in subscriptions if s["Protocol"] == "lambda")


def aggregator_log_group() -> str:
    """The aggregator function's log group."""
    outputs = stacks.stack_outputs(stacks.SNS_STACK)
    return outputs.get("AggregatorLogGroupName") or function_log_group(outputs["AggregatorFunctionName"])


def quotes_for(events: list[dict], correlation_id: str) -> tuple[list[dict], list[dict]]:
    """The quotes with this uuid found in `quotes:` log lines, and the events that held them."""
    quotes: list[dict] = []
    matching: list[dict] = []
    for event in events:
        parsed = parse_quotes_line(event["message"])
        mine = [q for q in parsed or [] if q.get("uuid") == correlation_id]
        if mine:
            quotes.extend(mine)
            matching.append(event)
    return quotes, matching


def wait_for_sns_quotes(
    handle: SnsQuoteHandle,
    *,
    expected_vendors: int | None = None,
    timeout_s: float = 30.0,
    on_poll: Callable[[list[dict]], None] | None = None,
) -> SnsQuoteResult:
    """Poll the aggregator's log until every vendor's quote for this request has arrived."""
    expected = expected_vendors if expected_vendors is not None else expected_vendor_count()
    group = aggregator_log_group()
    deadline = time.monotonic() + timeout_s
    result = SnsQuoteResult(handle=handle, quotes=[], expected_vendors=expected)
    while True:
        events = fetch_log_events(group, start_ms=handle.sent_at_ms - 1000)
        if on_poll:
            on_poll(events)
        quotes, matching = quotes_for(events, handle.uuid)
        if quotes:
            result.quotes, result.log_events = quotes, matching
            result.arrived_at_ms = max(e["timestamp"] for e in matching)
        if result.complete:
            return result
        if time.monotonic() > deadline:
            raise QuoteTimeout(missing_quotes_message(handle, result, timeout_s, events))
        time.sleep(_poll_interval() * 4)


def missing_quotes_message(handle: SnsQuoteHandle, result: SnsQuoteResult, timeout_s: float, events: list[dict]) -> str:
    """One sentence: how many quotes arrived, and where the failure is (the aggregator's failed aggregate, its
    dead-letter queue, the failed-invocations queue) when a record says so."""
    head = f"Only {len(result.quotes)} of {result.expected_vendors} quotes for request {handle.uuid} arrived in " \
           f"{timeout_s:.0f} s"
    try:
        clauses = quote_failures.where_it_failed(
            handle.uuid, events, stacks.stack_outputs(stacks.SNS_STACK), request=handle.request
        )
    except (BotoCoreError, ClientError):  # the queues could not be read: say what is known
        clauses = []
    if clauses:
        return f"{head}: {'; '.join(clauses)}."
    return (f"{head}, and neither the failed-invocations queue nor the aggregator's dead-letter queue holds a record "
            "of it yet: read the responders' and the aggregator's logs below, then send the request again.")
