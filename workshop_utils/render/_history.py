"""Derive each state's status (succeeded, failed, caught, running, not reached) from an execution history."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

SUCCEEDED = "succeeded"
FAILED = "failed"
CAUGHT = "caught"
RUNNING = "running"
NOT_REACHED = "not-reached"
STOPPED = "stopped"  # a task still running when the execution failed: it neither answered nor failed itself
STATUSES = (SUCCEEDED, FAILED, CAUGHT, RUNNING, NOT_REACHED, STOPPED)

_EXECUTION_END = {"ExecutionSucceeded", "ExecutionFailed", "ExecutionTimedOut", "ExecutionAborted"}
_EXECUTION_FAILURE = {"ExecutionFailed", "ExecutionTimedOut", "ExecutionAborted"}


def is_failure_event(event_type: str) -> bool:
    """True for events that report an error (TaskFailed, LambdaFunctionTimedOut, ExecutionAborted...)."""
    return event_type.endswith(("Failed", "TimedOut")) or event_type == "ExecutionAborted"


def _is_success_event(event_type: str) -> bool:
    return event_type.endswith("Succeeded") and event_type != "ExecutionSucceeded"


def _is_attempt_event(event_type: str) -> bool:
    # A (re)scheduled or (re)started task: a Retry after a failure clears that failure.
    return event_type.endswith(("Scheduled", "Started")) and not event_type.startswith(("Execution", "MapRun"))


def _entered_name(event: dict) -> str | None:
    if str(event.get("type", "")).endswith("StateEntered"):
        return (event.get("stateEnteredEventDetails") or {}).get("name")
    return None


def _exited_name(event: dict) -> str | None:
    if str(event.get("type", "")).endswith("StateExited"):
        return (event.get("stateExitedEventDetails") or {}).get("name")
    return None


def sorted_events(events: list[dict]) -> list[dict]:
    """Events in id order (boto3 returns them ascending unless reverseOrder was set)."""
    if all(isinstance(e.get("id"), int) for e in events):
        return sorted(events, key=lambda e: e["id"])
    return list(events)


def state_statuses(events: list[dict], catch_targets: dict[str, set[str]]) -> dict[str, str]:
    """Map each state name seen in the history to its status; states absent from the result were not reached.

    catch_targets maps a state name to the names its Catch clauses lead to.
    """
    events = sorted_events(events)
    by_id = {e["id"]: e for e in events if "id" in e}
    entered: Counter[str] = Counter()
    exited: Counter[str] = Counter()
    open_order: list[str] = []  # states entered and not yet exited, oldest first
    entered_at: dict[str, list[int]] = {}
    outcome: dict[str, str | None] = {}  # last task outcome per state: "failed", "succeeded" or None
    failed_at: dict[str, int] = {}
    attempted: set[str] = set()  # states that scheduled work of their own (tasks)
    exited_after_failure: set[str] = set()
    execution_failed = False
    finished = False

    for index, event in enumerate(events):
        event_type = str(event.get("type", ""))
        name = _entered_name(event)
        if name is not None:
            entered[name] += 1
            open_order.append(name)
            entered_at.setdefault(name, []).append(index)
            if event_type == "FailStateEntered":  # a Fail state is where the error is raised
                outcome[name] = FAILED
                failed_at[name] = index
            continue
        name = _exited_name(event)
        if name is not None:
            exited[name] += 1
            _close(open_order, name)
            if outcome.get(name) == FAILED:
                exited_after_failure.add(name)
            continue
        if event_type in _EXECUTION_END:
            finished = True
            # Open states are judged at the end, from their own events: a local cloud may record a branch's
            # answer after the execution already failed, and the order of events must not change the story.
            execution_failed = execution_failed or event_type in _EXECUTION_FAILURE
            continue
        owner = _owner(event, by_id, open_order)
        if owner is None:
            continue
        if is_failure_event(event_type):
            outcome[owner] = FAILED
            failed_at[owner] = index
        elif _is_success_event(event_type):
            outcome[owner] = SUCCEEDED
        elif _is_attempt_event(event_type):
            attempted.add(owner)
            if outcome.get(owner) == FAILED:
                outcome[owner] = None

    statuses: dict[str, str] = {}
    for name in entered:
        still_open = entered[name] > exited[name]
        if not still_open:
            statuses[name] = CAUGHT if name in exited_after_failure else SUCCEEDED
        elif outcome.get(name) == FAILED:
            statuses[name] = CAUGHT if _catch_followed(name, failed_at, entered_at, catch_targets) else FAILED
        elif outcome.get(name) == SUCCEEDED:
            statuses[name] = SUCCEEDED  # its task answered, even if the execution ended first
        elif finished and execution_failed:
            statuses[name] = STOPPED if name in attempted else FAILED
        elif finished:
            statuses[name] = SUCCEEDED
        else:
            statuses[name] = RUNNING
    return statuses


def _close(open_order: list[str], name: str) -> None:
    """Forget the most recent open entry of `name` (a state entered again stays open until exited again)."""
    if name in open_order:
        del open_order[len(open_order) - 1 - open_order[::-1].index(name)]


@dataclass
class TaskRuns:
    """One task state's attempts in an execution: how many were scheduled, and the errors they failed with."""

    attempts: int = 0
    errors: list[str] = field(default_factory=list)


