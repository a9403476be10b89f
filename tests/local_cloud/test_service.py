"""The background service: CLI, idempotent start, health, stale state, a taken port, and a clean stop."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from workshop_utils.local_cloud import service, state
from workshop_utils.local_cloud.config import repo_root


def cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LOCAL_CLOUD_HOME": str(home)}
    return subprocess.run([sys.executable, "-m", "workshop_utils.local_cloud", *args], capture_output=True,
                          text=True, env=env, cwd=repo_root(), timeout=120, check=False)


def test_status_json_reports_a_healthy_server(cloud: service.Status, cloud_home: Path) -> None:
    result = cli(cloud_home, "status", "--json")

    assert result.returncode == 0, result.stderr
    status = json.loads(result.stdout)
    assert {"running", "healthy", "pid", "port", "endpoint_url"} <= status.keys()
    assert status["running"] is True and status["healthy"] is True
    assert status["pid"] == cloud.pid and status["port"] == cloud.port
    assert status["endpoint_url"] == f"http://127.0.0.1:{cloud.port}"


def test_a_second_start_reports_the_running_server(cloud: service.Status, cloud_home: Path) -> None:
    messages: list[str] = []

    again = service.start(port=0, home=cloud_home, progress=messages.append)

    assert again == cloud
    assert messages == [f"The local cloud is already running at {cloud.endpoint_url} (pid {cloud.pid})."]


def test_start_on_a_taken_port_says_what_to_do(cloud: service.Status, tmp_path: Path) -> None:
    with socket.socket() as other_program:
        other_program.bind(("127.0.0.1", 0))
        other_program.listen()
        port = other_program.getsockname()[1]

        with pytest.raises(service.LocalCloudError) as raised:
            service.start(port=port, home=tmp_path / "other", progress=None)
        result = cli(tmp_path / "other", "start", "--port", str(port))

    message = str(raised.value)
    assert message.startswith(f"Port {port} on 127.0.0.1 is already in use by another program;")
    assert "--port" in message and message.count(".") >= 1 and "\n" not in message
    assert result.returncode == 1 and result.stderr.strip() == message
    assert not (tmp_path / "other" / "state.json").exists()


def test_a_stale_state_file_is_pruned(tmp_path: Path) -> None:
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                              text=True, check=True)
    dead_pid = int(finished.stdout)
    state.write_record(tmp_path, state.ServerRecord(dead_pid, 1, "http://127.0.0.1:1", "x.log", 0.0))

    status = service.status(home=tmp_path)

    assert status == service.Status(running=False, healthy=False)
    assert not (tmp_path / "state.json").exists()
    assert cli(tmp_path, "status").returncode == 1


def test_logs_prints_the_server_log(cloud: service.Status, cloud_home: Path) -> None:
    result = cli(cloud_home, "logs")

    assert result.returncode == 0
    assert f"listening on {cloud.endpoint_url}" in result.stdout


def pid_function(cloud: service.Status, zip_code: Callable[[str], bytes]) -> Any:
    """A Lambda client of `cloud` with a function "pid" that returns its worker's pid."""
    import boto3

    kwargs: dict[str, Any] = {"endpoint_url": cloud.endpoint_url, "region_name": "us-east-1",
                              "aws_access_key_id": cloud.access_key_id,
                              "aws_secret_access_key": cloud.secret_access_key}
    role = boto3.client("iam", **kwargs).create_role(RoleName="r", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    lam = boto3.client("lambda", **kwargs)
    lam.create_function(FunctionName="pid", Runtime="python3.11", Role=role, Handler="app.handler",
                        Code={"ZipFile": zip_code("import os\ndef handler(e, c):\n    return os.getpid()\n")})
    return lam


def test_stop_leaves_no_process_behind(tmp_path: Path, zip_code: Callable[[str], bytes]) -> None:
    home = tmp_path / "own"
    started = service.start(port=0, home=home, progress=None)
    try:
        lam = pid_function(started, zip_code)
        worker_pid = json.loads(lam.invoke(FunctionName="pid")["Payload"].read())
        assert state.process_alive(worker_pid)
        assert os.getpgid(worker_pid) == started.pid  # workers live in the server's process group
    finally:
        stopped = service.stop(home=home, progress=None)

    assert stopped == service.Status(running=False, healthy=False)
    assert started.pid is not None
    assert not state.process_alive(started.pid) and not state.process_alive(worker_pid)
    assert state.process_group_members(started.pid) == []
    assert not (home / "state.json").exists()
    assert service.status(home=home).running is False


def test_a_second_server_on_the_same_home_says_what_to_do(cloud: service.Status, cloud_home: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "workshop_utils.local_cloud.server", "--port", "0", "--home", str(cloud_home)],
        capture_output=True, text=True, cwd=repo_root(), timeout=120, check=False,
    )

    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == (
        f"local cloud: Another local cloud is already running from {cloud_home} on port {cloud.port} "
        f"(pid {cloud.pid}); use it, or stop it first with `python -m workshop_utils.local_cloud stop`."
    )
    assert service.status(home=cloud_home).healthy


def test_what_runs_before_the_server_listens_does_not_import_cloudformation():
    """moto's CloudFormation parser takes seconds to import; it must load in the background, after start."""
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "import workshop_utils.local_cloud.server, workshop_utils.local_cloud.install\n"
        "from workshop_utils.local_cloud.backends import sns, sqs\n"
        "from workshop_utils.local_cloud.lambda_runtime import pool\n"
        "from workshop_utils.local_cloud.lambda_service import async_invoke, backend, event_sources\n"
        "print('moto.cloudformation.parsing' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_the_server_reclaims_idle_workers_and_starts_cold_again(
    tmp_path: Path, zip_code: Callable[[str], bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reaper runs in the server itself, with the idle time the server's environment sets."""
    import base64

    monkeypatch.setenv("LOCAL_CLOUD_WORKER_IDLE_SECONDS", "1")
    home = tmp_path / "idle"
    started = service.start(port=0, home=home, progress=None)
    try:
        lam = pid_function(started, zip_code)

        def invoke() -> tuple[int, str]:
            response = lam.invoke(FunctionName="pid", LogType="Tail")
            return json.loads(response["Payload"].read()), base64.b64decode(response["LogResult"]).decode()

        first_pid, first_log = invoke()
        give_up = time.monotonic() + 60  # a wait, not a timing assertion: reclaimed after about 1 s idle
        while service.server_info(home=home)["workers"]:
            assert time.monotonic() < give_up, "the idle worker was never reclaimed"
            time.sleep(0.2)
        second_pid, second_log = invoke()
    finally:
        service.stop(home=home, progress=None)

    assert not state.process_alive(first_pid) and second_pid != first_pid
    assert "Init Duration" in first_log and "Init Duration" in second_log


def test_status_env_prints_the_export_lines_of_this_clouds_own_keys(cloud: service.Status, cloud_home: Path) -> None:
    result = cli(cloud_home, "status", "--env")

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"export AWS_ENDPOINT_URL={cloud.endpoint_url}",
        f"export AWS_ACCESS_KEY_ID={cloud.access_key_id}",
        f"export AWS_SECRET_ACCESS_KEY={cloud.secret_access_key}",
        "export AWS_REGION=us-east-1",
        "export AWS_DEFAULT_REGION=us-east-1",
    ]
    assert cloud.secret_access_key not in cli(cloud_home, "status", "--json").stdout  # the JSON holds no secret
    assert oct(state.state_file(cloud_home).stat().st_mode & 0o777) == "0o600"
