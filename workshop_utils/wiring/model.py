"""The wiring of a stack as plain data (nodes, labelled edges), and the builder both readers feed."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Resolve = Callable[[Any], str]  # an ARN or a template reference -> the key of its node ("" if none)

# Edge kinds, in the order a learner follows the flow.
ON_SUCCESS = "on-success"
ON_FAILURE = "on-failure"
SUBSCRIPTION = "subscription"
EVENT_SOURCE = "event-source"
REDRIVE = "redrive"
TASK = "task"
BRANCH = "branch"
TABLE_ACCESS = "table-access"
KINDS = (TASK, BRANCH, ON_SUCCESS, SUBSCRIPTION, ON_FAILURE, EVENT_SOURCE, REDRIVE, TABLE_ACCESS)

LAMBDA_DEFAULT_RETRIES = 2  # what Lambda does when an EventInvokeConfig sets no MaximumRetryAttempts
SQS_DEFAULT_BATCH_SIZE = 10
_CDK_HASH = re.compile(r"[0-9A-F]{8}$")
_CDK_INTERNAL = ("LogRetention", "AWS679f53fac", "Custom", "CDK", "BucketNotificationsHandler", "SingletonLambda")
_WRITES = ("putitem", "updateitem", "deleteitem", "batchwriteitem", "*")  # IAM actions ignore case
_READS = ("getitem", "query", "scan", "batchgetitem", "*")
_ROLE_RANK = {"state-machine": 0, "requester": 1, "topic": 2, "responder": 3, "function": 4, "queue": 5,
              "aggregator": 6, "failed-invocations-queue": 7, "dead-letter-queue": 8, "table": 9}


@dataclass
class Node:
    """A resource in the wiring: `key` is its logical id in the stack (or its ARN when outside the stack)."""

    key: str
    service: str  # "lambda", "sns", "sqs", "sfn", "dynamodb"
    role: str
    title: str
    detail: str = ""  # a setting worth seeing on the card, e.g. "delay 10 s"
    vendor: str = ""
    name: str = ""  # the physical name, when read from a deployment

    @property
    def label(self) -> str:
        """The title with its detail: "Deadline queue (delay 10 s)"."""
        return f"{self.title} ({self.detail})" if self.detail else self.title


@dataclass(frozen=True)
class Edge:
    """A relationship that exists: `source` sends to, feeds or invokes `target`."""

    source: str
    target: str
    kind: str
    label: str


@dataclass
class Wiring:
    """What a stack connects to what; `read_from` says where it was read (for the caption)."""

    stack: str
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    read_from: str = ""
    notes: list[str] = field(default_factory=list)  # what could not be read, each with what to do

    def node(self, key: str) -> Node:
        return next(node for node in self.nodes if node.key == key)

    def edge_set(self) -> set[tuple[str, str, str, str]]:
        """The edges as comparable tuples (source, target, kind, label)."""
        return {(e.source, e.target, e.kind, e.label) for e in self.edges}

    def described(self) -> list[str]:
        """Each edge in words, by node label: "Requester -> Scatter topic: on success" (for tests and reports)."""
        labels = {node.key: node.label for node in self.nodes}
        return sorted(f"{labels[e.source]} -> {labels[e.target]}: {e.label}" for e in self.edges)


def words(logical_id: str) -> str:
    """A title from a CDK logical id: "AggregationQueue8D109DB5" -> "Aggregation queue"."""
    text = _CDK_HASH.sub("", logical_id) or logical_id
    parts = re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+", text) or [text]
    return " ".join([parts[0]] + [part if part.isupper() else part.lower() for part in parts[1:]])


def vendor_from(logical_id: str) -> str:
    """The vendor in a responder's logical id: "ResponderAvisFunctionD8DFECDE" -> "Avis" ("" if none)."""
    match = re.search(r"Responders?([A-Z0-9][A-Za-z0-9]*?)(Function|Fn|Lambda|Handler|[0-9A-F]{8}$|$)", logical_id)
    return match.group(1) if match else ""


def is_cdk_internal(logical_id: str) -> bool:
    """CDK's own helper functions (log retention, custom resources), which a learner did not write."""
    return logical_id.startswith(_CDK_INTERNAL)


