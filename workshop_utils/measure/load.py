"""The benchmark's load: the same requests through both patterns, closed or open loop, each one timed."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from workshop_utils.cloud import stacks, target
from workshop_utils.cloud.logs import now_ms, poll_interval
from workshop_utils.measure.aggregate_reader import AggregateLineReader
from workshop_utils.measure.percentiles import PatternRun
from workshop_utils.quotes import aggregates, triggers
from workshop_utils.quotes.request import QuoteRequest

REQUEST = QuoteRequest("XL", 7)
POLL_S = 0.05  # a closed-loop sender's look at its own execution

# The notebook's offered load (and the test that holds it to under a second at the median on the local cloud):
# gentle enough for a learner's laptop, busy enough that requests overlap.
WORKSHOP_RATE = 5.0
WORKSHOP_DURATION_S = 6.0
SENDERS = 5  # threads that send (open loop: each only starts its request) or wait (closed loop)


def requests_for(rate: float, duration_s: float) -> int:
    """How many requests an open-loop run at `rate` a second for `duration_s` seconds sends."""
    return max(1, round(rate * duration_s))


def send_offsets(requests: int, rate: float) -> list[float]:
    """When each request of an open-loop run goes out, in seconds from the start: one every 1/rate s."""
    return [index / rate for index in range(requests)]


def send_all(send_one: Callable[[int], None], requests: int, *, concurrency: int, rate: float | None) -> None:
    """Call `send_one(i)` for every request: `concurrency` at a time (closed loop) or, with a rate, on the
    schedule of send_offsets whatever happens to the others (open loop: the load a busy system sees)."""
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        if rate is None:
            list(pool.map(send_one, range(requests)))
            return
        started = time.perf_counter()
        futures = []
        for index, offset in enumerate(send_offsets(requests, rate)):
            delay = started + offset - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            futures.append(pool.submit(send_one, index))
        for future in futures:
            future.result()


def run_parallel(requests: int, concurrency: int, *, rate: float | None = None, settle_s: float = 60.0) -> PatternRun:
    """Start `requests` executions; latency = sent to the execution's stop time (as Step Functions records it).

    Closed loop, each sender waits for its execution before the next; open loop (`rate`), senders only
    start them. Either way one collector reads the results, so watching adds little load to the target.
    """
    run = PatternRun()
    arn = stacks.stack_outputs(stacks.PARALLEL_STACK)["StatemachineArn"]
    sfn = target.client("stepfunctions")
    body = json.dumps(REQUEST.payload())
    sent_at: dict[str, float] = {}
    lock = threading.Lock()

    def one(_index: int) -> None:
        sent = time.time()
        try:
            execution_arn = sfn.start_execution(stateMachineArn=arn, input=body)["executionArn"]
        except Exception:  # refused (throttled, say): failed, as a refused Invoke is on the SNS side
            with lock:
                run.failed += 1
            return
        with lock:
            sent_at[execution_arn] = sent
        if rate is None:
            _wait_until_stopped(sfn, execution_arn, settle_s)

    started = time.time()
    send_all(one, requests, concurrency=concurrency, rate=rate)
    stopped = _collect_executions(sfn, arn, set(sent_at), settle_s)
    for execution_arn, sent in sent_at.items():
        status, stop_date = stopped.get(execution_arn, ("RUNNING", None))
        if stop_date is None:
            run.lost += 1
        elif status != "SUCCEEDED":
            run.failed += 1
        else:
            run.latencies_ms.append((stop_date - sent) * 1000)
    last = max((stop for _status, stop in stopped.values() if stop), default=None)
    run.wall_s = (last - started) if last else time.time() - started
    return run


def _wait_until_stopped(sfn: Any, execution_arn: str, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while sfn.describe_execution(executionArn=execution_arn)["status"] == "RUNNING":
        if time.monotonic() > deadline:
            return
        time.sleep(POLL_S)


def _collect_executions(sfn: Any, arn: str, wanted: set[str], settle_s: float) -> dict[str, tuple[str, float]]:
    """Status and stop time (epoch s) of each wanted execution, listing the state machine until all stopped."""
    stopped: dict[str, tuple[str, float]] = {}
    deadline = time.monotonic() + settle_s
    while True:
        for page in sfn.get_paginator("list_executions").paginate(stateMachineArn=arn):
            for execution in page["executions"]:
                if execution["executionArn"] in wanted and execution.get("stopDate"):
                    stopped[execution["executionArn"]] = (execution["status"], execution["stopDate"].timestamp())
        if len(stopped) >= len(wanted) or time.monotonic() > deadline:
            return stopped
        time.sleep(poll_interval())  # latencies come from the target's clocks


def run_sns(requests: int, concurrency: int, *, rate: float | None = None, settle_s: float = 30.0) -> PatternRun:
    """Send `requests` asynchronous requests; latency = sent to the aggregator's `aggregate:` line for each uuid
    (a `timed_out` aggregate counts as failed: some vendor never answered).

    Invoke returns at once, so without a rate the requests go out as a burst of `concurrency` senders.
    """
    run = PatternRun()
    outputs = stacks.stack_outputs(stacks.SNS_STACK)
    reader = AggregateLineReader(triggers.aggregator_log_group(), since_ms=now_ms() - 1000)
    handles: list[triggers.SnsQuoteHandle] = []
    lock = threading.Lock()

    def one(_index: int) -> None:
        try:
            handle = triggers.request_sns_quote(REQUEST, requester_function=outputs["RequesterFunctionName"])
        except Exception:
            with lock:
                run.failed += 1
            return
        with lock:
            handles.append(handle)

    started_ms = now_ms()
    send_all(one, requests, concurrency=concurrency, rate=rate)
    deadline = time.monotonic() + settle_s
    while True:
        reader.read()
        if all(handle.uuid in reader.aggregated for handle in handles) or time.monotonic() > deadline:
            break
        time.sleep(poll_interval())  # latencies come from the target's clocks
    for handle in handles:
        status, at_ms = reader.aggregated.get(handle.uuid, (None, 0))
        if status == "complete":
            run.latencies_ms.append(at_ms - handle.sent_at_ms)
        elif status is None:
            run.lost += 1
        else:
            run.failed += 1
    last_done = max((at for _status, at in reader.aggregated.values()), default=None)
    run.wall_s = ((last_done or now_ms()) - started_ms) / 1000
    return run


def run_patterns(requests: int, concurrency: int, *, rate: float | None = None) -> dict[str, PatternRun]:
    """The same requests through both deployed stacks on the current target."""
    return {
        "parallel": run_parallel(requests, concurrency, rate=rate),
        "sns": run_sns(requests, concurrency, rate=rate),
    }


def warm_up() -> None:
    """One request through each pattern, waited for, so every function has a warm worker before measuring (as in
    notebook 03, whose benchmark follows its first comparison); cold starts are measured on their own."""
    triggers.request_parallel_quote(REQUEST)
    aggregates.wait_for_aggregate(triggers.request_sns_quote(REQUEST))
