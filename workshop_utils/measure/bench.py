"""Benchmark both patterns end to end on a target: latency percentiles, throughput, losses, start-up costs."""

from __future__ import annotations

import argparse
import json
import sys
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

from workshop_utils.cloud import stacks, target
from workshop_utils.measure.batching import aggregator_batching
from workshop_utils.measure.load import (
    SENDERS,
    WORKSHOP_DURATION_S,
    WORKSHOP_RATE,
    requests_for,
    run_parallel,
    run_patterns,
    run_sns,
    warm_up,
)
from workshop_utils.measure.startup import measure_invocations, measure_redeploy

# What callers (notebook.py's benchmark, the stack tests) read through this module.
__all__ = ["SENDERS", "WORKSHOP_DURATION_S", "WORKSHOP_RATE", "aggregator_batching", "main", "measure_invocations",
           "requests_for", "run", "run_parallel", "run_patterns", "run_sns"]


@contextmanager
def _private_local_cloud():
    """A local cloud of the benchmark's own; yields how long it took to become healthy."""
    from workshop_utils.local_cloud import service

    target.use_target("local")
    started = time.perf_counter()
    with service.private_cloud():
        yield time.perf_counter() - started


def estimated_cost_usd(requests: int) -> float:
    """What a run of both patterns costs on AWS, from the cost model."""
    from workshop_utils.measure.cost import cost_per_million

    vendors = 2
    per_million = sum(cost_per_million(pattern, vendors=vendors).total for pattern in ("parallel_standard", "sns"))
    return per_million * requests / 1_000_000


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
