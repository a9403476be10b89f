"""The original design: a Step Functions Parallel state with one Lambda task per vendor."""

from __future__ import annotations

from aws_cdk import CfnOutput, Duration, RemovalPolicy, Stack
from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct

from infra.config import Vendor
from infra.functions import LOG_RETENTION, PythonLambda

STACK_NAME = "ScatterGatherWithParallelStack"


class ParallelScatterGatherStack(Stack):
    """Requester task, then a Parallel state whose branches each ask one vendor's responder."""

    def __init__(self, scope: Construct, construct_id: str = STACK_NAME, *, vendors: tuple[Vendor, ...]) -> None:
        super().__init__(
            scope, construct_id, description="Scatter-gather with a Step Functions Parallel state (workshop)."
        )
        self.requester = PythonLambda(
            self, "Requester", asset="requester", description="Validates a quote request and adds its uuid"
        )
        self.responders = {
            vendor.name: PythonLambda(
                self,
                f"Responder{vendor.name}",
                asset="responder",
                description=f"Prices a quote request for {vendor.name}",
                environment=vendor.environment(),
            )
            for vendor in vendors
        }

        request = tasks.LambdaInvoke(
            self,
            "RequesterTask",
            state_name="Requester",
            lambda_function=self.requester.function,
            result_selector={"request": sfn.JsonPath.string_to_json(sfn.JsonPath.string_at("$.Payload.body"))},
            retry_on_service_exceptions=True,
        )
        # The Parallel state's output is the list of branch outputs: {"quotes": [quote, ...]}.
        scatter = sfn.Parallel(
            self, "ParallelState", state_name="Parallel", result_selector={"quotes": sfn.JsonPath.object_at("$")}
        )
        for name, responder in self.responders.items():
            scatter.branch(
                tasks.LambdaInvoke(
                    self,
                    f"Responder{name}Task",
                    state_name=f"Responder{name}",
                    lambda_function=responder.function,
                    input_path="$.request",
                    result_selector={
                        "quote": sfn.JsonPath.string_to_json(sfn.JsonPath.string_at("$.Payload.data"))
                    },
                    output_path="$.quote",
                    retry_on_service_exceptions=True,
                )
            )

        self.state_machine_log_group = logs.LogGroup(
            self, "StateMachineLogGroup", retention=LOG_RETENTION, removal_policy=RemovalPolicy.DESTROY
        )
        # No state_machine_name: learners sharing an account must not collide.
        self.state_machine = sfn.StateMachine(
            self,
            "StateMachine",
            definition_body=sfn.DefinitionBody.from_chainable(request.next(scatter)),
            state_machine_type=sfn.StateMachineType.STANDARD,
            timeout=Duration.minutes(5),
            logs=sfn.LogOptions(
                destination=self.state_machine_log_group, level=sfn.LogLevel.ALL, include_execution_data=True
            ),
            tracing_enabled=True,
            removal_policy=RemovalPolicy.DESTROY,
        )

        CfnOutput(self, "StatemachineArn", value=self.state_machine.state_machine_arn)
        CfnOutput(self, "RequesterFunctionName", value=self.requester.function.function_name)
        for name, responder in self.responders.items():
            CfnOutput(self, f"ResponderFunctionName{name}", value=responder.function.function_name)
