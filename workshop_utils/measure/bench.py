"""Benchmark both patterns end to end on a target: latency percentiles, throughput, losses, start-up costs."""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workshop_utils.cloud import stacks, target
from workshop_utils.cloud.logs import fetch_log_events, now_ms, poll_interval
from workshop_utils.quotes import aggregates, triggers
from workshop_utils.quotes.request import QuoteRequest

REQUEST = QuoteRequest("XL", 7)
POLL_S = 0.05  # a closed-loop sender's look at its own execution


@dataclass
class PatternRun:
    """Per-request latencies of one pattern, plus the requests that failed (refused when sent, or ended in
    an error) and those lost (sent, but no result before the benchmark stopped waiting)."""

    latencies_ms: list[float] = field(default_factory=list)
    failed: int = 0
    lost: int = 0
    wall_s: float = 0.0

    def summary(self) -> dict:
        return {
            "p50_ms": percentile(self.latencies_ms, 50),
            "p95_ms": percentile(self.latencies_ms, 95),
            "p99_ms": percentile(self.latencies_ms, 99),
            "throughput_rps": round(len(self.latencies_ms) / self.wall_s, 2) if self.wall_s else 0.0,
            "completed": len(self.latencies_ms),
            "lost": self.lost,
            "failed": self.failed,
        }


def percentile(values: list[float], pct: float) -> float | None:
    """The nearest-rank percentile, rounded to 0.1 ms; None without values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(pct * len(ordered) / 100)))
    return round(ordered[rank - 1], 1)


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


class AggregateLineReader:
    """Reads the aggregator's `aggregate:` lines as they arrive: each request's status and when it was logged.

    Each read asks only for events from a little before the newest one seen (CloudWatch Logs can make an
    event readable after newer ones: seconds later on AWS, never locally, where events are stored in time
    order) and skips the ones already read, so a long run does not re-read its whole log every time.
    """

    def __init__(self, log_group: str, *, since_ms: int, overlap_ms: int | None = None) -> None:
        self.log_group = log_group
        self.overlap_ms = overlap_ms if overlap_ms is not None else (500 if target.current() == "local" else 15_000)
        self.cursor_ms = since_ms
        self.seen_ids: set[str] = set()
        self.aggregated: dict[str, tuple[str, int]] = {}  # uuid -> (status, epoch ms of its aggregate line)

    def read(self) -> None:
        for event in fetch_log_events(self.log_group, start_ms=self.cursor_ms):
            event_id = event.get("eventId") or f"{event['timestamp']}:{event['message']}"
            if event_id in self.seen_ids:
                continue
            self.seen_ids.add(event_id)
            self.cursor_ms = max(self.cursor_ms, event["timestamp"] - self.overlap_ms)
            document = aggregates.parse_aggregate_line(event["message"])
            if document and document.get("uuid") and document["uuid"] not in self.aggregated:
                self.aggregated[document["uuid"]] = (str(document.get("status")), event["timestamp"])


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


# The notebook's offered load (and the test that holds it to under a second at the median on the local cloud):
# gentle enough for a learner's laptop, busy enough that requests overlap.
WORKSHOP_RATE = 5.0
WORKSHOP_DURATION_S = 6.0
SENDERS = 5  # threads that send (open loop: each only starts its request) or wait (closed loop)


def requests_for(rate: float, duration_s: float) -> int:
    """How many requests an open-loop run at `rate` a second for `duration_s` seconds sends."""
    return max(1, round(rate * duration_s))


def measure_invocations(function_name: str, *, warm_samples: int = 30) -> dict:
    """A cold start (first invoke after a code update), the warm round trip's median, and what the Lambda path
    adds to it: the warm median minus the median of a bare API call (STS GetCallerIdentity), in ms."""
    client = target.client("lambda")
    payload = json.dumps(REQUEST.payload()).encode()

    def median_ms(call: Callable[[], object], samples: int) -> float:
        times = []
        for _ in range(samples):
            started = time.perf_counter()
            call()
            times.append((time.perf_counter() - started) * 1000)
        return statistics.median(times)

    def invoke() -> object:
        return client.invoke(FunctionName=function_name, Payload=payload)

    cold = median_ms(invoke, 1)
    warm = median_ms(invoke, warm_samples)
    api_call = median_ms(target.client("sts").get_caller_identity, warm_samples)
    return {
        "cold_start_ms": round(cold, 1),
        "warm_invoke_ms": round(warm, 2),
        "api_call_ms": round(api_call, 2),
        "warm_overhead_ms": round(warm - api_call, 2),
    }


@contextmanager
def _private_local_cloud():
    """A local cloud of the benchmark's own; yields how long it took to become healthy."""
    from workshop_utils.local_cloud import service

    target.use_target("local")
    started = time.perf_counter()
    with service.private_cloud():
        yield time.perf_counter() - started


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


