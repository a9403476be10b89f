"""Run the pinned CDK CLI against the current target with live output and progress; synth once, read outputs."""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from botocore.exceptions import ClientError

from workshop_utils.cloud import target
from workshop_utils.cloud.stacks import StackNotDeployed  # one exception, whichever module finds out
from workshop_utils.deploy import context as cdk_context
from workshop_utils.deploy import stack_follower, warm_synth
from workshop_utils.deploy.failures import CdkCliMissing, CdkCommandFailed, failure_message
from workshop_utils.deploy.fingerprint import REPO_ROOT, fingerprint
from workshop_utils.deploy.output import is_noise, learner_printer
from workshop_utils.deploy.output_dir import output_dir
from workshop_utils.deploy.progress import (
    Progress,
    ProgressDisplay,
    failure_summary,
    make_display,
    parse_progress,
    strip_ansi,
)
from workshop_utils.teaching.prerequisites import node_install_hint

__all__ = [
    "CdkCliMissing",
    "CdkCommandFailed",
    "CdkRunner",
    "Progress",
    "StackNotDeployed",
    "bootstrap",
    "deploy",
    "destroy",
    "diff",
    "ensure_bootstrapped",
    "failure_summary",
    "fingerprint",
    "outputs",
    "parse_progress",
    "stop_warm_synth",
    "synth",
    "warm_up",
]

APP_MODULE = "infra.app"
FINGERPRINT_FILE = "workshop-fingerprint.json"
# Quiet, offline-friendly CLI: no version check, telemetry or notices; no Node end-of-life banners from
# jsii (the prerequisites check reports the Node version instead).
_CLI_ENV_DEFAULTS = {
    "CDK_DISABLE_VERSION_CHECK": "1",
    "CDK_DISABLE_CLI_TELEMETRY": "true",
    "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "14,16,18,20",
    "JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION": "1",
    "JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION": "1",
    "NODE_NO_WARNINGS": "1",
    "PYTHONUNBUFFERED": "1",
}
# The CLI prints CloudFormation event times in the process's time zone: UTC, like the logs beside them.
_CLI_ENV_FORCED = {"TZ": "UTC"}
_COMMON_FLAGS = ("--ci", "--no-color", "--no-notices")

LineCallback = Callable[[str], None]


@dataclass
class RunResult:
    """What a CLI run printed, and its events."""

    returncode: int
    lines: list[str] = field(default_factory=list)
    events: list[Progress] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def _print_line(line: str) -> None:
    print(line, flush=True)


# ---------------------------------------------------------------- pure helpers


def context_overrides(context: Mapping[str, Any] | None) -> dict[str, str]:
    """The context as `-c` passes it: strings; values other than strings as JSON (the app parses them).

    Keys inside a value keep their order: the vendors' order in `recipients` is the order of the branches.
    """
    return {
        key: value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
        for key, value in sorted((context or {}).items())
    }


def context_args(context: Mapping[str, Any] | None) -> list[str]:
    """`-c key=value` pairs, in key order."""
    return [arg for key, text in context_overrides(context).items() for arg in ("-c", f"{key}={text}")]


# ---------------------------------------------------------------- the runner


