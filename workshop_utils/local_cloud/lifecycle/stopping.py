"""Stop a local cloud and every worker it started: the shutdown API, then SIGTERM, then SIGKILL, then leftovers."""

from __future__ import annotations

import contextlib
import time
import urllib.request
from pathlib import Path

import psutil

from .. import state
from .status import Progress, Status, control_headers, home_path, live_record, say, started_here


def _still_running(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _gone(process: psutil.Process) -> bool:
    child = started_here.get(process.pid)
    if child is not None and child.poll() is not None:  # reaped here, or it would linger as a zombie
        return True
    return not _still_running(process)


def _wait_gone(process: psutil.Process, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not _gone(process):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _end_processes(processes: list[psutil.Process], seconds: float = 3.0) -> None:
    """SIGTERM, a short wait, then SIGKILL. psutil checks each pid still names the process it saw (no reuse)."""
    for process in processes:
        with contextlib.suppress(psutil.Error):
            process.terminate()
    _gone_ones, alive = psutil.wait_procs(processes, timeout=seconds)
    for process in alive:
        with contextlib.suppress(psutil.Error):
            process.kill()
    psutil.wait_procs(alive, timeout=seconds)


def _descendants(process: psutil.Process) -> list[psutil.Process]:
    """The server's workers (and anything they started), collected while the server still runs."""
    try:
        return process.children(recursive=True)
    except psutil.Error:
        return []


def _left_in_group(server: psutil.Process) -> list[psutil.Process]:
    """This user's processes still in the server's process group, started after it (what a worker left behind)."""
    try:
        since = server.create_time()
    except psutil.Error:
        return []
    left = []
    for pid in state.process_group_members(server.pid):
        with contextlib.suppress(psutil.Error):
            member = psutil.Process(pid)
            if member.create_time() >= since - 0.5:
                left.append(member)
    return left


def terminate(pid: int) -> None:
    """End a server this process just started (it failed to come up), with its workers."""
    try:
        server = psutil.Process(pid)
    except psutil.NoSuchProcess:
        return
    workers = _descendants(server)
    _end_processes([server])
    _gone(server)  # reap it
    _end_processes([w for w in workers + _left_in_group(server) if _still_running(w)])
    started_here.pop(pid, None)


def _ask_to_shut_down(record: state.ServerRecord) -> None:
    request = urllib.request.Request(f"{record.endpoint_url}/_local_cloud/shutdown", method="POST", data=b"",
                                     headers=control_headers(record))
    try:
        urllib.request.urlopen(request, timeout=2).close()
    except OSError:  # no answer, or refused: the signals below still stop it
        pass


def stop(*, home: Path | str | None = None, timeout: float = 10.0, progress: Progress = print) -> Status:
    """Stop this user's server and every worker: shutdown API, then SIGTERM, then SIGKILL, then any leftover.

    Only a process that is this user's, runs our server module for this home and started when the record says
    is ever signalled: a stale record's recycled pid, or another user's server, is left alone.
    """
    home = home_path(home)
    record = live_record(home)
    server = state.server_process(record, home) if record is not None else None
    if record is None or server is None:
        say(progress, "The local cloud is not running.")
        return Status(running=False, healthy=False)
    say(progress, f"Stopping the local cloud (pid {record.pid}) ...")
    workers = _descendants(server)
    _ask_to_shut_down(record)
    if not _wait_gone(server, timeout / 2):
        say(progress, "  no answer to the shutdown request; sending SIGTERM")
        with contextlib.suppress(psutil.Error):
            server.terminate()
        if not _wait_gone(server, timeout / 4):
            say(progress, "  still running; sending SIGKILL")
            with contextlib.suppress(psutil.Error):
                server.kill()
            _wait_gone(server, timeout / 4)
    leftovers = {p.pid: p for p in workers + _left_in_group(server) if _still_running(p)}
    if leftovers:
        _end_processes(list(leftovers.values()))
    started_here.pop(record.pid, None)
    state.remove_record(home, record.pid)
    say(progress, "Stopped.")
    return Status(running=False, healthy=False)
