"""Benchmark both patterns end to end on a target: latency percentiles, throughput, losses, start-up costs."""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from workshop_utils import stacks, target, triggers
from workshop_utils.logs import fetch_log_events, now_ms
from workshop_utils.quote_input import QuoteRequest

REQUEST = QuoteRequest("XL", 7)


@dataclass
class PatternRun:
    """Per-request latencies of one pattern, plus what was lost or failed."""

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
    rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.5)))
    return round(ordered[rank - 1], 1)


def run_parallel(requests: int, concurrency: int) -> PatternRun:
    """Start `requests` executions, `concurrency` at a time; latency = sent to the execution's stop time."""
    run = PatternRun()
    arn = stacks.stack_outputs(stacks.PARALLEL_STACK)["StatemachineArn"]
    lock = threading.Lock()

    def one(_index: int) -> None:
        sent = time.time()
        try:
            execution = triggers.request_parallel_quote(REQUEST, state_machine_arn=arn, timeout_s=60)
        except Exception:
            with lock:
                run.lost += 1
            return
        with lock:
            if execution.status != "SUCCEEDED":
                run.failed += 1
            else:
                run.latencies_ms.append((execution.stopped_at.timestamp() - sent) * 1000)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(one, range(requests)))
    run.wall_s = time.perf_counter() - started
    return run


def run_sns(requests: int, concurrency: int, *, settle_s: float = 30.0) -> PatternRun:
    """Send `requests` asynchronous requests; latency = sent to the aggregator's line completing each uuid."""
    run = PatternRun()
    outputs = stacks.stack_outputs(stacks.SNS_STACK)
    expected = triggers.expected_vendor_count()
    group = triggers.aggregator_log_group()
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
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(one, range(requests)))
    # One poller for every request: the aggregator's log, read until each uuid has all its quotes.
    done_at: dict[str, int] = {}
    deadline = time.monotonic() + settle_s
    while len(done_at) < len(handles) and time.monotonic() < deadline:
        counts: dict[str, int] = {}
        last_seen: dict[str, int] = {}
        for event in fetch_log_events(group, start_ms=started_ms - 1000):
            for quote in triggers.parse_quotes_line(event["message"]) or []:
                key = quote.get("uuid")
                counts[key] = counts.get(key, 0) + 1
                last_seen[key] = event["timestamp"]
        for handle in handles:
            if handle.uuid not in done_at and counts.get(handle.uuid, 0) >= expected:
                done_at[handle.uuid] = last_seen[handle.uuid]
        time.sleep(0.2)
    finished = time.perf_counter()
    for handle in handles:
        if handle.uuid in done_at:
            run.latencies_ms.append(done_at[handle.uuid] - handle.sent_at_ms)
        else:
            run.lost += 1
    last_done = max(done_at.values(), default=None)
    run.wall_s = (last_done - started_ms) / 1000 if last_done else finished - started
    return run


def measure_invocations(function_name: str, *, warm_samples: int = 30) -> dict:
    """A cold start (first invoke after a code update) and the warm round trip's median, in ms."""
    client = target.client("lambda")
    payload = json.dumps(REQUEST.payload()).encode()

    def invoke_ms() -> float:
        started = time.perf_counter()
        client.invoke(FunctionName=function_name, Payload=payload)
        return (time.perf_counter() - started) * 1000

    cold = invoke_ms()
    warm = [invoke_ms() for _ in range(warm_samples)]
    return {"cold_start_ms": round(cold, 1), "warm_invoke_ms": round(statistics.median(warm), 2)}


@contextmanager
def _private_local_cloud():
    """A local cloud of the benchmark's own; yields how long it took to become healthy."""
    from workshop_utils.local_cloud import service

    target.use_target("local")
    started = time.perf_counter()
    with service.private_cloud():
        yield time.perf_counter() - started


def run_patterns(requests: int, concurrency: int) -> dict[str, PatternRun]:
    """The same requests through both deployed stacks on the current target."""
    return {"parallel": run_parallel(requests, concurrency), "sns": run_sns(requests, concurrency)}


def estimated_cost_usd(requests: int) -> float:
    """What a run of both patterns costs on AWS, from the cost model."""
    from workshop_utils.cost import cost_per_million

    vendors = 2
    per_million = sum(cost_per_million(pattern, vendors=vendors).total for pattern in ("parallel_standard", "sns"))
    return per_million * requests / 1_000_000


def run(target_name: str, requests: int, concurrency: int, *, deploy: bool = True) -> dict:
    """The whole benchmark; returns the JSON document."""
    from workshop_utils import cdk

    result: dict = {"target": target_name, "requests": requests, "concurrency": concurrency, "patterns": {}}
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
        if target_name == "local":
            requester = stacks.stack_outputs(stacks.SNS_STACK)["RequesterFunctionName"]
            result["local_cloud"].update(measure_invocations(requester))
        print(f"Parallel: {requests} requests, {concurrency} at a time...", flush=True)
        result["patterns"]["parallel"] = run_parallel(requests, concurrency).summary()
        print(f"SNS: {requests} requests, {concurrency} at a time...", flush=True)
        result["patterns"]["sns"] = run_sns(requests, concurrency).summary()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--target", choices=("local", "aws"), default="local")
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=5)
    parser.add_argument("--json", type=Path, help="write the result here")
    parser.add_argument("--yes", action="store_true", help="on aws, do not ask before spending money")
    parser.add_argument("--no-deploy", action="store_true", help="reuse deployed stacks (aws)")
    args = parser.parse_args(argv)
    if args.target == "aws" and not args.yes:
        cost = estimated_cost_usd(args.requests)
        answer = input(f"This run sends {args.requests} requests through each pattern on AWS, "
                       f"about ${cost:.4f} plus deploys. Continue? [y/N] ")  # fmt: skip
        if answer.strip().lower() not in ("y", "yes"):
            print("Nothing sent.")
            return 1
    result = run(args.target, args.requests, args.concurrency, deploy=not args.no_deploy)
    text = json.dumps(result, indent=2)
    print(text)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
