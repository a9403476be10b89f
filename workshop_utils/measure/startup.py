"""What a learner waits for besides the requests: a cold start, the Lambda path's overhead, a redeploy."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable

from workshop_utils.cloud import stacks, target
from workshop_utils.deploy.context import default_recipients
from workshop_utils.measure.load import REQUEST

# The learner's loop in notebooks 02b and 03: one more vendor, then the Parallel stack deployed again.
REDEPLOY_STACK = stacks.PARALLEL_STACK
EXTRA_VENDOR = {"BenchRentals": {"base_rate": "77"}}


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


def measure_redeploy(deploy: Callable[..., object], *, stack: str = REDEPLOY_STACK) -> dict[str, float]:
    """Seconds for a context-change redeploy of one stack (synth included), as a notebook cell does it; then
    the stack goes back to the default vendors (not timed) for the rest of the benchmark."""
    recipients = {**default_recipients(), **EXTRA_VENDOR}
    started = time.perf_counter()
    deploy(stack, {"recipients": recipients}, on_line=lambda _line: None)
    seconds = round(time.perf_counter() - started, 2)
    deploy(stack, on_line=lambda _line: None)
    return {stack: seconds}
