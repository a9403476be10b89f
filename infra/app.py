"""CDK entry point: builds both scatter-gather stacks from the context (`python -m infra.app`)."""

from __future__ import annotations

import importlib.util
import sys
import traceback
from pathlib import Path
from typing import Any

from aws_cdk import App

from infra.config import ConfigError, WiringConfigError, exercises_dir, load_config
from infra.nag import acknowledge_parallel_findings, acknowledge_sns_findings, add_nag_checks
from infra.parallel_stack import ParallelScatterGatherStack
from infra.sns_stack import SnsScatterGatherStack
from infra.sns_wiring import SnsParts, Wiring, wire_scatter_gather

WIRING_EXERCISE_FILE = "sns_wiring.py"
WIRING_FUNCTION = "wire_scatter_gather"
_USE_FINISHED = "or deploy the finished stack with ws.deploy(ws.SNS_STACK)"


def _first_line(error: BaseException) -> str:
    # jsii errors carry a JavaScript stack after the first line; the learner needs the first line only.
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def _where(error: BaseException, path: Path) -> str:
    """' (line N)' of the learner's file where the error happened, if it did happen there."""
    lines = [frame.lineno for frame in traceback.extract_tb(error.__traceback__) if Path(frame.filename) == path]
    return f" (line {lines[-1]})" if lines else ""


def load_wiring(choice: str) -> Wiring:
    """The finished wiring, or the learner's `wire_scatter_gather` from exercises/sns_wiring.py, loaded afresh.

    Raises WiringConfigError, with one sentence saying what to fix, when the learner's file cannot be used.
    """
    if choice != "exercise":
        return wire_scatter_gather
    path = exercises_dir() / WIRING_EXERCISE_FILE
    shown = f"exercises/{WIRING_EXERCISE_FILE}"
    spec = importlib.util.spec_from_file_location("learner_sns_wiring", path)
    if spec is None or spec.loader is None or not path.is_file():
        raise WiringConfigError(f"{shown} is missing; restore it with `git checkout {shown}`, {_USE_FINISHED}.")
    module = importlib.util.module_from_spec(spec)
    # No __pycache__ beside the learner's file: it would show in their file browser.
    writes_bytecode, sys.dont_write_bytecode = sys.dont_write_bytecode, True
    try:
        spec.loader.exec_module(module)
    except SyntaxError as error:
        raise WiringConfigError(
            f"{shown} has a syntax error on line {error.lineno} ({error.msg}); fix that line, {_USE_FINISHED}."
        ) from None
    except Exception as error:  # the learner's code: one sentence, not a traceback
        raise WiringConfigError(
            f"{shown} stopped with {type(error).__name__}: {_first_line(error)}{_where(error, path)}; "
            f"fix it, {_USE_FINISHED}."
        ) from None
    finally:
        sys.dont_write_bytecode = writes_bytecode
    learner = getattr(module, WIRING_FUNCTION, None)
    if not callable(learner):
        raise WiringConfigError(f"{shown} has no function {WIRING_FUNCTION}(parts); put it back, {_USE_FINISHED}.")

    def guarded(parts: SnsParts) -> None:
        try:
            learner(parts)
        except Exception as error:
            raise WiringConfigError(
                f"Your {WIRING_FUNCTION} in {shown} raised {type(error).__name__}: {_first_line(error)}"
                f"{_where(error, path)}; fix it, {_USE_FINISHED}."
            ) from None

    return guarded


def build_app(context: dict[str, Any] | None = None, *, outdir: str | None = None, nag: bool = True) -> App:
    """Both stacks in one App; `context` adds to (and never overrides) the CLI's and cdk.json's context.

    Raises a ConfigError subclass when the context is invalid.
    """
    app = App(context=context, outdir=outdir)
    config = load_config(app.node.try_get_context)
    parallel = ParallelScatterGatherStack(
        app, vendors=config.vendors, catch_failures=config.parallel_catch_failures
    )
    sns_stack = SnsScatterGatherStack(
        app,
        vendors=config.vendors,
        max_batching_window_seconds=config.max_batching_window_seconds,
        aggregation_deadline_seconds=config.aggregation_deadline_seconds,
        wiring=load_wiring(config.sns_wiring),
    )
    if nag:
        add_nag_checks(app)
        acknowledge_parallel_findings(parallel)
        acknowledge_sns_findings(sns_stack)
    return app


def main(context: dict[str, Any] | None = None) -> int:
    """Synthesize into the CLI's output folder; 1 (and one sentence on stderr) when the context is invalid."""
    try:
        app = build_app(context)
    except ConfigError as error:
        # One sentence, no traceback: this is a learner's configuration mistake.
        print(f"Error: {error}", file=sys.stderr)
        return 1
    app.synth()
    return 0


if __name__ == "__main__":
    sys.exit(main())
