"""The warm synth's client: one synth process per kernel, fed the context the CDK CLI would give the app.

`cdk synth` starts Python, imports aws_cdk and loads aws-cdk-lib into a fresh node runtime every time: about
10 of its 12 seconds. The process started here pays that once, then synthesizes each new context in about a
second. It is a child that reads its stdin, so it dies with the kernel; `stop_all()` (make clean, the cleanup
notebook) ends every one this checkout started.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

from workshop_utils.cdk_fingerprint import REPO_ROOT, sources_digest

# The switch: WORKSHOP_WARM_SYNTH=0 synthesizes with `cdk synth` in a new process every time, as before.
SWITCH = "WORKSHOP_WARM_SYNTH"
SERVER_MODULE = "workshop_utils.synth_server"
REGISTRY = Path("build") / "warm-synth"
# What the framework reads from the node runtime's environment, fixed when the process starts.
_ENV_KEYS = ("CDK_DEFAULT_ACCOUNT", "CDK_DEFAULT_REGION", "AWS_REGION")
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


# ---------------------------------------------------------------- the context the CLI would pass


def _read_json(path: Path) -> dict[str, Any]:
    try:
        loaded = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _deep_merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def cli_context(root: Path, overrides: Mapping[str, str], home: Path | None = None) -> dict[str, Any]:
    """The context `cdk synth -c ...` hands the app (CDK_CONTEXT_JSON), computed as the CLI does.

    Later sources win: ~/.cdk.json's context, cdk.context.json, cdk.json's context, then `-c` (strings, as the
    CLI passes them); then the keys the CLI derives from its settings (path and asset metadata, version
    reporting, bundling). A test compares the templates with the CLI's own synth.
    """
    user = _read_json((home or Path.home()) / ".cdk.json")
    project = _read_json(root / "cdk.json")
    context: dict[str, Any] = {}
    for bag in (user.get("context"), _read_json(root / "cdk.context.json"), project.get("context"), overrides):
        context = _deep_merge(context, bag or {})
    settings = {**user, **project}
    if settings.get("pathMetadata", True):
        context["aws:cdk:enable-path-metadata"] = True
    if settings.get("assetMetadata", True):
        context["aws:cdk:enable-asset-metadata"] = True
    if settings.get("versionReporting", True):
        context["aws:cdk:version-reporting"] = True
    else:
        context["aws:cdk:disable-version-reporting"] = True
    if not settings.get("staging", True):
        context["aws:cdk:disable-asset-staging"] = True
    context["aws:cdk:bundling-stacks"] = settings.get("bundlingStacks", ["**"])
    context["@aws-cdk/core:failSynthOnValidationErrors"] = False
    return context


def assembly_errors(assembly: Path) -> list[str]:
    """Error annotations in a synthesized assembly, as the CLI prints them (`cdk synth` fails on any); the last
    one becomes the failure's cause."""
    manifest = _read_json(assembly / "manifest.json")
    lines = []
    for artifact in (manifest.get("artifacts") or {}).values():
        for path, entries in (artifact.get("metadata") or {}).items():
            for entry in entries:
                if entry.get("type") == "aws:cdk:error":
                    lines.append(f"[Error at {path}] {entry.get('data')}")
    return lines


# ---------------------------------------------------------------- the process


class WarmSynth:
    """One synth process, restarted when infra/ or the target's account and region change."""

    def __init__(self, *, root: Path = REPO_ROOT, python: str = sys.executable,
                 popen: Callable[..., Any] = subprocess.Popen) -> None:
        self.root = Path(root)
        self.python = python
        self._popen = popen
        self._process: Any = None
        self._key: str | None = None

    def key(self, env: Mapping[str, str]) -> str:
        """What the running process depends on: infra/ (imported once), the Python, the env the framework reads."""
        fixed = {name: env.get(name, "") for name in _ENV_KEYS}
        return sources_digest(("infra",), root=self.root, extra=json.dumps([self.python, fixed], sort_keys=True))

    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self, env: Mapping[str, str]) -> None:
        """Start the process (returns once the app is imported), unless one with the same key runs."""
        key = self.key(env)
        if self.running() and key == self._key:
            return
        self.stop()
        child_env = {name: value for name, value in env.items() if name not in _CLI_ONLY_ENV}
        registry = self.root / REGISTRY
        registry.mkdir(parents=True, exist_ok=True)
        log = open(registry / f"kernel-{os.getpid()}.log", "w")  # noqa: SIM115 (the child holds it open)
        try:
            self._process = self._popen(
                [self.python, "-m", SERVER_MODULE],
                cwd=str(self.root), env=child_env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=log, text=True, encoding="utf-8", bufsize=1,
            )
        except OSError as error:
            raise WarmSynthUnavailable(f"the synth process could not start ({error})") from error
        finally:
            log.close()
        self._key = key
        hello = self._read_reply()
        _record(registry, self._process.pid)
        if not hello.get("ready"):
            self.stop()
            raise WarmSynthUnavailable("the synth process did not say it was ready")

    def _read_reply(self) -> dict[str, Any]:
        line = self._process.stdout.readline()
        if not line:
            self.stop()
            raise WarmSynthUnavailable(
                f"the synth process exited (its log: {self.root / REGISTRY}/kernel-{os.getpid()}.log)")
        return json.loads(line)

    def synth(self, outdir: Path, context: Mapping[str, Any], env: Mapping[str, str]) -> SynthReply:
        """Synthesize the app with this full context into outdir, holding the CLI's writer lock meanwhile."""
        self.start(env)
        outdir.mkdir(parents=True, exist_ok=True)
        lock = outdir / _WRITER_LOCK
        lock.write_text(str(self._process.pid))
        try:
            self._process.stdin.write(json.dumps({"outdir": str(outdir), "context": dict(context)}) + "\n")
            self._process.stdin.flush()
            reply = self._read_reply()
        except BaseException:  # interrupted mid-synth, or the pipe broke: this process cannot be trusted again
            self.stop()
            raise
        finally:
            lock.unlink(missing_ok=True)
        return SynthReply(bool(reply.get("ok")), list(reply.get("lines") or []))

    def stop(self) -> None:
        """End the process (closing stdin is enough; then escalate), and forget its record."""
        process, self._process, self._key = self._process, None, None
        if process is None:
            return
        try:
            process.stdin.close()
        except (OSError, ValueError):
            pass
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            _end_tree(process.pid)
        (self.root / REGISTRY / f"{process.pid}.json").unlink(missing_ok=True)


# ---------------------------------------------------------------- every process of this checkout


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
    registry = Path(root) / REGISTRY
    stopped = 0
    for record in sorted(registry.glob("*.json")) if registry.is_dir() else []:
        info = _read_json(record)
        record.unlink(missing_ok=True)
        try:
            same = abs(psutil.Process(int(info["pid"])).create_time() - float(info["create_time"])) < 1
        except (psutil.Error, KeyError, ValueError, TypeError):
            continue  # already gone (or the pid was reused by another program: never touch that)
        if same:
            _end_tree(int(info["pid"]))
            stopped += 1
    return stopped


def main(argv: list[str] | None = None) -> int:
    """`python -m workshop_utils.warm_synth stop`: what `make clean` runs."""
    args = sys.argv[1:] if argv is None else argv
    if args != ["stop"]:
        print("usage: python -m workshop_utils.warm_synth stop", file=sys.stderr)
        return 2
    count = stop_all()
    print(f"Stopped {count} warm synth process{'es' if count != 1 else ''}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
