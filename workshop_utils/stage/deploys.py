"""The third-vendor switch's redeploy: one synth, both stacks deployed side by side, its progress and what changed."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

# A CloudFormation event line of `cdk deploy --progress events`: "<Stack> | 3/8 | 1:36:22 AM | CREATE_COMPLETE
# | AWS::Lambda::Function | <logical id>".
_EVENT = re.compile(r"^(?P<stack>\S+) \|\s*(?P<done>\d+)/(?P<total>\d+)\s*\|[^|]*\|\s*(?P<status>[A-Z_]+)\s*\|"
                    r"\s*(?P<type>[\w:]+)\s*\|\s*(?P<id>\S+)")
_WHAT = {
    "AWS::StepFunctions::StateMachine": "the state machine's definition",
    "AWS::SNS::Subscription": "a subscription to the topic",
    "AWS::Lambda::Function": "a function",
}
# What an update of these means in the SNS stack when a vendor joins or leaves (the aggregator waits for the vendor
# list; its queue's batch size is the number of vendors).
_UPDATED = {
    "AWS::Lambda::Function": "the aggregator's settings",
    "AWS::Lambda::EventSourceMapping": "the batch size",
}
SHORT = {"ScatterGatherWithParallelStack": "Parallel stack", "ScatterGatherWithSNSStack": "SNS stack"}


@dataclass
class StackProgress:
    """One stack's deploy as its events arrive: resources done of total, and what was created, updated, deleted."""

    done: int = 0
    total: int | None = None
    phase: str = "starting the CDK CLI"
    finished: bool = False
    changes: dict[str, set[str]] = field(default_factory=lambda: {"created": set(), "updated": set(),
                                                                   "deleted": set()})


class DeployProgress:
    """Both stacks' progress from their CDK lines, as one short line for the page, and a summary of the changes."""

    def __init__(self, stacks: list[str], clock: Callable[[], float] = time.monotonic) -> None:
        self.stacks = {stack: StackProgress() for stack in stacks}
        self.phase = "synthesizing"
        self._clock = clock
        self._started = clock()
        self._lock = threading.Lock()

    def line(self, stack: str, text: str) -> None:
        """Read one line of `stack`'s deploy."""
        match = _EVENT.match(text.strip())
        with self._lock:
            progress = self.stacks[stack]
            if "changeset" in text or "change set" in text:
                progress.phase = "change set"
            if match and match["stack"] == stack:
                progress.done, progress.total = int(match["done"]), int(match["total"])
                kind = match["type"]
                if kind != "AWS::CloudFormation::Stack":
                    for verb in ("created", "updated", "deleted"):
                        if match["status"] == f"{verb[:-1].upper()}_COMPLETE":
                            progress.changes[verb].add(kind)

    def finish(self, stack: str) -> None:
        with self._lock:
            self.stacks[stack].finished = True

    def status(self) -> str:
        """E.g. "Deploying: Parallel stack 5/8 · SNS stack done · 6.1 s"."""
        with self._lock:
            parts = []
            for stack, progress in self.stacks.items():
                where = ("done" if progress.finished else f"{progress.done}/{progress.total}" if progress.total
                         else progress.phase)
                parts.append(f"{SHORT.get(stack, stack)} {where}")
        elapsed = self._clock() - self._started
        if self.phase == "synthesizing":
            return f"Adding or removing the vendor: synthesizing both stacks · {elapsed:.1f} s"
        return f"Deploying side by side: {' · '.join(parts)} · {elapsed:.1f} s"

    def headline(self) -> str:
        """The change the talk points at, in one line: the Parallel stack's state machine gets a new definition,
        the SNS stack one more (or one fewer) subscription, and whatever else its events show updated (the
        aggregator's vendor list and its queue's batch size follow the vendors too)."""
        said = []
        for stack, progress in self.stacks.items():
            changes = progress.changes
            if "AWS::StepFunctions::StateMachine" in changes["updated"]:
                said.append(f"{SHORT.get(stack, stack)}: a new state machine definition")
            elif "AWS::SNS::Subscription" in changes["created"] | changes["deleted"]:
                verb = "one more" if "AWS::SNS::Subscription" in changes["created"] else "one fewer"
                updated = sorted(_UPDATED[kind] for kind in changes["updated"] if kind in _UPDATED)
                also = f", and {' and '.join(updated)} updated" if updated else ""
                said.append(f"{SHORT.get(stack, stack)}: {verb} subscription{also}")
        return "; ".join(said)

    def summary(self) -> str:
        """What changed in each stack, in words (the point the switch makes)."""
        said = []
        for stack, progress in self.stacks.items():
            words = []
            for verb in ("updated", "created", "deleted"):
                named = sorted(_WHAT[kind] for kind in progress.changes[verb] if kind in _WHAT)
                others = len([kind for kind in progress.changes[verb] if kind not in _WHAT])
                if named or others:  # the resources the talk is about, by name; the roles and logs counted
                    more = f"{' and ' if named else ''}{others} supporting resource type(s)" if others else ""
                    words.append(f"{verb} {', '.join(named)}{more}")
            said.append(f"{SHORT.get(stack, stack)}: {'; '.join(words) or 'no change'}")
        return ". ".join(said)
