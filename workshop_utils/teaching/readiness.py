"""What each notebook needs from the target, and bringing the target there when a notebook is opened cold."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from workshop_utils.cloud import stacks, target
from workshop_utils.cloud.stacks import PARALLEL_STACK, SNS_STACK
from workshop_utils.deploy import cdk

Say = Callable[[str], None]


@dataclass(frozen=True)
class Needs:
    """What a notebook's cells expect before they run.

    `stacks` are deployed (default vendors) when missing; `deploys_itself` are stacks whose deploy cell is
    part of the lesson, so they are only mentioned, never deployed ahead of the learner.
    """

    target_up: bool = True
    bootstrap: bool = True
    stacks: tuple[str, ...] = ()
    deploys_itself: tuple[str, ...] = ()
    note: str = ""


# 01 and 02 teach the deploy of their stack, and 02a deploys the learner's own wiring: deploying ahead of them
# would leave their deploy cells nothing to show. 99 needs only a target that answers, to inventory and destroy.
NOTEBOOK_NEEDS: dict[str, Needs] = {
    "00": Needs(target_up=False, note="this notebook sets up the target itself"),
    "01": Needs(deploys_itself=(PARALLEL_STACK,)),
    "02": Needs(deploys_itself=(SNS_STACK,)),
    "02a": Needs(deploys_itself=(SNS_STACK,)),
    "02b": Needs(stacks=(PARALLEL_STACK, SNS_STACK)),
    "03": Needs(stacks=(PARALLEL_STACK, SNS_STACK)),
    "99": Needs(bootstrap=False),
}


class NotReady(RuntimeError):
    """The target cannot be brought to what the notebook needs without the learner; one sentence says why."""

    def _render_traceback_(self) -> list[str]:
        # IPython shows this instead of a traceback: the sentence is the whole story.
        return [f"NotReady: {self}"]


@dataclass
class Readiness:
    """What ready() did, what it found in place, and what the notebook's own cells will do."""

    target: str
    done: list[str] = field(default_factory=list)
    in_place: list[str] = field(default_factory=list)
    later: list[str] = field(default_factory=list)
    note: str = ""

    def summary(self) -> str:
        """One line for the learner."""
        if self.note and not (self.done or self.in_place):
            return f"Nothing to prepare: {self.note}."
        if self.done:
            text = _sentence_start("; ".join(self.done))
        else:
            text = "All in place (" + ", ".join(self.in_place) + ")" if self.in_place else "All in place"
        if self.later:
            text += "; " + "; ".join(self.later)
        return f"Target {self.target}: {text}."


def _sentence_start(text: str) -> str:
    return text[:1].upper() + text[1:]