def estimated_cost_usd(requests: int) -> float:
    """What a run of both patterns costs on AWS, from the cost model."""
    from workshop_utils.measure.cost import cost_per_million

    vendors = 2
    per_million = sum(cost_per_million(pattern, vendors=vendors).total for pattern in ("parallel_standard", "sns"))
    return per_million * requests / 1_000_000


# The learner's loop in notebooks 02b and 03: one more vendor, then the Parallel stack deployed again.
REDEPLOY_STACK = stacks.PARALLEL_STACK
EXTRA_VENDOR = {"BenchRentals": {"base_rate": "77"}}


def measure_redeploy(deploy: Callable[..., object], *, stack: str = REDEPLOY_STACK) -> dict[str, float]:
    """Seconds for a context-change redeploy of one stack (synth included), as a notebook cell does it; then
    the stack goes back to the default vendors (not timed) for the rest of the benchmark."""
    from workshop_utils.deploy.fingerprint import REPO_ROOT

    recipients = {**json.loads((REPO_ROOT / "cdk.json").read_text())["context"]["recipients"], **EXTRA_VENDOR}
    started = time.perf_counter()
    deploy(stack, {"recipients": recipients}, on_line=lambda _line: None)
    seconds = round(time.perf_counter() - started, 2)
    deploy(stack, on_line=lambda _line: None)
    return {stack: seconds}


def run(target_name: str, requests: int, concurrency: int, *, rate: float | None = None, deploy: bool = True) -> dict:
    """The whole benchmark; returns the JSON document."""
    from workshop_utils.deploy import cdk

    result: dict = {
        "target": target_name,
        "requests": requests,
        "concurrency": concurrency,
        "rate_rps": rate,
        "patterns": {},
    }
    with ExitStack() as stack:
        if target_name == "local":
            result["local_cloud"] = {"start_s": round(stack.enter_context(_private_local_cloud()), 3)}
        else:
            target.use_target(target_name)
            target.check()
        cdk.ensure_bootstrapped()
        result["deploy_s"] = {}
        for name in stacks.STACKS:
            if deploy or not stacks.is_deployed(name):
                started = time.perf_counter()
                cdk.deploy(name, on_line=lambda _line: None)
                result["deploy_s"][name] = round(time.perf_counter() - started, 2)
        cdk.warm_up(wait=True)  # a learner's kernel has had it warm since the notebook's first cell
        result["redeploy_s"] = measure_redeploy(cdk.deploy)
        if target_name == "local":
            requester = stacks.stack_outputs(stacks.SNS_STACK)["RequesterFunctionName"]
            result["local_cloud"].update(measure_invocations(requester))
        warm_up()
        pace = f"{rate:g} a second" if rate else f"{concurrency} at a time"
        for pattern, run_pattern in (("parallel", run_parallel), ("sns", run_sns)):
            print(f"{pattern}: {requests} requests, {pace}...", flush=True)
            result["patterns"][pattern] = run_pattern(requests, concurrency, rate=rate).summary()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--target", choices=("local", "aws"), default="local")
    parser.add_argument("--requests", type=int, help="send this many, --concurrency at a time (closed loop)")
    parser.add_argument("--concurrency", type=int, default=SENDERS, help="requests in flight (senders, with --rate)")
    parser.add_argument("--rate", type=float, help="send this many requests a second (open loop)")
    parser.add_argument("--duration", type=float, help="with --rate: send for this many seconds (sets --requests)")
    parser.add_argument("--json", type=Path, help="write the result here")
    parser.add_argument("--yes", action="store_true", help="on aws, do not ask before spending money")
    parser.add_argument("--no-deploy", action="store_true", help="reuse deployed stacks (aws)")
    args = parser.parse_args(argv)
    if args.duration is not None and not args.rate:
        parser.error("--duration needs --rate, e.g. --rate 20 --duration 30")
    if args.rate is None and args.requests is None:  # by default, notebook 03's offered load
        args.rate, args.duration = WORKSHOP_RATE, WORKSHOP_DURATION_S
    if args.rate is not None:
        args.requests = requests_for(args.rate, args.duration) if args.duration is not None else args.requests or 50
    if args.target == "aws" and not args.yes:
        cost = estimated_cost_usd(args.requests)
        answer = input(f"This run sends {args.requests} requests through each pattern on AWS, "
                       f"about ${cost:.4f} plus deploys. Continue? [y/N] ")  # fmt: skip
        if answer.strip().lower() not in ("y", "yes"):
            print("Nothing sent.")
            return 1
    result = run(args.target, args.requests, args.concurrency, rate=args.rate, deploy=not args.no_deploy)
    text = json.dumps(result, indent=2)
    print(text)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
