"""What a deploy, diff or destroy cell shows: one line once done, the CDK CLI's output folded under it."""

from __future__ import annotations

import time
from collections.abc import Callable

from workshop_utils.cloud import stacks, target
from workshop_utils.deploy import cdk, progress
from workshop_utils.deploy.diff import diff_html
from workshop_utils.deploy.output import learner_printer
from workshop_utils.render._common import expandable, pre
from workshop_utils.render.deployment import command_line_html
from workshop_utils.ui import cell_output, outcomes, views
from workshop_utils.wiring import Wiring


def _context(recipients: dict | None, extra: dict) -> dict | None:
    context = dict(extra)
    if recipients is not None:
        context["recipients"] = recipients
    return context or None


def _quiet(_line: str) -> None:
    """An on_line for a CDK command whose progress line says enough (an idempotent bootstrap)."""


def _cli_section(printed: list[str]) -> tuple[str, str]:
    """What the CDK CLI printed, as a folded section's title and body."""
    lines = "1 line" if len(printed) == 1 else f"{len(printed)} lines"
    return f"What the CDK CLI printed ({lines})", pre("\n".join(printed))


def folded(title: str, run: Callable[[cdk.LineCallback], None],
           more: Callable[[], list[tuple[str, str]]] = list) -> tuple[list[str], progress.WidgetProgress | None]:
    """Run a CDK command (`run` gets the on_line to pass it): one line once done, what the CLI printed folded
    under it with `more` sections; returns the printed lines and the progress line (None without widgets)."""
    printed: list[str] = []
    started = time.monotonic()
    try:
        run(learner_printer(printed.append))
    except Exception:
        if printed:  # the error's sentence says what to do; the CLI's lines are there for a closer look
            cell_output.show(expandable(*_cli_section(printed)))
        raise
    cli = [_cli_section(printed)] if printed else []
    sections = [*more(), *cli]
    line = progress.finished(title, since=started)
    if line is not None:
        line.fold_in(sections)
    elif printed:  # a console without widgets printed its own progress lines; a command that ran says so
        cell_output.show(command_line_html(title, sections))
    return printed, line


def deploy(stack: str, *, recipients: dict | None = None, **context: object) -> str | None:
    """Deploy one stack with live progress, its outputs folded under its line; return what CloudFormation
    built ("" when nothing changed; None when it cannot tell)."""
    cdk.ensure_bootstrapped(on_line=_quiet)
    result: dict = {}

    def run(on_line: cdk.LineCallback) -> None:
        result.update(cdk.deploy(stack, context=_context(recipients, context), on_line=on_line))

    printed, line = folded(f"cdk deploy {stack}", run, lambda: [(f"{stack}'s outputs", views.json_html(result))])
    # The CLI says so when the template matches what is deployed: CloudFormation then records no event at all.
    unchanged = any(text.rstrip().endswith("(no changes)") for text in printed)
    if line is None:
        return "" if unchanged else None
    if unchanged:
        line.fold_in([], headline="no changes, the deployed stack already matches")
    return "" if unchanged else (line.built or None)


def bootstrap() -> None:
    """Bootstrap the target: on the local cloud (or an endpoint) as a folded line; on AWS it only checks."""
    if target.current() == target.LOCAL or target.endpoint_override():  # bootstraps itself when it must
        folded("cdk bootstrap CDKToolkit", lambda on_line: cdk.ensure_bootstrapped(on_line=on_line))
    else:  # on AWS it only checks, and says what to run
        cdk.ensure_bootstrapped()


def show_diff(stack: str, *, recipients: dict | None = None, **context: object) -> str:
    """Show what `cdk diff` says would change with these recipients (and context overrides); return its text."""
    text = cdk.diff(stack, context=_context(recipients, context), on_line=lambda _line: None)
    cell_output.show(views.section(f"cdk diff {stack}", diff_html(text)))
    return text


def explain_diffs(diffs: dict[str, str]) -> None:
    """Say, resource by resource, what each `cdk diff` shown above would add, change and remove."""
    cell_output.show(views.story_html([outcomes.diff_story(stack, text) for stack, text in diffs.items()]))


def show_architecture(stack: str, wiring: Wiring) -> None:
    """The stack's wiring as deployed, drawn with where every arrow was read."""
    cell_output.show(views.section(f"{stack}, as deployed", views.architecture_html(wiring)))


def show_outputs(stack: str) -> None:
    """Show the stack's outputs."""
    cell_output.show(views.section(f"{stack} outputs", views.json_html(stacks.stack_outputs(stack))))


def destroy(stack: str) -> None:
    """Destroy one stack as a folded line; a stack that is not deployed is said so."""
    if stacks.deployed_description(stack):
        folded(f"cdk destroy {stack}", lambda on_line: cdk.destroy(stack, on_line=on_line))
    else:  # the CLI would report "destroyed" for a stack that never was
        cell_output.message(f"{stack} is not deployed on the {target.current()} target: nothing to destroy.")
