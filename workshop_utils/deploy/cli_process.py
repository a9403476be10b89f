"""One run of the pinned CDK CLI as a subprocess: its environment, its lines streamed, its failure in one sentence."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workshop_utils.deploy.failures import CdkCliMissing, CdkCommandFailed, failure_message
from workshop_utils.deploy.node import node_install_hint
from workshop_utils.deploy.output import is_noise
from workshop_utils.deploy.progress import Progress, ProgressDisplay, failure_summary, parse_progress, strip_ansi

# Quiet, offline-friendly CLI: no version check, telemetry or notices; no Node end-of-life banners from
# jsii (the prerequisites check reports the Node version instead).
CLI_ENV_DEFAULTS = {
    "CDK_DISABLE_VERSION_CHECK": "1",
    "CDK_DISABLE_CLI_TELEMETRY": "true",
    "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "14,16,18,20",
    "JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION": "1",
    "JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION": "1",
    "NODE_NO_WARNINGS": "1",
    "PYTHONUNBUFFERED": "1",
}
# The CLI prints CloudFormation event times in the process's time zone: UTC, like the logs beside them.
CLI_ENV_FORCED = {"TZ": "UTC"}
COMMON_FLAGS = ("--ci", "--no-color", "--no-notices")

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


def print_line(line: str) -> None:
    print(line, flush=True)


def quiet_utc_env(env: dict[str, str]) -> dict[str, str]:
    """The target's environment `env`, made quiet and UTC for the CLI."""
    for name, value in CLI_ENV_DEFAULTS.items():
        env.setdefault(name, value)
    env.update(CLI_ENV_FORCED)
    return env


def require_cli(cli: Path, root: Path, env: Mapping[str, str]) -> None:
    """Raise CdkCliMissing, with the fix, when Node.js is not on the PATH or the pinned CLI is not installed."""
    if shutil.which("node", path=env.get("PATH")) is None:
        raise CdkCliMissing(
            f"Node.js was not found on the PATH: install Node.js 22 ({node_install_hint()}), run `make setup` "
            "in a new terminal, then `make lab` there again and re-run this cell."
        )
    if not cli.exists():
        shown = cli.relative_to(root) if cli.is_relative_to(root) else cli
        raise CdkCliMissing(
            f"The pinned CDK CLI ({shown}) is not installed: run `make setup` in a terminal, then re-run this cell."
        )


def run_process(
    argv: list[str],
    *,
    verb: str,
    stack: str | None,
    popen: Callable[..., Any],
    cwd: Path,
    env: dict[str, str],
    on_line: LineCallback,
    display: ProgressDisplay,
) -> RunResult:
    """Run `argv` (the display already started), each line to on_line and each event to the display; the display
    finished either way, CdkCommandFailed raised when the CLI fails."""
    result = RunResult(returncode=-1)
    try:
        process = popen(
            argv,
            cwd=str(cwd),
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
        raise_failure(verb, stack, argv, result, display)
    display.finish(True, "done")
    return result


def raise_failure(verb: str, stack: str | None, argv: list[str], result: RunResult, display: ProgressDisplay) -> None:
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
