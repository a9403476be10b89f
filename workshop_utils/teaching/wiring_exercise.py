"""The wiring exercise (02a): synthesize the learner's SNS stack and say, one sentence each, what is missing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Any

from workshop_utils.deploy.fingerprint import REPO_ROOT

# Logical-id references in a template, as CloudFormation writes them.
Ref = dict[str, Any]


@dataclass(frozen=True)
class WiringIds:
    """The logical ids the check looks for in the learner's template."""

    topic: str
    queue: str
    requester: str
    responders: dict[str, str]  # vendor name -> function logical id
    aggregator: str
    batch_size: int
    batching_window_s: int


@dataclass
class WiringReport:
    """What the check found: the problems (one sentence each), or why it could not synthesize at all."""

    problems: list[str] = field(default_factory=list)
    error: str | None = None  # the learner's file did not load or raised: nothing to compare

    @property
    def passed(self) -> bool:
        return self.error is None and not self.problems


def _ref(logical_id: str) -> Ref:
    return {"Ref": logical_id}


def _arn(logical_id: str) -> Ref:
    return {"Fn::GetAtt": [logical_id, "Arn"]}


def _names(vendors: list[str]) -> str:
    return ", ".join(vendors)


def _on_success(template: Any, function_id: str) -> Any:
    """The OnSuccess destination of a function's EventInvokeConfig (None when there is none)."""
    from aws_cdk.assertions import Match

    configs = template.find_resources(
        "AWS::Lambda::EventInvokeConfig", {"Properties": Match.object_like({"FunctionName": _ref(function_id)})}
    )
    for config in configs.values():
        destination = config["Properties"].get("DestinationConfig", {}).get("OnSuccess", {}).get("Destination")
        if destination is not None:
            return destination
    return None


def _subscribed(template: Any, topic: str, function_id: str) -> bool:
    from aws_cdk.assertions import Match

    wanted = {"Protocol": "lambda", "TopicArn": _ref(topic), "Endpoint": _arn(function_id)}
    found = template.find_resources("AWS::SNS::Subscription", {"Properties": Match.object_like(wanted)})
    return bool(found)


def _scatter_problems(template: Any, ids: WiringIds) -> list[str]:
    requester = _on_success(template, ids.requester)
    if requester is None:
        return ["The requester has no OnSuccess destination: its result never reaches the topic (✏️ 1)."]
    if requester != _ref(ids.topic):
        return ["The requester's OnSuccess destination is not the topic: no vendor hears of a request (✏️ 1)."]
    return []


def _responder_problems(template: Any, ids: WiringIds) -> list[str]:
    problems = []
    not_queued = [name for name, fid in ids.responders.items() if _on_success(template, fid) != _arn(ids.queue)]
    if len(not_queued) == len(ids.responders):
        problems.append(
            "The responders' OnSuccess destination is not the aggregation queue: their quotes never reach the "
            "aggregator (✏️ 2)."
        )
    elif not_queued:
        problems.append(
            f"The OnSuccess destination of {_names(not_queued)} is not the aggregation queue: its quotes never "
            "reach the aggregator (✏️ 2)."
        )
    unsubscribed = [name for name, fid in ids.responders.items() if not _subscribed(template, ids.topic, fid)]
    if len(unsubscribed) == len(ids.responders):
        problems.append("The responders are not subscribed to the topic: no vendor hears of a request (✏️ 3).")
    elif unsubscribed:
        problems.append(f"{_names(unsubscribed)} is not subscribed to the topic: it never hears of a request (✏️ 3).")
    if _subscribed(template, ids.topic, ids.aggregator) or _subscribed(template, ids.topic, ids.requester):
        problems.append(
            "Only the responders belong on the topic: unsubscribe the requester and the aggregator (✏️ 3)."
        )
    return problems


