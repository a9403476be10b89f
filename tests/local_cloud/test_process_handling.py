"""Process handling without /proc: which pid is our server, how stop escalates, peak memory, native Windows."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import psutil
import pytest

from workshop_utils.local_cloud import __main__ as cli
from workshop_utils.local_cloud import config, service, state
from workshop_utils.local_cloud.lambda_runtime import logs

# ---------------------------------------------------------------- "is this pid our server?" with a fake psutil


class FakeProcess:
    """What state.server_process reads of a process: status, start time, real uid and command line."""

    def __init__(self, *, uid: int, command: list[str], created: float = 1000.0, zombie: bool = False) -> None:
        self._uid, self._command, self._created, self._zombie = uid, command, created, zombie

    def status(self) -> str:
        return psutil.STATUS_ZOMBIE if self._zombie else psutil.STATUS_SLEEPING

    def create_time(self) -> float:
        return self._created

    def uids(self) -> SimpleNamespace:
        return SimpleNamespace(real=self._uid, effective=self._uid, saved=self._uid)

    def cmdline(self) -> list[str]:
        return self._command


def server_command(home: Path) -> list[str]:
    return [sys.executable, "-m", state.SERVER_MODULE, "--port", "4566", "--home", str(home)]


def record(created: float | None = 1000.0) -> state.ServerRecord:
    return state.ServerRecord(4242, 4566, "http://127.0.0.1:4566", "x.log", 1001.0, "token", created)


@pytest.fixture
def fake_process(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, FakeProcess]]:
    """state.psutil.Process(pid) answers with the FakeProcess put in the returned dict under "process"."""
    table: dict[str, FakeProcess] = {}
    monkeypatch.setattr(state.psutil, "Process", lambda pid: table["process"])
    monkeypatch.setattr(state, "current_uid", lambda: 1001)
    yield table


def test_our_server_is_recognised(fake_process: dict[str, FakeProcess], tmp_path: Path) -> None:
    fake_process["process"] = FakeProcess(uid=1001, command=server_command(tmp_path))
    assert state.server_process(record(), tmp_path) is fake_process["process"]


@pytest.mark.parametrize(
    ("why", "process"),
    [
        ("another user's server", FakeProcess(uid=1002, command=server_command(Path("/home")))),
        ("another program got the pid", FakeProcess(uid=1001, command=["/usr/bin/vim", "notes.txt"])),
        ("our server for another home", FakeProcess(uid=1001, command=server_command(Path("/elsewhere")))),
        ("the pid was recycled", FakeProcess(uid=1001, command=server_command(Path("/home")), created=1500.0)),
        ("a zombie", FakeProcess(uid=1001, command=server_command(Path("/home")), zombie=True)),
    ],
)
def test_a_process_that_is_not_our_server_for_this_home_is_never_ours(
    fake_process: dict[str, FakeProcess], why: str, process: FakeProcess
) -> None:
    fake_process["process"] = process
    assert state.server_process(record(), Path("/home")) is None, why


def test_a_record_without_a_start_time_rejects_a_process_started_after_it(
    fake_process: dict[str, FakeProcess], tmp_path: Path
) -> None:
    fake_process["process"] = FakeProcess(uid=1001, command=server_command(tmp_path), created=1500.0)
    assert state.server_process(record(created=None), tmp_path) is None
    fake_process["process"] = FakeProcess(uid=1001, command=server_command(tmp_path), created=1000.0)
    assert state.server_process(record(created=None), tmp_path) is not None


def test_a_process_we_may_not_inspect_is_not_ours(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """macOS refuses another user's command line (AccessDenied): such a process is never treated as ours."""

    class Hidden(FakeProcess):
        def cmdline(self) -> list[str]:
            raise psutil.AccessDenied(4242)

    monkeypatch.setattr(state.psutil, "Process", lambda pid: Hidden(uid=1001, command=[]))
    monkeypatch.setattr(state, "current_uid", lambda: 1001)
    assert state.server_process(record(), tmp_path) is None