class CdkRunner:
    """Runs the CDK CLI from the repo root with the target's environment; caches the synthesized assembly."""

    def __init__(
        self,
        *,
        root: Path = REPO_ROOT,
        cli: Path | None = None,
        python: str = sys.executable,
        popen: Callable[..., Any] = subprocess.Popen,
        env: Callable[[], dict[str, str]] = target.cdk_env,
        display: Callable[[], ProgressDisplay] | str = "auto",
        preflight: Callable[[str], None] | None = None,
        warm: warm_synth.WarmSynth | None | Literal["auto"] = "auto",
        follow: Callable[[ProgressDisplay, str], ProgressDisplay] | None | Literal["auto"] = "auto",
    ) -> None:
        self.root = Path(root)
        self.cli = Path(cli) if cli else self.root / "node_modules" / ".bin" / "cdk"
        self.python = python
        self.assembly = output_dir(self.root) / "cdk.out"
        self.build = output_dir(self.root) / "build"
        self._popen = popen
        self._env = env
        self._display = display if callable(display) else (lambda kind=display: make_display(kind))
        self._preflight = preflight if preflight is not None else self._check_target
        # Synthesizes in a process kept warm (None: `cdk synth` in a new process every time). "auto": the kernel's
        # shared one when this is the workshop's app run for real (it builds infra.app.build_app; a faked CLI
        # or another app synthesizes with the CLI).
        real = popen is subprocess.Popen and self.root.resolve() == REPO_ROOT.resolve()
        auto = warm_synth.shared(self.root, python) if real else None
        self.warm = auto if isinstance(warm, str) else warm
        # Feeds the progress display from the stack's own events while a deploy, destroy or bootstrap runs (None:
        # from the CLI's lines). "auto": when the CLI runs for real against the target (not a faked one).
        self.follow = (stack_follower.following if real else None) if isinstance(follow, str) else follow

    # ------------------------------------------------------------ plumbing

    def app_command(self) -> str:
        """The `--app` for a synth: the kernel's own Python runs the CDK app."""
        return f"{shlex.quote(self.python)} -m {APP_MODULE}"

    def cli_env(self) -> dict[str, str]:
        env = self._env()
        for name, value in _CLI_ENV_DEFAULTS.items():
            env.setdefault(name, value)
        env.update(_CLI_ENV_FORCED)
        return env

    def _require_cli(self, env: Mapping[str, str]) -> None:
        if shutil.which("node", path=env.get("PATH")) is None:
            raise CdkCliMissing(
                f"Node.js was not found on the PATH: install Node.js 22 ({node_install_hint()}), run `make setup` "
                "in a new terminal, then `make lab` there again and re-run this cell."
            )
        if not self.cli.exists():
            shown = self.cli.relative_to(self.root) if self.cli.is_relative_to(self.root) else self.cli
            raise CdkCliMissing(
                f"The pinned CDK CLI ({shown}) is not installed: run `make setup` in a terminal, then re-run this cell."
            )

    def run(
        self,
        verb: str,
        args: list[str],
        *,
        stack: str | None = None,
        on_line: LineCallback | None = None,
        cwd: Path | None = None,
        expected_total: int | None = None,
        env: dict[str, str] | None = None,
    ) -> RunResult:
        """Run `cdk <verb> <args>`, streaming every line to on_line and events to the progress display."""
        env = env if env is not None else self.cli_env()
        self._require_cli(env)
        argv = [str(self.cli), verb, *args]
        # Without a callback of its own, the learner reads the output without the CLI's notices (all of it
        # is still kept in the result, for the failure message).
        on_line = on_line or learner_printer(_print_line)
        display = self._display()
        if stack and verb in stack_follower.FOLLOWED_VERBS and self.follow is not None:
            display = self.follow(display, stack)
        display.start(f"cdk {verb}{' ' + stack if stack else ''}", expected_total)
        result = RunResult(returncode=-1)
        try:
            process = self._popen(
                argv,
                cwd=str(cwd or self.root),
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                text=True,
                encoding="utf-8",
                errors="replace",
                bufsize=1,
            )
        except OSError as error:
            display.finish(False, "could not start")
            raise CdkCliMissing(
                f"The CDK CLI could not be started ({error}): run `make setup` in a terminal, then re-run this cell."
            ) from error
        try:
            for raw in process.stdout:
                line = strip_ansi(raw.rstrip("\r\n"))
                result.lines.append(line)
                on_line(line)
                event = parse_progress(line)
                if event is not None:
                    result.events.append(event)
                    display.update(event)
            result.returncode = process.wait()
        except BaseException:
            _stop(process)
            display.finish(False, "interrupted")
            raise
        if result.returncode != 0:
            _raise_failure(verb, stack, argv, result, display)
        display.finish(True, "done")
        return result

    # ------------------------------------------------------------ synth and its cache

    def fingerprint(self, context: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None) -> str:
        return fingerprint(context, root=self.root, env=env if env is not None else self.cli_env(), python=self.python)

    def _stored_fingerprint(self) -> str | None:
        try:
            return json.loads((self.assembly / FINGERPRINT_FILE).read_text())["fingerprint"]
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def is_synth_current(self, context: Mapping[str, Any] | None = None) -> bool:
        """True when cdk.out was synthesized from exactly these sources, context and target."""
        return (self.assembly / "manifest.json").exists() and self._stored_fingerprint() == self.fingerprint(context)

    def synth(
        self, context: Mapping[str, Any] | None = None, *, on_line: LineCallback | None = None, force: bool = False
    ) -> Path:
        """Synthesize both stacks into cdk.out, unless it is already current; returns the assembly folder."""
        env = self.cli_env()
        current = self.fingerprint(context, env)
        if not force and (self.assembly / "manifest.json").exists() and self._stored_fingerprint() == current:
            (on_line or _print_line)("Nothing changed since the last synth: reusing cdk.out.")
            self.warm_up(env)  # the next context change will find the warm synth ready
            return self.assembly
        (self.assembly / FINGERPRINT_FILE).unlink(missing_ok=True)
        if not self._synth_warm(context, env, on_line):
            args = ["--app", self.app_command(), "--output", str(self.assembly), "--quiet", *_COMMON_FLAGS]
            self.run("synth", args + context_args(context), on_line=on_line, env=env)
        (self.assembly / FINGERPRINT_FILE).write_text(
            json.dumps({"fingerprint": current, "context": dict(context or {})}, indent=2, default=str)
        )
        return self.assembly

    def warm_up(self, env: dict[str, str] | None = None, *, wait: bool = False) -> None:
        """Get the warm synth ready in the background (nothing when it is off or already warm); `wait` for it."""
        env = env if env is not None else self.cli_env()
        if self.warm is not None and warm_synth.enabled(env):
            self.warm.warm_up(env, cdk_context.cli_context(self.root, {}))
            if wait:
                self.warm.wait_warm()

    def _synth_warm(self, context: Mapping[str, Any] | None, env: dict[str, str], on_line: LineCallback | None) -> bool:
        """Synthesize in the warm process, as `cdk synth` would; False when it cannot (the CLI synthesizes then)."""
        if self.warm is None or not warm_synth.enabled(env):
            return False
        self._require_cli(env)  # the deploy that follows needs it anyway: say so before synthesizing
        on_line = on_line or learner_printer(_print_line)
        full_context = cdk_context.cli_context(self.root, context_overrides(context))
        display = self._display()
        display.start("cdk synth")
        try:
            reply = self.warm.synth(self.assembly, full_context, env)
        except warm_synth.WarmSynthUnavailable as error:
            display.finish(True, "handed over to cdk synth")  # nothing failed yet: the CLI takes over
            on_line(f"The warm synth is unavailable ({error}); synthesizing with the CDK CLI instead.")
            return False
        except BaseException:
            display.finish(False, "interrupted")
            raise
        lines = reply.lines if not reply.ok else cdk_context.assembly_errors(self.assembly)
        if lines:
            for line in lines:
                on_line(line)
            command = [self.python, "-m", warm_synth.SERVER_MODULE]
            _raise_failure("synth", None, command, RunResult(1, lines), display)
        display.finish(True, "done")
        return True

    def _stacks_in_assembly(self) -> dict[str, dict]:
        try:
            artifacts = json.loads((self.assembly / "manifest.json").read_text()).get("artifacts", {})
        except (OSError, ValueError):
            return {}
        return {
            name: artifact for name, artifact in artifacts.items() if artifact.get("type") == "aws:cloudformation:stack"
        }

    def expected_total(self, stack: str) -> int | None:
        """Resources in the synthesized template, plus the stack itself (how the CLI counts)."""
        artifact = self._stacks_in_assembly().get(stack)
        if not artifact:
            return None
        template = artifact.get("properties", {}).get("templateFile", f"{stack}.template.json")
        try:
            resources = json.loads((self.assembly / template).read_text()).get("Resources", {})
        except (OSError, ValueError):
            return None
        return len(resources) + 1

    # ------------------------------------------------------------ target checks

    def _check_target(self, verb: str) -> None:
        """Before touching the target: it must be reachable, and bootstrapped for deploy and diff."""
        if verb in ("deploy", "diff"):
            self.ensure_bootstrapped()
        else:
            target.check(require_bootstrap=False)

    def _emulated(self) -> bool:
        return target.current() == target.LOCAL or target.endpoint_override() is not None

    # ------------------------------------------------------------ commands

    def outputs_file(self, stack: str) -> Path:
        return self.build / f"cdk-outputs-{stack}.json"

    def _target_stamp(self) -> dict[str, Any]:
        info = target.describe()
        stamp: dict[str, Any] = {"target": info.name, "endpoint": info.endpoint, "region": info.region}
        if self._emulated() and not target.endpoint_override():
            status = target.local_cloud_status()  # a restarted local cloud has forgotten its stacks
            stamp["local_cloud_pid"] = getattr(status, "pid", None)
        return stamp

    def _stamp_file(self, stack: str) -> Path:
        return self.build / f"cdk-outputs-{stack}.target.json"

    def deploy(
        self,
        stack: str,
        context: Mapping[str, Any] | None = None,
        *,
        on_line: LineCallback | None = None,
        method: str | None = None,
    ) -> dict[str, str]:
        """Deploy one stack (synthesizing first only if needed); returns its outputs."""
        self._preflight("deploy")
        self.synth(context, on_line=on_line)
        self.build.mkdir(parents=True, exist_ok=True)
        outputs_file = self.outputs_file(stack)
        outputs_file.unlink(missing_ok=True)
        self._stamp_file(stack).unlink(missing_ok=True)
        args = [
            stack,
            "--app",
            str(self.assembly),
            "--progress",
            "events",
            "--require-approval",
            "never",
            "--outputs-file",
            str(outputs_file),
            *_COMMON_FLAGS,
        ]
        if method:
            args += ["--method", method]
        self.run("deploy", args, stack=stack, on_line=on_line, expected_total=self.expected_total(stack))
        self._stamp_file(stack).write_text(json.dumps(self._target_stamp(), indent=2))
        return self.outputs(stack)

    def destroy(self, stack: str, *, on_line: LineCallback | None = None) -> None:
        """Delete one stack; any assembly that contains it will do, so usually no synth."""
        self._preflight("destroy")
        if stack not in self._stacks_in_assembly():
            self.synth(on_line=on_line)
        args = [stack, "--app", str(self.assembly), "--force", *_COMMON_FLAGS]
        self.run("destroy", args, stack=stack, on_line=on_line, expected_total=self.expected_total(stack))
        self.outputs_file(stack).unlink(missing_ok=True)
        self._stamp_file(stack).unlink(missing_ok=True)

    def diff(self, stack: str, context: Mapping[str, Any] | None = None, *, on_line: LineCallback | None = None) -> str:
        """What deploying the stack with this context would change, as the CLI prints it."""
        self._preflight("diff")
        self.synth(context, on_line=on_line)
        args = [stack, "--app", str(self.assembly), *_COMMON_FLAGS]
        if self._emulated():
            # Emulators half-support read-only change sets; the template diff is quicker and as telling here.
            args += ["--method", "template"]
        return self.run("diff", args, stack=stack, on_line=on_line).text

    def outputs(self, stack: str) -> dict[str, str]:
        """The stack's outputs: from the file the last deploy wrote on this target, else from CloudFormation."""
        try:
            stamp = json.loads(self._stamp_file(stack).read_text())
            written = json.loads(self.outputs_file(stack).read_text()).get(stack) or {}
        except (OSError, ValueError, AttributeError):
            stamp, written = None, {}
        if written and stamp == self._target_stamp():
            return dict(written)
        try:
            described = target.client("cloudformation").describe_stacks(StackName=stack)["Stacks"]
        except ClientError as error:
            if "does not exist" in str(error):
                raise StackNotDeployed(
                    f"{stack} is not deployed on the {target.current()} target: run its deploy cell "
                    f"(workshop_utils.deploy.cdk.deploy({stack!r})), then re-run this cell."
                ) from error
            raise
        return {item["OutputKey"]: item["OutputValue"] for item in (described[0].get("Outputs") or [])}

    def bootstrap(self, *, on_line: LineCallback | None = None) -> None:
        """Bootstrap the target's account and region (the CDKToolkit stack), without synthesizing the app."""
        self._preflight("bootstrap")
        info = target.describe()
        if not info.account or not info.region:
            raise target.TargetNotReady(
                "The account or region of the target is unknown: run target.check() for the fix, then re-run this cell."
            )
        # Outside the repo root on purpose: with cdk.json in sight the CLI would synthesize the app first.
        workdir = self.build / "cdk-bootstrap"
        workdir.mkdir(parents=True, exist_ok=True)
        environment = f"aws://{info.account}/{info.region}"
        self.run("bootstrap", [environment, *_COMMON_FLAGS], stack=target.TOOLKIT_STACK, on_line=on_line, cwd=workdir)

    def ensure_bootstrapped(self, *, on_line: LineCallback | None = None) -> bool:
        """Bootstrap the local cloud (or a custom emulator) if needed; on AWS only verify. True if it bootstrapped."""
        target.check(require_bootstrap=False)
        if target.is_bootstrapped():
            return False
        if not self._emulated():
            target.check()  # raises TargetNotReady with the `cdk bootstrap` command to run
            return False
        self.bootstrap(on_line=on_line)
        return True


