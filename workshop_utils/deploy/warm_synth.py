"""The warm synth's client: one synth process per kernel, fed the context the CDK CLI would give the app.

`cdk synth` starts Python, imports aws_cdk and loads aws-cdk-lib into a fresh node runtime every time: about
10 of its 12 seconds. The process started here pays that once, then synthesizes each new context in about a
second. It is a child that reads its stdin, so it dies with the kernel; `stop_all()` (make clean, the cleanup
notebook) ends every one this checkout started.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

from infra.config import EXERCISES_DIR_ENV
from workshop_utils.deploy.context import read_json
from workshop_utils.deploy.fingerprint import REPO_ROOT, sources_digest
from workshop_utils.deploy.output_dir import output_dir
from workshop_utils.deploy.synth_server import READY

# The switch: WORKSHOP_WARM_SYNTH=0 synthesizes with `cdk synth` in a new process every time, as before.
SWITCH = "WORKSHOP_WARM_SYNTH"
SERVER_MODULE = "workshop_utils.deploy.synth_server"
REGISTRY = Path("build") / "warm-synth"  # relative to the checkout's output_dir() (the process deletes its own record)
# What the framework reads from the node runtime's environment, fixed when the process starts.
_ENV_KEYS = ("CDK_DEFAULT_ACCOUNT", "CDK_DEFAULT_REGION", "AWS_REGION", EXERCISES_DIR_ENV)
# The CLI passes these itself (or not at all): never let a stray copy in the kernel's environment leak in.
_CLI_ONLY_ENV = ("CDK_CONTEXT_JSON", "CONTEXT_OVERFLOW_LOCATION_ENV", "CDK_OUTDIR", "CDK_DEBUG")
_WRITER_LOCK = "synth.lock"  # the CDK CLI's own: while it exists, no CLI reads the assembly


def enabled(env: Mapping[str, str] | None = None) -> bool:
    """On unless WORKSHOP_WARM_SYNTH is 0, false, no or off."""
    value = (env if env is not None else os.environ).get(SWITCH, "1")
    return value.strip().lower() not in ("0", "false", "no", "off")


class WarmSynthUnavailable(RuntimeError):
    """The synth process could not start or died: the caller synthesizes with the CLI instead."""


@dataclass
class SynthReply:
    """What one synth said: ok, or the lines a learner reads (the app's error sentence, or a traceback)."""

    ok: bool
    lines: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- the process


class WarmSynth:
    """One synth process, restarted when infra/ or the target's account and region change; thread-safe."""

    def __init__(self, *, root: Path = REPO_ROOT, python: str = sys.executable,
                 popen: Callable[..., Any] = subprocess.Popen) -> None:
        self.root = Path(root)
        self.python = python
        self._popen = popen
        self._process: Any = None
        self._key: str | None = None
        self._lock = threading.RLock()  # one request at a time on the pipe (a warm-up may run in a thread)
        self._warming: threading.Thread | None = None

    @property
    def registry(self) -> Path:
        return output_dir(self.root) / REGISTRY

    def key(self, env: Mapping[str, str]) -> str:
        """What the running process depends on: infra/ (imported once), the Python, the env the framework reads."""
        fixed = {name: env.get(name, "") for name in _ENV_KEYS}
        return sources_digest(("infra",), root=self.root, extra=json.dumps([self.python, fixed], sort_keys=True))

    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def pid(self) -> int | None:
        return self._process.pid if self.running() else None

    def start(self, env: Mapping[str, str]) -> bool:
        """Start the process (returns once the app is imported) unless one with the same key runs; True if started.

        A process that ended on its own (idle, or killed) is started again here, transparently.
        """
        with self._lock:
            key = self.key(env)
            if self.running() and key == self._key:
                return False
            self.stop()
            # One warm process per checkout (about 650 MB each): this kernel's takes over from any other
            # kernel's, whose next synth starts one again (or falls back to the CLI if it was mid-synth).
            stop_all(self.root)
            _prune(self.registry)  # and the logs of kernels that are gone
            child_env = {name: value for name, value in env.items() if name not in _CLI_ONLY_ENV}
            self.registry.mkdir(parents=True, exist_ok=True)
            log = open(self._log(), "w")  # noqa: SIM115 (the child holds it open)
            try:
                self._process = self._popen(
                    [self.python, "-m", SERVER_MODULE, str(self.registry)],
                    cwd=str(self.root), env=child_env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                    stderr=log, text=True, encoding="utf-8", bufsize=1,
                )
            except OSError as error:
                raise WarmSynthUnavailable(f"the synth process could not start ({error})") from error
            finally:
                log.close()
            self._key = key
            _record(self.registry, self._process.pid)
            hello = self._read_reply()
            if not hello.get(READY):
                self.stop()
                raise WarmSynthUnavailable(f"the app did not import: {hello.get('reason', 'no reason given')}")
            return True

    def _log(self) -> Path:
        return self.registry / f"kernel-{os.getpid()}.log"

    def _read_reply(self) -> dict[str, Any]:
        line = self._process.stdout.readline()
        if not line:
            self.stop()
            raise WarmSynthUnavailable(f"the synth process exited; its log is {self._log()}")
        return json.loads(line)

    def _request(self, outdir: Path, context: Mapping[str, Any]) -> dict[str, Any]:
        try:
            self._process.stdin.write(json.dumps({"outdir": str(outdir), "context": dict(context)}) + "\n")
            self._process.stdin.flush()
        except OSError as error:  # it ended between the check and the write
            self.stop()
            raise WarmSynthUnavailable(f"the synth process exited ({error})") from error
        return self._read_reply()

    def synth(self, outdir: Path, context: Mapping[str, Any], env: Mapping[str, str]) -> SynthReply:
        """Synthesize the app with this full context into outdir, holding the CLI's writer lock meanwhile."""
        with self._lock:
            self.start(env)
            busy = _cli_busy(outdir)
            if busy:
                return SynthReply(False, [busy])
            outdir.mkdir(parents=True, exist_ok=True)
            lock = outdir / _WRITER_LOCK
            lock.write_text(str(self._process.pid))
            try:
                reply = self._request(outdir, context)
            except BaseException:  # interrupted mid-synth: this process cannot be trusted with the pipe again
                self.stop()
                raise
            finally:
                lock.unlink(missing_ok=True)
            return SynthReply(bool(reply.get("ok")), list(reply.get("lines") or []))

    def warm_up(self, env: Mapping[str, str], context: Mapping[str, Any]) -> threading.Thread | None:
        """In a thread: start the process and synthesize once into a scratch folder, so that the learner's first
        context change finds aws-cdk-lib loaded (the first synth in a process takes seconds more than the next)."""
        if not self._lock.acquire(blocking=False):
            return None  # a synth is under way: it warms the process anyway
        try:
            if self.running() and self._key == self.key(env):
                return None
        finally:
            self._lock.release()

        def run() -> None:
            scratch = self.registry / f"scratch-{os.getpid()}"
            try:
                with self._lock:
                    self.start(env)
                    self._request(scratch, context)
            except (WarmSynthUnavailable, OSError, ValueError):
                pass  # the next synth starts it again, or falls back to the CLI: nothing to say here
            finally:
                shutil.rmtree(scratch, ignore_errors=True)

        thread = threading.Thread(target=run, name="warm-synth-warm-up", daemon=True)
        self._warming = thread
        thread.start()
        return thread

    def wait_warm(self, timeout: float | None = None) -> None:
        """Wait for a warm-up under way (if any) to finish."""
        thread = self._warming
        if thread is not None:
            thread.join(timeout)

    def stop(self) -> None:
        """End the process (closing stdin is enough; then escalate), and forget its record."""
        with self._lock:
            process, self._process, self._key = self._process, None, None
            if process is None:
                return
            try:
                process.stdin.close()
            except (OSError, ValueError):
                pass
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                _end_tree(process.pid)
            (self.registry / f"{process.pid}.json").unlink(missing_ok=True)


_SHARED: dict[tuple[Path, str], WarmSynth] = {}


def shared(root: Path = REPO_ROOT, python: str = sys.executable) -> WarmSynth:
    """The kernel's one warm synth for this checkout: every runner in the process shares it (and its memory)."""
    key = (Path(root).resolve(), python)
    if key not in _SHARED:
        _SHARED[key] = WarmSynth(root=Path(root), python=python)
    return _SHARED[key]


def _cli_busy(outdir: Path) -> str | None:
    """The CDK CLI's own refusal when another CLI (another kernel's deploy) reads or writes the assembly."""
    for pattern, doing in (("synth.lock", "synthing to"), ("read.*.lock", "reading from")):
        pids = sorted({_live_pid(path) for path in outdir.glob(pattern)} - {None})
        if pids:
            who = "Another CLI" if doing == "synthing to" else "Other CLIs"
            return (f"{who} (PID={','.join(map(str, pids))}) {'is' if doing == 'synthing to' else 'are'} currently "
                    f"{doing} {outdir}. Invoke the CLI in sequence, or use '--output' to synth into different "
                    "directories.")
    return None


def _live_pid(lock: Path) -> int | None:
    try:
        pid = int(lock.read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if pid != os.getpid() and psutil.pid_exists(pid) else None


# ---------------------------------------------------------------- every process of this checkout


def _prune(registry: Path) -> None:
    """Forget the records and logs of processes (and kernels) that are gone."""
    for record in registry.glob("*.json") if registry.is_dir() else []:
        if not _same_process(read_json(record)):
            record.unlink(missing_ok=True)
    for log in registry.glob("kernel-*.log") if registry.is_dir() else []:
        kernel = log.stem.removeprefix("kernel-")
        if kernel.isdigit() and int(kernel) != os.getpid() and not psutil.pid_exists(int(kernel)):
            log.unlink(missing_ok=True)


def _same_process(info: Mapping[str, Any]) -> bool:
    """True when the recorded pid still is the process recorded (not a pid reused by another program)."""
    try:
        return abs(psutil.Process(int(info["pid"])).create_time() - float(info["create_time"])) < 1
    except (psutil.Error, KeyError, ValueError, TypeError):
        return False


def _record(registry: Path, pid: int) -> None:
    try:
        created = psutil.Process(pid).create_time()
    except psutil.Error:
        return
    (registry / f"{pid}.json").write_text(json.dumps({"pid": pid, "create_time": created, "kernel": os.getpid()}))


def _end_tree(pid: int) -> None:
    """SIGTERM the process and its children (jsii's node runtime), then SIGKILL what is left."""
    try:
        parent = psutil.Process(pid)
        processes = [parent, *parent.children(recursive=True)]
    except psutil.Error:
        return
    for process in processes:
        try:
            process.terminate()
        except psutil.Error:
            pass
    _gone, alive = psutil.wait_procs(processes, timeout=5)
    for process in alive:
        try:
            process.kill()
        except psutil.Error:
            pass


def stop_all(root: Path = REPO_ROOT) -> int:
    """End every synth process started from this checkout (by any kernel); returns how many were running."""
    registry = output_dir(Path(root)) / REGISTRY
    stopped = 0
    for record in sorted(registry.glob("*.json")) if registry.is_dir() else []:
        info = read_json(record)
        record.unlink(missing_ok=True)
        if _same_process(info):  # else already gone (or its pid now another program's: never touch that)
            _end_tree(int(info["pid"]))
            stopped += 1
    return stopped


def main(argv: list[str] | None = None) -> int:
    """`python -m workshop_utils.deploy.warm_synth stop`: what `make clean` runs."""
    args = sys.argv[1:] if argv is None else argv
    if args != ["stop"]:
        print("usage: python -m workshop_utils.deploy.warm_synth stop", file=sys.stderr)
        return 2
    count = stop_all()
    print(f"Stopped {count} warm synth process{'es' if count != 1 else ''}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