def test_liveness_and_group_members_of_real_processes() -> None:
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True)
    try:
        assert state.process_alive(sleeper.pid)
        if hasattr(os, "getpgid"):
            assert state.process_group_members(sleeper.pid) == [sleeper.pid]
    finally:
        sleeper.kill()
        sleeper.wait()
    assert not state.process_alive(sleeper.pid)
    assert state.process_group_members(sleeper.pid) == []


# ---------------------------------------------------------------- stop: escalation, children, and only our own

# A stand-in server: its command line names our server module and the home (as the real one's does), it ignores
# SIGTERM, and it starts two "workers", one of them in a session of its own (out of reach of a process-group kill).
STUBBORN_SERVER = textwrap.dedent(
    """
    import signal, subprocess, sys, time
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    sleep = [sys.executable, "-c", "import time; time.sleep(120)"]
    workers = [subprocess.Popen(sleep), subprocess.Popen(sleep, start_new_session=True)]
    print(" ".join(str(w.pid) for w in workers), flush=True)
    time.sleep(120)
    """
)


def start_stand_in(home: Path, code: str = STUBBORN_SERVER) -> tuple[subprocess.Popen[str], list[int]]:
    process = subprocess.Popen(
        [sys.executable, "-c", code, state.SERVER_MODULE, "--home", str(home)],
        stdout=subprocess.PIPE, text=True, start_new_session=True,
    )
    assert process.stdout is not None
    workers = [int(pid) for pid in process.stdout.readline().split()]
    return process, workers


def write_record_for(home: Path, process: subprocess.Popen[str], *, created: float | None = None) -> None:
    created = psutil.Process(process.pid).create_time() if created is None else created
    state.write_record(home, state.ServerRecord(
        process.pid, 9, "http://127.0.0.1:9", str(home / "server.log"), created + 1, "token", created))


@pytest.mark.skipif(sys.platform == "win32", reason="the local cloud does not run on native Windows")
def test_stop_escalates_to_sigkill_and_leaves_no_worker_behind(tmp_path: Path) -> None:
    server, workers = start_stand_in(tmp_path)
    write_record_for(tmp_path, server)
    messages: list[str] = []
    try:
        stopped = service.stop(home=tmp_path, timeout=2.0, progress=messages.append)
        server.wait(10)
    finally:
        for pid in [server.pid, *workers]:
            if state.process_alive(pid):
                os.kill(pid, 9)

    assert stopped == service.Status(running=False, healthy=False)
    assert messages == [
        f"Stopping the local cloud (pid {server.pid}) ...",
        "  no answer to the shutdown request; sending SIGTERM",
        "  still running; sending SIGKILL",
        "Stopped.",
    ]
    assert server.returncode == -9
    assert not any(state.process_alive(pid) for pid in workers)
    assert not state.state_file(tmp_path).exists()


@pytest.mark.parametrize("whose", ["another home's server", "a recycled pid"])
def test_stop_never_signals_a_process_that_is_not_this_homes_server(tmp_path: Path, whose: str) -> None:
    other_home, own_home = tmp_path / "other", tmp_path / "own"
    server, workers = start_stand_in(other_home)
    try:
        if whose == "another home's server":
            write_record_for(own_home, server)  # our state file names the other home's server
        else:
            write_record_for(own_home, server, created=psutil.Process(server.pid).create_time() - 100)
        messages: list[str] = []

        stopped = service.stop(home=own_home, timeout=2.0, progress=messages.append)

        assert stopped.running is False and messages == ["The local cloud is not running."]
        assert state.process_alive(server.pid) and all(state.process_alive(pid) for pid in workers)
        assert not state.state_file(own_home).exists()  # the stale record is pruned
    finally:
        for pid in [server.pid, *workers]:
            if state.process_alive(pid):
                os.kill(pid, 9)
        server.wait(10)


# ---------------------------------------------------------------- the state file and the home