def _gather_problems(template: Any, ids: WiringIds) -> list[str]:
    from aws_cdk.assertions import Match

    mappings = template.find_resources(
        "AWS::Lambda::EventSourceMapping",
        {"Properties": Match.object_like({"EventSourceArn": _arn(ids.queue)})},
    )
    if not mappings:
        return ["The aggregation queue has no event source: the aggregator will never run (✏️ 4)."]
    problems = []
    for mapping in mappings.values():
        properties = mapping["Properties"]
        if properties.get("FunctionName") != _ref(ids.aggregator):
            problems.append("The aggregation queue's event source invokes another function, not the aggregator (✏️ 4).")
            continue
        if properties.get("BatchSize") != ids.batch_size:
            problems.append(
                f"The aggregator's event source takes batches of {properties.get('BatchSize', 10)}, not one message "
                f"per vendor ({ids.batch_size}, len(parts.responders)) (✏️ 4)."
            )
        if properties.get("MaximumBatchingWindowInSeconds", 0) != ids.batching_window_s:
            problems.append(
                "The aggregator's event source does not wait parts.batching_window "
                f"({ids.batching_window_s} s) to fill a batch (✏️ 4)."
            )
        if "ReportBatchItemFailures" not in properties.get("FunctionResponseTypes", []):
            problems.append(
                "The aggregator's event source does not report batch item failures: one failed message would "
                "redeliver the whole batch (report_batch_item_failures=True) (✏️ 4)."
            )
    return problems


def wiring_problems(template_json: dict[str, Any], ids: WiringIds) -> list[str]:
    """Every missing or wrong piece of the wiring, one sentence each, in the order the learner writes them."""
    from aws_cdk.assertions import Template

    template = Template.from_json(template_json)
    return [
        *_scatter_problems(template, ids),
        *_responder_problems(template, ids),
        *_gather_problems(template, ids),
    ]


def cdk_json_context() -> dict[str, Any]:
    """cdk.json's context, which the CDK CLI would pass to the app (an in-process App does not read it)."""
    return dict(json.loads((REPO_ROOT / "cdk.json").read_text()).get("context", {}))


def synthesize(wiring: str = "exercise", context: dict[str, Any] | None = None) -> tuple[dict[str, Any], WiringIds]:
    """The SNS stack's template with this wiring (cdk-nag on, as in the real app), and the ids to check."""
    from aws_cdk import Stack

    from infra.app import build_app
    from infra.config import SNS_WIRING_KEY, load_config
    from infra.sns_stack import STACK_NAME, SnsScatterGatherStack

    app = build_app({**cdk_json_context(), **(context or {}), SNS_WIRING_KEY: wiring})
    stack = app.node.find_child(STACK_NAME)
    assert isinstance(stack, SnsScatterGatherStack)
    template = app.synth().get_stack_by_name(STACK_NAME).template

    def logical_id(construct: Any) -> str:
        return str(Stack.of(construct).resolve(stack.get_logical_id(construct.node.default_child)))

    ids = WiringIds(
        topic=logical_id(stack.topic),
        queue=logical_id(stack.queue),
        requester=logical_id(stack.requester.function),
        responders={name: logical_id(r.function) for name, r in stack.responders.items()},
        aggregator=logical_id(stack.aggregator.function),
        batch_size=len(stack.responders),
        batching_window_s=load_config(app.node.try_get_context).max_batching_window_seconds,
    )
    return template, ids


def check_here(context: dict[str, Any] | None = None) -> WiringReport:
    """Synthesize the learner's wiring in this process and list its problems."""
    from infra.config import ConfigError

    try:
        template, ids = synthesize("exercise", context)
    except ConfigError as error:
        return WiringReport(error=str(error))
    return WiringReport(problems=wiring_problems(template, ids))


def check(context: dict[str, Any] | None = None, *, timeout_s: float = 300) -> WiringReport:
    """Like check_here, in a fresh Python, so the learner's latest file is read and jsii stays out of the kernel."""
    completed = subprocess.run(
        [sys.executable, "-m", "workshop_utils.teaching.wiring_exercise", json.dumps(context or {})],
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")]))},
        capture_output=True,
        text=True,
        timeout=timeout_s,
    )
    lines = completed.stdout.strip().splitlines()
    if completed.returncode != 0 or not lines:
        last = (completed.stderr.strip().splitlines() or ["no output"])[-1]
        return WiringReport(error=f"The check could not synthesize your stack ({last}); fix exercises/sns_wiring.py.")
    return WiringReport(**json.loads(lines[-1]))


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    report = check_here(json.loads(args[0]) if args else None)
    print(json.dumps({"problems": report.problems, "error": report.error}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