def _raise_failure(verb: str, stack: str | None, argv: list[str], result: RunResult, display: ProgressDisplay) -> None:
    """Finish the display in red and raise the one-sentence failure (what failed, why, what to do)."""
    cause = failure_summary([line for line in result.lines if not is_noise(line)], result.events)
    message = failure_message(verb, stack, result.lines, result.returncode, cause)
    display.finish(False, cause or f"exit code {result.returncode}")
    raise CdkCommandFailed(
        message,
        command=argv,
        returncode=result.returncode,
        output=result.lines,
        failures=[event for event in result.events if event.failed],
        cause=cause,
    )


def _stop(process: Any) -> None:
    """Stop the CLI (and with it the app) when the cell is interrupted."""
    try:
        process.terminate()
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
    except OSError:  # already gone
        pass


# ---------------------------------------------------------------- module-level API (the default runner)

_runner = CdkRunner()


def runner() -> CdkRunner:
    return _runner


def synth(
    context: Mapping[str, Any] | None = None, *, on_line: LineCallback | None = None, force: bool = False
) -> Path:
    """Synthesize into cdk.out unless nothing changed since the last synth."""
    return _runner.synth(context, on_line=on_line, force=force)


def deploy(
    stack: str,
    context: Mapping[str, Any] | None = None,
    *,
    on_line: LineCallback | None = None,
    method: str | None = None,
) -> dict[str, str]:
    """Deploy `stack` to the current target with live progress; returns its outputs."""
    return _runner.deploy(stack, context, on_line=on_line, method=method)