def test_the_state_file_and_its_folder_are_private(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir(mode=0o755)  # e.g. a .local_cloud folder from before, open to everyone
    home.chmod(0o755)
    state.write_record(home, record())

    assert state.state_file(home).stat().st_mode & 0o777 == 0o600
    assert home.stat().st_mode & 0o777 == 0o700
    assert state.read_record(home) == record()


def test_a_shared_checkout_gives_each_user_a_home_of_their_own(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("LOCAL_CLOUD_HOME", raising=False)
    monkeypatch.setattr(config, "_owned_by_current_user", lambda path: True)
    assert config.home_dir() == config.repo_root() / ".local_cloud"  # a learner's own clone

    monkeypatch.setattr(config, "_owned_by_current_user", lambda path: False)
    monkeypatch.setattr(Path, "home", classmethod(lambda cls: tmp_path / "learner"))
    home = config.home_dir()
    assert home.parent == tmp_path / "learner" / ".local_cloud"
    assert home.name.startswith(config.repo_root().name + "-")

    monkeypatch.setenv("LOCAL_CLOUD_HOME", str(tmp_path / "chosen"))
    assert config.home_dir() == tmp_path / "chosen"


def test_the_default_port_can_be_set_for_tests(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(config.DEFAULT_PORT_ENV, raising=False)
    assert config.default_port() == 4566
    monkeypatch.setenv(config.DEFAULT_PORT_ENV, "4700")
    assert config.default_port() == 4700


# ---------------------------------------------------------------- peak memory for REPORT lines


def test_max_memory_used_is_the_highest_sample_of_a_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    samples = iter([50 * 2**20, 80 * 2**20 + 1, 60 * 2**20])

    class Sampled:
        def is_running(self) -> bool:
            return True

        def memory_info(self) -> SimpleNamespace:
            return SimpleNamespace(rss=next(samples))

    monkeypatch.setattr(logs.psutil, "Process", lambda pid: Sampled())
    monkeypatch.setattr(logs, "_PEAKS", {})

    assert [logs.max_memory_used_mb(77) for _ in range(3)] == [50, 81, 81]


def test_max_memory_used_of_a_real_process_and_of_a_gone_one(monkeypatch: pytest.MonkeyPatch) -> None:
    assert logs.max_memory_used_mb(os.getpid()) >= 1
    assert logs.max_memory_used_mb(None) == 0

    def gone(pid: int) -> psutil.Process:
        raise psutil.NoSuchProcess(pid)

    monkeypatch.setattr(logs.psutil, "Process", gone)
    assert logs.max_memory_used_mb(4_000_000) == 0  # a worker that exited before its first REPORT


def test_a_worker_killed_before_its_report_keeps_the_peak_seen_earlier() -> None:
    worker = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        seen = logs.max_memory_used_mb(worker.pid)
    finally:
        worker.kill()
        worker.wait()
    assert seen >= 1
    assert logs.max_memory_used_mb(worker.pid) == seen


# ---------------------------------------------------------------- native Windows


def test_native_windows_is_refused_in_one_sentence(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setattr(sys, "platform", "win32")

    with pytest.raises(service.LocalCloudError) as raised:
        service.start(home=tmp_path, progress=None)
    assert cli.main(["start"]) == 1

    message = str(raised.value)
    assert message == capsys.readouterr().err.strip()
    assert "native Windows" in message and "WSL2" in message
    assert message.endswith(".") and message.count(". ") == 0 and "\n" not in message
    assert not (tmp_path / "state.json").exists()



# ---------------------------------------------------------------- a taken port


def test_a_taken_default_port_falls_back_to_a_free_one_and_a_forced_one_is_refused() -> None:
    from workshop_utils.local_cloud import server

    with socket.socket() as other_program:
        other_program.bind(("127.0.0.1", 0))
        other_program.listen()
        taken = other_program.getsockname()[1]

        with server._bind(taken, any_port_if_taken=True) as moved:
            assert moved.getsockname()[1] not in (0, taken)
        with pytest.raises(server.ServerError, match=f"^Port {taken} on 127.0.0.1 is already in use"):
            server._bind(taken)