def task_runs(events: list[dict]) -> dict[str, TaskRuns]:
    """Each task state's attempts (its Scheduled events: the first try plus each retry) and failures."""
    events = sorted_events(events)
    by_id = {e["id"]: e for e in events if "id" in e}
    open_order: list[str] = []
    runs: dict[str, TaskRuns] = {}
    for event in events:
        event_type = str(event.get("type", ""))
        if (name := _entered_name(event)) is not None:
            open_order.append(name)
        elif (name := _exited_name(event)) is not None:
            _close(open_order, name)
        elif event_type.startswith("Task") or event_type.startswith("LambdaFunction"):
            owner = _owner(event, by_id, open_order)
            if owner is None:
                continue
            run = runs.setdefault(owner, TaskRuns())
            if event_type.endswith("Scheduled"):
                run.attempts += 1
            elif is_failure_event(event_type):
                run.errors.append(str(details_of(event).get("error") or event_type))
    return runs


def _catch_followed(name: str, failed_at: dict[str, int], entered_at: dict[str, list[int]],
                    catch_targets: dict[str, set[str]]) -> bool:
    """True when a state this one's Catch leads to was entered after its failure."""
    failure_index = failed_at.get(name, -1)
    return any(
        index > failure_index
        for target in catch_targets.get(name, ())
        for index in entered_at.get(target, ())
    )


def _owner(event: dict, by_id: dict[int, dict], open_order: list[str]) -> str | None:
    """The state an event belongs to: follow previousEventId back to a StateEntered event.

    "ParallelStateFailed" belongs to the Parallel state even though its chain runs through a branch,
    so for "<Type>State..." events we look for a "<Type>StateEntered" event. Without ids, the most
    recently entered open state is used.
    """
    event_type = str(event.get("type", ""))
    wanted_prefix = event_type.split("State", 1)[0] + "StateEntered" if "State" in event_type else None
    seen: set[int] = set()
    current = by_id.get(event.get("previousEventId"))
    while current is not None and current.get("id") not in seen:
        seen.add(current["id"])
        name = _entered_name(current)
        if name is not None and name in open_order:
            if wanted_prefix is None or current.get("type") == wanted_prefix:
                return name
        current = by_id.get(current.get("previousEventId"))
    if wanted_prefix is not None:
        state_type = wanted_prefix.removesuffix("StateEntered")
        for candidate in reversed(open_order):
            if _type_of_open(candidate, by_id) == state_type:
                return candidate
    return open_order[-1] if open_order else None


def _type_of_open(name: str, by_id: dict[int, dict]) -> str | None:
    for event in reversed(list(by_id.values())):
        if _entered_name(event) == name:
            return str(event.get("type", "")).removesuffix("StateEntered")
    return None


def execution_status(events: list[dict]) -> str:
    """RUNNING, SUCCEEDED or FAILED for the whole execution."""
    types = {str(e.get("type", "")) for e in events}
    if types & _EXECUTION_FAILURE:
        return FAILED
    if "ExecutionSucceeded" in types:
        return SUCCEEDED
    return RUNNING


def details_of(event: dict) -> dict[str, Any]:
    """The event's *EventDetails payload(s), merged (usually there is exactly one)."""
    merged: dict[str, Any] = {}
    for key, value in event.items():
        if key.endswith("EventDetails") and isinstance(value, dict):
            merged.update(value)
    return merged


def state_name_of(event: dict) -> str | None:
    """The state name carried by an event (entered or exited details)."""
    return _entered_name(event) or _exited_name(event)