def destroy(stack: str, *, on_line: LineCallback | None = None) -> None:
    """Destroy `stack` on the current target with live progress."""
    _runner.destroy(stack, on_line=on_line)


def diff(stack: str, context: Mapping[str, Any] | None = None, *, on_line: LineCallback | None = None) -> str:
    """`cdk diff` of `stack` with these context overrides, as text."""
    return _runner.diff(stack, context, on_line=on_line)


def outputs(stack: str) -> dict[str, str]:
    """The outputs of a deployed stack."""
    return _runner.outputs(stack)


def bootstrap(*, on_line: LineCallback | None = None) -> None:
    """Bootstrap the current target's account and region."""
    _runner.bootstrap(on_line=on_line)


def ensure_bootstrapped(*, on_line: LineCallback | None = None) -> bool:
    """Bootstrap the local cloud if needed (idempotent); on AWS, raise with the bootstrap command if missing."""
    return _runner.ensure_bootstrapped(on_line=on_line)


def warm_up(*, wait: bool = False) -> None:
    """Start the warm synth in the background, so the first context change is quick (a notebook's first cell)."""
    _runner.warm_up(wait=wait)


def stop_warm_synth() -> int:
    """End the warm synth processes of this checkout (every kernel's); the next synth starts one again."""
    if _runner.warm is not None:
        _runner.warm.stop()
    return warm_synth.stop_all(_runner.root)
