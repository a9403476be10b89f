"""Follow a stack's own CloudFormation events while a CDK command runs, and feed them to its progress display.

The CDK CLI reads the events every 5 s and, on the local cloud, once the change set is done: its lines come in one
burst. Read here every 0.1 s on an emulator (2 s on AWS, where DescribeStackEvents is rate limited), the events
move the bar as CloudFormation records them. They are the bar's only source while followed; the CLI's lines still
explain a failure.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from workshop_utils.cloud import target
from workshop_utils.deploy.progress import Progress, ProgressDisplay

STACK_TYPE = "AWS::CloudFormation::Stack"
CHANGE_SET = "cdk-deploy-change-set"  # the CDK CLI's, unless --change-set-name says otherwise
EMULATOR_INTERVAL_S = 0.1
AWS_INTERVAL_S = 2.0
FOLLOWED_VERBS = ("deploy", "destroy", "bootstrap")
# A look that fails is simply tried again at the next one: no long retries that would hold the command's end.
_FOLLOWER_CONFIG = target.CLIENT_CONFIG.merge(
    Config(connect_timeout=2, read_timeout=15, retries={"total_max_attempts": 2, "mode": "standard"}))

logger = logging.getLogger(__name__)


class ResourceCount:
    """Resources done, counted as the CDK CLI counts them (its StackProgressMonitor), so the bar and its lines agree.

    A resource counts once it completes; completing again (a rollback deleting what was created) takes it back; an
    update's stack counts once, at its cleanup.
    """

    def __init__(self) -> None:
        self.done = 0
        self._completed: set[str] = set()
        self._cleaning: set[str] = set()

    def add(self, event: dict[str, Any]) -> None:
        logical_id, status = event.get("LogicalResourceId"), str(event.get("ResourceStatus") or "")
        if not logical_id:
            return
        if status.endswith("_COMPLETE_CLEANUP_IN_PROGRESS"):
            self.done += 1
            self._cleaning.add(logical_id)
        elif status.endswith("_COMPLETE"):
            if logical_id in self._cleaning:
                self._cleaning.discard(logical_id)
            elif logical_id in self._completed:
                self.done = max(self.done - 1, 0)
            else:
                self.done += 1
            self._completed.add(logical_id)


def progress_of(event: dict[str, Any], done: int | None = None, total: int | None = None) -> Progress:
    """A stack event as DescribeStackEvents gives it, as the display's Progress (timestamped)."""
    logical_id = str(event.get("LogicalResourceId") or "")
    stamp = event.get("Timestamp")
    return Progress(
        stack=str(event.get("StackName") or ""),
        status=str(event.get("ResourceStatus") or ""),
        resource_type=str(event.get("ResourceType") or ""),
        resource=logical_id,
        logical_id=logical_id,
        reason=str(event.get("ResourceStatusReason") or ""),
        done=done,
        total=total,
        time=stamp.strftime("%H:%M:%S") if stamp else "",
        timestamp=stamp,
    )


def _starts_a_change(event: dict[str, Any]) -> bool:
    """The stack's own CREATE_ or UPDATE_IN_PROGRESS: a change set (or a direct deploy) begins."""
    return event.get("ResourceType") == STACK_TYPE and event.get("ResourceStatus") in (
        "CREATE_IN_PROGRESS", "UPDATE_IN_PROGRESS")


