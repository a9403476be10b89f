"""The worker runtime on its own (in this process, no server): idle workers are reclaimed, shutdown stops all."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from workshop_utils.local_cloud import state
from workshop_utils.local_cloud.config import RuntimeSettings
from workshop_utils.local_cloud.lambda_runtime.functions import FunctionSpec
from workshop_utils.local_cloud.lambda_runtime.invocation import Invocation
from workshop_utils.local_cloud.lambda_runtime.pool import LambdaRuntime

ACCOUNT = "999999999998"  # an account no other test uses


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[LambdaRuntime]:
    runtime = LambdaRuntime(RuntimeSettings(max_workers_per_function=1, idle_worker_seconds=2.0),
                            endpoint_url="http://127.0.0.1:9", code_root=tmp_path / "code")
    yield runtime
    runtime.shutdown()


def spec(zip_code: Callable[[str], bytes], source: str) -> FunctionSpec:
    return FunctionSpec(
        account_id=ACCOUNT, region="us-east-1", name="pool-test",
        arn=f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:pool-test", version="$LATEST", handler="app.handler",
        runtime="python3.11", timeout=5, memory_size=128, environment={}, log_group="/aws/lambda/pool-test",
        code_sha256="sha-" + str(hash(source)), code=zip_code(source),
    )


def invoke(runtime: LambdaRuntime, function: FunctionSpec) -> int:
    result = runtime.invoke(function, Invocation(b"{}", function.arn))
    assert result.function_error is None, result.payload
    return json.loads(result.payload)


def wait_until_gone(pid: int, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while state.process_alive(pid):
        assert time.monotonic() < deadline, f"worker {pid} still runs"
        time.sleep(0.1)


PID = "import os\n\ndef handler(event, context):\n    return os.getpid()\n"


def test_an_idle_worker_is_reclaimed_and_the_next_invocation_starts_cold(
    runtime: LambdaRuntime, zip_code: Callable[[str], bytes]
) -> None:
    function = spec(zip_code, PID)
    first = invoke(runtime, function)
    assert invoke(runtime, function) == first  # warm while used

    wait_until_gone(first)  # idle for more than idle_worker_seconds
    assert runtime.describe() == []
    assert invoke(runtime, function) != first


def test_shutdown_stops_every_worker(runtime: LambdaRuntime, zip_code: Callable[[str], bytes]) -> None:
    pid = invoke(runtime, spec(zip_code, PID))

    runtime.shutdown()

    assert not state.process_alive(pid)


def test_a_reclaimed_workers_next_invocation_reports_a_cold_start(
    runtime: LambdaRuntime, zip_code: Callable[[str], bytes]
) -> None:
    function = spec(zip_code, PID)
    cold = runtime.invoke(function, Invocation(b"{}", function.arn))
    warm = runtime.invoke(function, Invocation(b"{}", function.arn))
    wait_until_gone(json.loads(cold.payload))

    again = runtime.invoke(function, Invocation(b"{}", function.arn))

    reports = [next(line for line in r.log_lines if line.startswith("REPORT")) for r in (cold, warm, again)]
    assert ["Init Duration" in report for report in reports] == [True, False, True]
    assert again.function_error is None and json.loads(again.payload) != json.loads(cold.payload)


def test_idle_workers_are_kept_a_few_minutes_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LOCAL_CLOUD_WORKER_IDLE_SECONDS", raising=False)
    assert 60 <= RuntimeSettings.from_env().idle_worker_seconds <= 600
    monkeypatch.setenv("LOCAL_CLOUD_WORKER_IDLE_SECONDS", "5")
    assert RuntimeSettings.from_env().idle_worker_seconds == 5
