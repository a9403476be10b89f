"""A room of learners on one machine: two homes, two local clouds, one default port, each user's own to stop.

Each "user" is a LOCAL_CLOUD_HOME of its own (the same uid here; the uid check is tested with a fake psutil in
test_process_handling.py, and two real Unix users in test_two_users.py). The default port is one this test
chooses (LOCAL_CLOUD_DEFAULT_PORT), never 4566, so the test does not depend on what else runs on this machine.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest

from workshop_utils.local_cloud import service, state
from workshop_utils.local_cloud.config import DEFAULT_PORT_ENV, repo_root

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_aggregator_support import require_cdk_cli  # noqa: E402

STACKS = ("ScatterGatherWithParallelStack", "ScatterGatherWithSNSStack")


def user_env(home: Path, default_port: int) -> dict[str, str]:
    """A user's shell: their own LOCAL_CLOUD_HOME, no forced port, the test's default port."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "WORKSHOP_", "LOCAL_CLOUD_"))}
    env.update({"LOCAL_CLOUD_HOME": str(home), DEFAULT_PORT_ENV: str(default_port), "WORKSHOP_TARGET": "local"})
    return env


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "workshop_utils.local_cloud", *args], capture_output=True,
                          text=True, env=env, cwd=repo_root(), timeout=180, check=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Room:
    default_port: int
    users: dict[str, dict[str, str]]  # name -> environment
    said_at_start: dict[str, str]  # name -> what `start` printed


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Room]:
    """Two users start their local clouds at the same moment with the same default port; both stopped after."""
    default_port = free_port()
    users = {name: user_env(tmp_path_factory.mktemp(name), default_port) for name in ("ada", "grace")}
    try:
        with ThreadPoolExecutor(2) as pool:
            started = dict(zip(users, pool.map(lambda env: cli(env, "start"), users.values()), strict=True))
        for name, result in started.items():
            assert result.returncode == 0, (name, result.stdout, result.stderr)
        yield Room(default_port, users, {name: result.stdout for name, result in started.items()})
    finally:
        for env in users.values():
            cli(env, "stop")


def status_of(env: dict[str, str]) -> dict[str, object]:
    result = cli(env, "status", "--json")
    return json.loads(result.stdout)


def test_one_gets_the_default_port_and_the_other_moves_and_says_so(room) -> None:
    default_port, users = room.default_port, room.users
    statuses = {name: status_of(env) for name, env in users.items()}

    assert all(s["healthy"] for s in statuses.values())
    ports = sorted(int(s["port"]) for s in statuses.values())  # type: ignore[arg-type]
    assert default_port in ports and len(set(ports)) == 2
    (moved,) = [name for name, s in statuses.items() if s["port"] != default_port]
    assert (f"Port {default_port} is taken (by another user's local cloud or another program), so this one "
            f"listens on port {statuses[moved]['port']}; the notebooks, make and the CLI find it there.") \
        in room.said_at_start[moved]


def test_a_taken_default_port_is_not_an_error_but_a_forced_one_is(room, tmp_path: Path) -> None:
    env = user_env(tmp_path / "third", room.default_port)
    (moved_port,) = {status_of(user)["port"] for user in room.users.values()} - {room.default_port}
    try:
        forced = cli(env, "start", "--port", str(moved_port))
    finally:
        cli(env, "stop")

    assert forced.returncode == 1
    assert forced.stderr.startswith(f"Port {moved_port} on 127.0.0.1 is already in use by another program;")
    assert not (tmp_path / "third" / "state.json").exists()


def test_a_users_notebook_finds_their_own_local_cloud(room) -> None:
    users = room.users
    probe = "from workshop_utils.cloud import target; print(target.endpoint_url())"
    for env in users.values():
        seen = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env,
                              cwd=repo_root(), timeout=60, check=True).stdout.strip()
        assert seen == status_of(env)["endpoint_url"]


def test_the_control_endpoints_refuse_another_users_token(room) -> None:
    users = room.users
    ada = state.read_record(Path(users["ada"]["LOCAL_CLOUD_HOME"]))
    grace = state.read_record(Path(users["grace"]["LOCAL_CLOUD_HOME"]))
    assert ada is not None and grace is not None and ada.token != grace.token

    for token in (None, grace.token):
        headers = {state.TOKEN_HEADER: token} if token else {}
        request = urllib.request.Request(f"{ada.endpoint_url}/_local_cloud/shutdown", method="POST", data=b"",
                                         headers=headers)
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        assert refused.value.code == 403
    assert service.status(home=Path(users["ada"]["LOCAL_CLOUD_HOME"])).healthy


# ---------------------------------------------------------------- both deploy both stacks at once, then each stops

DEPLOY = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from workshop_utils.deploy import cdk
    from workshop_utils.cloud import stacks
    from workshop_utils.cloud import target

    work = Path(sys.argv[1])
    runner = cdk.CdkRunner()
    runner.assembly, runner.build = work / "cdk.out", work / "build"  # each user's own assembly
    cdk._runner = runner
    target.use_target("local")
    target.check()
    cdk.ensure_bootstrapped()
    outputs = {stack: cdk.deploy(stack) for stack in stacks.STACKS}
    (work / "result.json").write_text(json.dumps({"endpoint": target.endpoint_url(), "outputs": outputs}))
    """
)


@pytest.mark.slow
def test_both_users_deploy_both_stacks_at_once_and_each_stops_only_their_own(room, tmp_path: Path) -> None:
    require_cdk_cli()
    users = room.users

    def deploy(name: str) -> subprocess.CompletedProcess[str]:
        (tmp_path / name).mkdir()
        return subprocess.run([sys.executable, "-c", DEPLOY, str(tmp_path / name)], capture_output=True,
                              text=True, env=users[name], cwd=repo_root(), timeout=1200, check=False)

    with ThreadPoolExecutor(2) as pool:
        deployed = dict(zip(users, pool.map(deploy, users), strict=True))

    for name, env in users.items():
        assert deployed[name].returncode == 0, (name, deployed[name].stdout[-3000:], deployed[name].stderr[-3000:])
        result = json.loads((tmp_path / name / "result.json").read_text())
        assert result["endpoint"] == status_of(env)["endpoint_url"]  # deployed to their own local cloud
        record = state.read_record(Path(env["LOCAL_CLOUD_HOME"]))
        assert record is not None
        cloudformation = boto3.client("cloudformation", endpoint_url=result["endpoint"], region_name="us-east-1",
                                      aws_access_key_id=record.access_key_id,
                                      aws_secret_access_key=record.secret_access_key)
        summaries = {s["StackName"]: s["StackStatus"] for s in cloudformation.describe_stacks()["Stacks"]}
        assert {summaries.get(stack) for stack in STACKS} == {"CREATE_COMPLETE"}, summaries
        assert set(result["outputs"]) == set(STACKS)

    stopped = cli(users["ada"], "stop")

    assert stopped.returncode == 0 and stopped.stdout.strip().endswith("Stopped.")
    assert status_of(users["ada"])["running"] is False
    assert status_of(users["grace"])["healthy"] is True  # grace's local cloud, stacks and workers are untouched
    assert cli(users["ada"], "stop").stdout.strip() == "The local cloud is not running."
    assert status_of(users["grace"])["healthy"] is True
