"""A tiny CDK app the local cloud's tests deploy: a filtered topic-to-queue fan-out and a Map state machine."""

from __future__ import annotations

import json

import aws_cdk as cdk
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

ANNOUNCER_CODE = "def handler(event, context):\n    return {'announced': event}\n"
#: Tier name -> minimum price; the lowest tier is the default. Override with -c tiers='{...}'.
DEFAULT_TIERS = {"premium": 100, "standard": 0}


class QuoteBoardStack(cdk.Stack):
    """Premium quotes reach a queue through an encrypted topic; a state machine tallies quotes with a Map."""

    def __init__(self, scope: Construct, construct_id: str, *, tiers: dict[str, int], **kwargs: object) -> None:
        super().__init__(scope, construct_id, **kwargs)
        ranked = sorted(tiers.items(), key=lambda tier: tier[1], reverse=True)
        key = kms.Key(self, "BoardKey", removal_policy=cdk.RemovalPolicy.DESTROY)
        board = sns.Topic(self, "Board", master_key=key)
        premium = sqs.Queue(self, "PremiumQuotes", visibility_timeout=cdk.Duration.seconds(45))
        board.add_subscription(subscriptions.SqsSubscription(
            premium,
            raw_message_delivery=True,
            filter_policy={"tier": sns.SubscriptionFilter.string_filter(allowlist=[name for name, _ in ranked[:-1]])},
        ))
        log_group = logs.LogGroup(self, "AnnouncerLogs", retention=logs.RetentionDays.ONE_WEEK,
                                  removal_policy=cdk.RemovalPolicy.DESTROY)
        announcer = lambda_.Function(
            self, "Announcer",
            runtime=lambda_.Runtime.PYTHON_3_11,
            handler="index.handler",
            code=lambda_.Code.from_inline(ANNOUNCER_CODE),
            log_group=log_group,
            on_success=destinations.SnsDestination(board),
            retry_attempts=0,
        )
        machine = sfn.StateMachine(
            self, "Tally",
            definition_body=sfn.DefinitionBody.from_chainable(self._tally(ranked)),
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )
        cdk.CfnOutput(self, "BoardTopicArn", value=board.topic_arn)
        cdk.CfnOutput(self, "PremiumQueueUrl", value=premium.queue_url)
        cdk.CfnOutput(self, "TallyStateMachineArn", value=machine.state_machine_arn)
        cdk.CfnOutput(self, "AnnouncerFunctionName", value=announcer.function_name)
        cdk.CfnOutput(self, "AnnouncerLogGroupName", value=log_group.log_group_name)

    def _tally(self, ranked: list[tuple[str, int]]) -> sfn.IChainable:
        label = sfn.Choice(self, "WhichTier")
        for name, minimum in ranked[:-1]:
            label.when(sfn.Condition.number_greater_than("$.price", minimum),
                       sfn.Pass(self, name.title(), parameters={"tier": name, "price.$": "$.price"}))
        lowest = ranked[-1][0]
        label.otherwise(sfn.Pass(self, lowest.title(), parameters={"tier": lowest, "price.$": "$.price"}))
        each = sfn.Map(self, "EachQuote", items_path="$.quotes", result_path="$.tallied")
        each.item_processor(label)
        return sfn.Pass(self, "Start").next(each).next(
            sfn.Pass(self, "Done", parameters={"tallied.$": "$.tallied"}))


app = cdk.App()
tiers = app.node.try_get_context("tiers") or DEFAULT_TIERS
QuoteBoardStack(app, "LocalCloudQuoteBoard", tiers=json.loads(tiers) if isinstance(tiers, str) else tiers,
                env=cdk.Environment(account="123456789012", region="us-east-1"))
app.synth()
