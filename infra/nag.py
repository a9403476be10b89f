"""cdk-nag AwsSolutionsChecks for the app, and every acknowledged finding with its reason."""

from __future__ import annotations

from aws_cdk import Acknowledgment, App, CfnElement, Stack, Validations
from cdk_nag import AwsSolutionsChecks
from constructs import IConstruct

from infra.functions import PythonLambda
from infra.parallel_stack import ParallelScatterGatherStack
from infra.sns_stack import SnsScatterGatherStack

RUNTIME_REASON = (
    "The functions pin Python 3.13 on purpose: the handlers must also run on the Python 3.11 of the "
    "workshop's local cloud, and a pinned runtime keeps both targets alike; newer runtimes are adopted deliberately."
)


def add_nag_checks(app: App) -> None:
    """Run the AWS Solutions rules during synthesis; an unacknowledged finding fails synth."""
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))


def _acknowledge(scope: IConstruct, rule: str, reason: str) -> None:
    Validations.of(scope).acknowledge(Acknowledgment(id=rule, reason=reason))


def _function_arn_wildcard(stack: Stack, function: PythonLambda) -> str:
    """The IAM5 finding for `<Function.Arn>:*`, the resource CDK grants so every version may be invoked."""
    cfn_function = function.function.node.default_child
    assert isinstance(cfn_function, CfnElement)
    logical_id = stack.resolve(stack.get_logical_id(cfn_function))
    return f"AwsSolutions-IAM5[Resource::<{logical_id}.Arn>:*]"


def _acknowledge_runtimes(functions: list[PythonLambda]) -> None:
    for function in functions:
        _acknowledge(function.function, "AwsSolutions-L1", RUNTIME_REASON)


def acknowledge_parallel_findings(stack: ParallelScatterGatherStack) -> None:
    """Findings of the Parallel stack that are deliberate, each with why."""
    functions = [stack.requester, *stack.responders.values()]
    _acknowledge_runtimes(functions)
    role = stack.state_machine.role
    for function in functions:
        _acknowledge(
            role,
            _function_arn_wildcard(stack, function),
            "CDK's LambdaInvoke grant adds '<function ARN>:*' so that versions and aliases of this one "
            "function can be invoked; it names no other resource.",
        )
    _acknowledge(
        role,
        "AwsSolutions-IAM5[Resource::*]",
        "Step Functions logging (logs:*LogDelivery, logs:*ResourcePolicy, logs:DescribeLogGroups) and X-Ray "
        "tracing (xray:PutTraceSegments and friends) only accept Resource '*'; CDK adds exactly these actions.",
    )


def acknowledge_sns_findings(stack: SnsScatterGatherStack) -> None:
    """Findings of the SNS stack that are deliberate, each with why."""
    _acknowledge_runtimes([stack.requester, *stack.responders.values(), stack.aggregator])
    _acknowledge(
        stack.requester.role,
        "AwsSolutions-IAM5[Action::kms:GenerateDataKey*]",
        "CDK's Topic.grant_publish (used by the SNS destination) grants kms:GenerateDataKey* on the topic's "
        "own key only, which SNS needs to encrypt each published message.",
    )
    _acknowledge(
        stack.table,
        "AwsSolutions-DDB3",
        "The aggregates table holds short-lived workshop data (items expire through TTL within a day) and is "
        "deleted with the stack; point-in-time recovery is billed while on and keeps a backup after the table is "
        "deleted, neither of which serves data a learner recreates by sending another request.",
    )
    _acknowledge(
        stack.failed_invocations_queue,
        "AwsSolutions-SQS3",
        "This queue is itself the record of failed invocations (the Lambda OnFailure destination of the requester "
        "and the responders); nothing consumes it, so a dead-letter queue of its own would never receive anything.",
    )