def seconds(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def table_access(actions: list[str]) -> tuple[bool, bool]:
    """Whether DynamoDB actions let a role (read, write) items."""
    names = [a.lower().split(":", 1)[1] for a in actions if a.lower().startswith("dynamodb:")]
    return any(name.startswith(_READS) for name in names), any(name.startswith(_WRITES) for name in names)


def as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


class Builder:
    """Collects what a reader found, then names nodes from their place in the wiring (see `finish`)."""

    def __init__(self, stack: str) -> None:
        self.stack = stack
        self.nodes: dict[str, Node] = {}
        self.edges: list[Edge] = []
        self.delays: dict[str, int] = {}

    def function(self, key: str, *, vendor: str = "", name: str = "") -> None:
        if is_cdk_internal(key):
            return
        lowered = key.lower()
        role = next((r for r in ("responder", "requester", "aggregator") if r in lowered), "function")
        if role == "responder":
            vendor = vendor or vendor_from(key)
            title = f"Responder · {vendor}" if vendor else words(key)
        else:
            title = words(re.sub(r"(Function|Fn|Lambda)(?=[0-9A-F]{8}$|$)", "", key))
        self.nodes[key] = Node(key, "lambda", role, title, vendor=vendor, name=name)

    def topic(self, key: str, *, name: str = "") -> None:
        self.nodes[key] = Node(key, "sns", "topic", words(key), name=name)

    def queue(self, key: str, *, delay_seconds: int = 0, name: str = "") -> None:
        self.nodes[key] = Node(key, "sqs", "queue", words(key), name=name)
        self.delays[key] = delay_seconds

    def table(self, key: str, *, name: str = "") -> None:
        self.nodes[key] = Node(key, "dynamodb", "table", words(key), name=name)

    def state_machine(self, key: str, *, name: str = "") -> None:
        self.nodes[key] = Node(key, "sfn", "state-machine", words(key), name=name)

    def outside(self, arn: str) -> str:
        """A node for an ARN outside the stack (a destination elsewhere); returns its key."""
        if arn not in self.nodes:
            service = {"lambda": "lambda", "sns": "sns", "sqs": "sqs", "states": "sfn", "dynamodb": "dynamodb"}
            kind = arn.split(":")[2] if arn.count(":") >= 5 else ""
            short = re.split(r"[:/]", arn)[-1] or arn
            self.nodes[arn] = Node(arn, service.get(kind, "lambda"), "outside", f"{short} (not in this stack)")
        return arn

    # ------------------------------------------------------------ edges

    def destinations(self, function: str, *, on_success: str, on_failure: str, retries: int | None) -> None:
        """One EventInvokeConfig: where Lambda sends a successful and a failed asynchronous invocation."""
        if function not in self.nodes:
            return
        if on_success:
            self._edge(function, on_success, ON_SUCCESS, "on success")
        if on_failure:
            count = LAMBDA_DEFAULT_RETRIES if retries is None else retries
            after = "no retry" if count == 0 else f"after {count} retr{'y' if count == 1 else 'ies'}"
            self._edge(function, on_failure, ON_FAILURE, f"on failure, {after}")

    def subscription(self, topic: str, endpoint: str, protocol: str) -> None:
        delay = self.delays.get(endpoint, 0) if protocol == "sqs" else 0
        self._edge(topic, endpoint, SUBSCRIPTION, f"subscription, delay {delay} s" if delay else "subscription")

    def event_source(self, queue: str, function: str, *, batch_size: int | None, window_seconds: int) -> None:
        batch = batch_size or SQS_DEFAULT_BATCH_SIZE
        window = f"window {window_seconds} s" if window_seconds else "no window"
        self._edge(queue, function, EVENT_SOURCE, f"event source: batch {batch}, {window}")

    def redrive(self, queue: str, policy: Any, resolve: Resolve) -> None:
        """A queue's RedrivePolicy (a dict, or the JSON string SQS returns); `resolve` maps its ARN to a key."""
        if isinstance(policy, str):
            try:
                policy = json.loads(policy)
            except ValueError:
                return
        if not isinstance(policy, dict) or not policy.get("deadLetterTargetArn"):
            return
        target = resolve(policy["deadLetterTargetArn"])
        self._edge(queue, target, REDRIVE, f"redrive after {seconds(policy.get('maxReceiveCount'))} receives")

    def state_machine_tasks(self, machine: str, definition: dict, resolve: Resolve) -> None:
        """The functions the definition's Task states invoke, step by step; Parallel branches as branches."""
        for step, (state, branch) in enumerate(_top_level_states(definition), start=1):
            for function in _task_functions(state, resolve):
                if branch:
                    self._edge(machine, function, BRANCH, f"step {step}: Parallel branch")
                else:
                    self._edge(machine, function, TASK, f"step {step}: task")

    def policy(self, function: str, statements: list[dict], resolve: Resolve) -> None:
        """DynamoDB access a function's role allows on a table of the stack: one edge a table, all statements."""
        access: dict[str, tuple[bool, bool]] = {}
        for statement in statements:
            if statement.get("Effect") != "Allow":
                continue
            reads, writes = table_access([str(a) for a in as_list(statement.get("Action", []))])
            for resource in as_list(statement.get("Resource", [])):
                table = resolve(resource)
                if (reads or writes) and table in self.nodes and self.nodes[table].service == "dynamodb":
                    before = access.get(table, (False, False))
                    access[table] = (before[0] or reads, before[1] or writes)
        words_for = {(True, True): "reads and writes", (True, False): "reads", (False, True): "writes"}
        for table, allowed in access.items():
            self._edge(function, table, TABLE_ACCESS, words_for[allowed])

    def _edge(self, source: str, target: str, kind: str, label: str) -> None:
        edge = Edge(source, target, kind, label)
        if source in self.nodes and target in self.nodes and edge not in self.edges:
            self.edges.append(edge)

    # ------------------------------------------------------------ result

    def finish(self, read_from: str, notes: list[str] | None = None) -> Wiring:
        """Name queues by what the wiring makes them, drop tables nothing reaches, order nodes by flow."""
        for key, node in self.nodes.items():
            if node.service != "sqs" or node.role == "outside":
                continue
            incoming = {e.kind for e in self.edges if e.target == key}
            if REDRIVE in incoming:
                node.role, node.title = "dead-letter-queue", "Dead-letter queue"
            elif ON_FAILURE in incoming:
                node.role, node.title = "failed-invocations-queue", "Failed-invocations queue"
            if self.delays.get(key):
                node.detail = f"delay {self.delays[key]} s"
        reached = {e.target for e in self.edges} | {e.source for e in self.edges}
        nodes = [n for n in self.nodes.values() if n.service != "dynamodb" or n.key in reached]
        # By role in flow order, then by name: the same order whichever source was read (the APIs list in theirs).
        nodes.sort(key=lambda n: (_ROLE_RANK.get(n.role, len(_ROLE_RANK)), n.title.lower(), n.key))
        order = {node.key: index for index, node in enumerate(nodes)}
        edges = sorted(self.edges, key=lambda e: (KINDS.index(e.kind), order[e.source], order[e.target]))
        return Wiring(self.stack, nodes, edges, read_from, list(notes or []))


def _top_level_states(definition: dict) -> list[tuple[dict, bool]]:
    """The states from StartAt along Next, each with whether it is a Parallel state (then its branches count)."""
    states = definition.get("States", {}) if isinstance(definition, dict) else {}
    found, name, seen = [], definition.get("StartAt") if isinstance(definition, dict) else None, set()
    while name in states and name not in seen:
        seen.add(name)
        state = states[name]
        found.append((state, state.get("Type") == "Parallel"))
        name = state.get("Next")
    # States reached only through Catch or Choice still invoke what they invoke: one more step for them.
    found += [(state, state.get("Type") == "Parallel") for key, state in states.items() if key not in seen]
    return found


def _task_functions(state: dict, resolve: Resolve) -> list[str]:
    """The functions a Task invokes (lambda:invoke or a function ARN), or every branch's tasks for a Parallel."""
    if state.get("Type") == "Parallel":
        found = []
        for branch in state.get("Branches", []):
            for inner in branch.get("States", {}).values():
                found += _task_functions(inner, resolve)
        return found
    if state.get("Type") != "Task":
        return []
    resource = str(state.get("Resource", ""))
    if ":states:::lambda:invoke" in resource:
        target = (state.get("Parameters") or {}).get("FunctionName", "")
    elif ":lambda:" in resource or resource.startswith("{{ref:"):  # a function ARN (a reference, in a template)
        target = resource
    else:
        return []
    return [resolve(target)] if target else []