class StackFollower:
    """Reads `stack`'s new events every `interval` seconds on a thread and hands each to `on_event`, oldest first.

    Only the events after start() are new: those of the operation the command is about to run.
    """

    def __init__(self, client: Any, stack: str, on_event: Callable[[Progress], None], *, interval: float) -> None:
        self.client = client
        self.stack = stack
        self.on_event = on_event
        self.interval = interval
        self.following = False
        self._seen: set[str] = set()
        self._stack_id: str | None = None  # once known: a deleted stack is found by its id only
        self._count = ResourceCount()
        self._total: int | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> bool:
        """Note the events already there, then follow; False (nothing followed) when the stack cannot be read."""
        try:
            for event in self._newest_page():
                self._seen.add(event["EventId"])
                self._stack_id = event.get("StackId") or self._stack_id
        except (BotoCoreError, ClientError) as error:
            logger.info("not following %s's events: %s", self.stack, error)
            return False
        self.following = True
        self._thread = threading.Thread(target=self._run, name=f"stack-events-{self.stack}", daemon=True)
        self._thread.start()
        return True

    def stop(self) -> None:
        """Stop following, after one last look: the display then has every event of the operation."""
        self._stop.set()
        if self._thread is None:
            return
        self._thread.join(timeout=30)
        if not self._thread.is_alive():  # never two looks at once
            self.poll()
        self._thread = None

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.poll()

    def poll(self) -> None:
        """Hand on the events recorded since the last look."""
        try:
            fresh = self._new_events()
        except (BotoCoreError, ClientError) as error:  # the next look tries again; the CLI's lines tell a failure
            logger.debug("reading %s's events: %s", self.stack, error)
            return
        for event in fresh:
            self._seen.add(event["EventId"])
            self._stack_id = event.get("StackId") or self._stack_id
            self._count.add(event)
            if self._total is None and _starts_a_change(event):
                self._total = self._change_set_size()
            self.on_event(progress_of(event, self._count.done, self._total))

    def _describe(self, **page: str) -> dict[str, Any]:
        """One page of events, newest first: by name, else by id (a deleted stack); {} while there is no stack."""
        for name in dict.fromkeys(ref for ref in (self.stack, self._stack_id) if ref):
            try:
                return self.client.describe_stack_events(StackName=name, **page)
            except ClientError as error:
                if "does not exist" not in str(error):
                    raise
        return {}

    def _newest_page(self) -> list[dict[str, Any]]:
        return self._describe().get("StackEvents", [])

    def _new_events(self) -> list[dict[str, Any]]:
        """The events not seen yet, oldest first (pages are read only as far back as the first one seen)."""
        fresh: list[dict[str, Any]] = []
        page = self._describe()
        while True:
            for event in page.get("StackEvents", []):
                if event["EventId"] in self._seen:
                    return fresh[::-1]
                fresh.append(event)
            token = page.get("NextToken")
            if not token:
                return fresh[::-1]
            page = self._describe(NextToken=token)

    def _change_set_size(self) -> int | None:
        """The resources the running change set touches, plus the stack itself; None without a change set."""
        changes, page = 0, {}
        try:
            while True:
                described = self.client.describe_change_set(
                    StackName=self._stack_id or self.stack, ChangeSetName=CHANGE_SET, **page)
                changes += len(described.get("Changes", []))
                if not described.get("NextToken"):
                    return changes + 1
                page = {"NextToken": described["NextToken"]}
        except (BotoCoreError, ClientError):  # a direct deploy, or one already gone: the template's size stays
            return None


class FollowedProgress:
    """A progress display fed by the stack's own events while the command runs (see the module's docstring)."""

    def __init__(self, display: ProgressDisplay, follower: StackFollower) -> None:
        self.display = display
        self.follower = follower

    def start(self, title: str, expected_total: int | None = None) -> None:
        self.display.start(title, expected_total)
        self.follower.start()

    def update(self, event: Progress) -> None:
        if not self.follower.following:  # the stack could not be read: the CLI's lines move the bar instead
            self.display.update(event)

    def finish(self, ok: bool, summary: str) -> None:
        self.follower.stop()
        self.display.finish(ok, summary)


def following(display: ProgressDisplay, stack: str) -> FollowedProgress:
    """`display`, fed by `stack`'s events on the current target."""
    emulated = target.current() == target.LOCAL or target.endpoint_override() is not None
    interval = EMULATOR_INTERVAL_S if emulated else AWS_INTERVAL_S
    cloudformation = target.client("cloudformation", _FOLLOWER_CONFIG)
    return FollowedProgress(display, StackFollower(cloudformation, stack, display.update, interval=interval))