def _names(items: list[str] | tuple[str, ...]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def notebook_key(notebook: str) -> str:
    """'03', '03_side_by_side' or 'notebooks/03_side_by_side.ipynb' -> '03'."""
    stem = os.path.basename(str(notebook)).removesuffix(".ipynb")
    key = stem.split("_", 1)[0]
    if key not in NOTEBOOK_NEEDS:
        known = ", ".join(NOTEBOOK_NEEDS)
        raise ValueError(f"No notebook {notebook!r} in the workshop: pass one of {known} (e.g. ready_for('03')).")
    return key


def needs_of(notebook: str) -> Needs:
    """What the notebook needs (see NOTEBOOK_NEEDS)."""
    return NOTEBOOK_NEEDS[notebook_key(notebook)]


def _emulated() -> bool:
    return target.current() == target.LOCAL or target.endpoint_override() is not None


def _own_local_cloud() -> bool:
    return target.current() == target.LOCAL and target.endpoint_override() is None


def _bring_up_local_cloud(report: Readiness) -> list[str]:
    """Start the local cloud if needed; returns its start's sentences (stacks restored, requests lost)."""
    from workshop_utils.local_cloud import service
    from workshop_utils.local_cloud.config import DEFAULT_PORT, home_dir
    from workshop_utils.local_cloud.persistence.startup import start_report

    before = service.status()
    if before.running and before.healthy:
        report.in_place.append("local cloud running")
        return []
    try:
        # LOCAL_CLOUD_PORT: a second copy of the workshop, or a private cloud (0: the running one, or a free port).
        status = service.start(port=int(os.environ.get("LOCAL_CLOUD_PORT") or DEFAULT_PORT), progress=None)
    except service.LocalCloudError as error:
        raise NotReady(str(error)) from error
    report.done.append("local cloud started" if not before.running else "local cloud answering again")
    return start_report(home_dir(), status.pid)


def _check(require_bootstrap: bool) -> None:
    try:
        target.check(require_bootstrap=require_bootstrap)
    except target.TargetNotReady as error:
        raise NotReady(str(error)) from error


def _bootstrap(report: Readiness) -> None:
    if not _emulated():
        _check(require_bootstrap=True)  # on AWS the learner bootstraps, as the message says
        report.in_place.append("credentials and bootstrap OK")
    elif cdk.ensure_bootstrapped(on_line=lambda _line: None):  # its progress line says enough
        report.done.append("bootstrapped")
    else:
        report.in_place.append("bootstrapped")


def ready(
    needs: Needs,
    *,
    deploy_on_aws: bool = False,
    how_to_deploy: str = "ready() with deploy_on_aws=True",
    say: Say = print,
) -> Readiness:
    """Bring the current target to `needs`: start the local cloud, bootstrap, deploy missing stacks.

    On the local cloud (or another emulator) everything is free, so it is done at once. On AWS a deploy
    costs money: missing stacks raise NotReady naming them and `how_to_deploy`, unless deploy_on_aws is
    True, and even then each deploy is announced first.
    """
    report = Readiness(target=target.current(), note=needs.note)
    if not needs.target_up:
        return report
    if _own_local_cloud():
        for line in _bring_up_local_cloud(report):  # what came back from the last deploys, what a crash lost
            say(line)
    _check(require_bootstrap=False)
    if needs.bootstrap or needs.stacks:
        _bootstrap(report)
    missing = [stack for stack in needs.stacks if not stacks.is_deployed(stack)]
    report.in_place += [f"{stack} deployed" for stack in needs.stacks if stack not in missing]
    if missing and not _emulated() and not deploy_on_aws:
        verb = "is" if len(missing) == 1 else "are"
        raise NotReady(
            f"{_names(missing)} {verb} not deployed on AWS, and deploying creates billable resources (a few cents, "
            f"see the README's cost note): to deploy with the default vendors, run {how_to_deploy}."
        )
    for stack in missing:
        where = "the local cloud" if _own_local_cloud() else f"{report.target} ({target.describe().region})"
        say(f"Deploying {stack} with the default vendors to {where}...")
        started = time.perf_counter()
        try:
            # The progress line says what was built; the CLI's event log would fill the screen for no lesson.
            cdk.deploy(stack, on_line=lambda _line: None)
        except target.TargetNotReady as error:
            raise NotReady(str(error)) from error
        report.done.append(f"deployed {stack} ({time.perf_counter() - started:.0f} s)")
    for stack in needs.deploys_itself:
        if stacks.is_deployed(stack):
            report.in_place.append(f"{stack} deployed")
        else:
            report.later.append(f"this notebook's deploy cell deploys {stack}")
    return report


def main(argv: list[str] | None = None) -> int:
    """`python -m workshop_utils.teaching.readiness 03`: the same as a notebook's first cell, from a terminal."""
    import argparse
    import sys

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("notebook", help="the notebook to prepare for: 00, 01, 02, 02a, 02b, 03 or 99")
    parser.add_argument("--deploy-on-aws", action="store_true", help="on AWS, deploy missing stacks (billable)")
    args = parser.parse_args(argv)
    try:
        report = ready(
            needs_of(args.notebook),
            deploy_on_aws=args.deploy_on_aws,
            how_to_deploy=f"`python -m workshop_utils.teaching.readiness {args.notebook} --deploy-on-aws`",
        )
    except (NotReady, ValueError) as error:
        print(error, file=sys.stderr)
        return 1
    print(report.summary())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
