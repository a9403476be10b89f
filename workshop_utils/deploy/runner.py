"""CdkRunner: the CDK CLI run from the repo root against the current target; synth once, deploy, diff, destroy."""

from __future__ import annotations

import shlex
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal

from workshop_utils.cloud import target
from workshop_utils.deploy import assembly as cloud_assembly
from workshop_utils.deploy import bootstrap as bootstrapping
from workshop_utils.deploy import context as cdk_context
from workshop_utils.deploy import stack_follower, stack_outputs, warm_synth
from workshop_utils.deploy.cli_process import (
    COMMON_FLAGS,
    LineCallback,
    RunResult,
    print_line,
    quiet_utc_env,
    raise_failure,
    require_cli,
    run_process,
)
from workshop_utils.deploy.fingerprint import REPO_ROOT, fingerprint
from workshop_utils.deploy.output import learner_printer
from workshop_utils.deploy.output_dir import output_dir
from workshop_utils.deploy.progress import ProgressDisplay, make_display

APP_MODULE = "infra.app"


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
        return quiet_utc_env(self._env())

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
        require_cli(self.cli, self.root, env)
        display = self._display()
        if stack and verb in stack_follower.FOLLOWED_VERBS and self.follow is not None:
            display = self.follow(display, stack)
        display.start(f"cdk {verb}{' ' + stack if stack else ''}", expected_total)
        # Without a callback of its own, the learner reads the output without the CLI's notices (all of it
        # is still kept in the result, for the failure message).
        return run_process(
            [str(self.cli), verb, *args], verb=verb, stack=stack, popen=self._popen, cwd=cwd or self.root, env=env,
            on_line=on_line or learner_printer(print_line), display=display,
        )

    # ------------------------------------------------------------ synth and its cache

    def fingerprint(self, context: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None) -> str:
        return fingerprint(context, root=self.root, env=env if env is not None else self.cli_env(), python=self.python)

    def is_synth_current(self, context: Mapping[str, Any] | None = None) -> bool:
        """True when cdk.out was synthesized from exactly these sources, context and target."""
        return cloud_assembly.is_current(self.assembly, self.fingerprint(context))

    def synth(
        self, context: Mapping[str, Any] | None = None, *, on_line: LineCallback | None = None, force: bool = False
    ) -> Path:
        """Synthesize both stacks into cdk.out, unless it is already current; returns the assembly folder."""
        env = self.cli_env()
        current = self.fingerprint(context, env)
        if not force and cloud_assembly.is_current(self.assembly, current):
            (on_line or print_line)("Nothing changed since the last synth: reusing cdk.out.")
            self.warm_up(env)  # the next context change will find the warm synth ready
            return self.assembly
        cloud_assembly.forget_fingerprint(self.assembly)
        if not self._synth_warm(context, env, on_line):
            args = ["--app", self.app_command(), "--output", str(self.assembly), "--quiet", *COMMON_FLAGS]
            self.run("synth", args + cdk_context.context_args(context), on_line=on_line, env=env)
        cloud_assembly.record_fingerprint(self.assembly, current, context)
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
        require_cli(self.cli, self.root, env)  # the deploy that follows needs it anyway: say so before synthesizing
        on_line = on_line or learner_printer(print_line)
        full_context = cdk_context.cli_context(self.root, cdk_context.context_overrides(context))
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
            raise_failure("synth", None, command, RunResult(1, lines), display)
        display.finish(True, "done")
        return True

    def expected_total(self, stack: str) -> int | None:
        """Resources in the synthesized template, plus the stack itself (how the CLI counts)."""
        return cloud_assembly.expected_total(self.assembly, stack)

    # ------------------------------------------------------------ target checks

    def _check_target(self, verb: str) -> None:
        """Before touching the target: it must be reachable, and bootstrapped for deploy and diff."""
        if verb in ("deploy", "diff"):
            self.ensure_bootstrapped()
        else:
            target.check(require_bootstrap=False)

    # ------------------------------------------------------------ commands

    def outputs_file(self, stack: str) -> Path:
        return stack_outputs.outputs_file(self.build, stack)

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
        stack_outputs.forget(self.build, stack)
        args = [
            stack,
            "--app",
            str(self.assembly),
            "--progress",
            "events",
            "--require-approval",
            "never",
            "--outputs-file",
            str(self.outputs_file(stack)),
            *COMMON_FLAGS,
        ]
        if method:
            args += ["--method", method]
        self.run("deploy", args, stack=stack, on_line=on_line, expected_total=self.expected_total(stack))
        stack_outputs.record_target(self.build, stack)
        return self.outputs(stack)

    def destroy(self, stack: str, *, on_line: LineCallback | None = None) -> None:
        """Delete one stack; any assembly that contains it will do, so usually no synth."""
        self._preflight("destroy")
        if stack not in cloud_assembly.stacks_in(self.assembly):
            self.synth(on_line=on_line)
        args = [stack, "--app", str(self.assembly), "--force", *COMMON_FLAGS]
        self.run("destroy", args, stack=stack, on_line=on_line, expected_total=self.expected_total(stack))
        stack_outputs.forget(self.build, stack)

    def diff(self, stack: str, context: Mapping[str, Any] | None = None, *, on_line: LineCallback | None = None) -> str:
        """What deploying the stack with this context would change, as the CLI prints it."""
        self._preflight("diff")
        self.synth(context, on_line=on_line)
        args = [stack, "--app", str(self.assembly), *COMMON_FLAGS]
        if bootstrapping.is_emulated():
            # Emulators half-support read-only change sets; the template diff is quicker and as telling here.
            args += ["--method", "template"]
        return self.run("diff", args, stack=stack, on_line=on_line).text

    def outputs(self, stack: str) -> dict[str, str]:
        """The stack's outputs: from the file the last deploy wrote on this target, else from CloudFormation."""
        return stack_outputs.read_outputs(self.build, stack)

    def bootstrap(self, *, on_line: LineCallback | None = None) -> None:
        """Bootstrap the target's account and region (the CDKToolkit stack), without synthesizing the app."""
        self._preflight("bootstrap")
        environment = bootstrapping.environment()
        self.run("bootstrap", [environment, *COMMON_FLAGS], stack=target.TOOLKIT_STACK, on_line=on_line,
                 cwd=bootstrapping.workdir(self.build))

    def ensure_bootstrapped(self, *, on_line: LineCallback | None = None) -> bool:
        """Bootstrap the local cloud (or a custom emulator) if needed; on AWS only verify. True if it bootstrapped."""
        if not bootstrapping.needs_bootstrap():
            return False
        self.bootstrap(on_line=on_line)
        return True
