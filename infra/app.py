"""CDK entry point: builds both scatter-gather stacks from the context (`python -m infra.app`)."""

from __future__ import annotations

import sys
from typing import Any

from aws_cdk import App

from infra.config import ConfigError, load_config
from infra.nag import acknowledge_parallel_findings, acknowledge_sns_findings, add_nag_checks
from infra.parallel_stack import ParallelScatterGatherStack
from infra.sns_stack import SnsScatterGatherStack


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
