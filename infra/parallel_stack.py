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
# The errors CDK's retry_on_service_exceptions retries: Lambda itself failed, not the function.
LAMBDA_SERVICE_ERRORS = (
    "Lambda.ClientExecutionTimeoutException",
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
)
VENDOR_UNAVAILABLE = "VendorUnavailableError"  # the responder's simulated outage (its exception's class name)
# Small on purpose, so a workshop sees a failing vendor give up within seconds (1 s, then 2 s).
VENDOR_RETRIES = 2
VENDOR_RETRY_INTERVAL = Duration.seconds(1)
VENDOR_RETRY_BACKOFF = 2


class ParallelScatterGatherStack(Stack):
    """Requester task, then a Parallel state whose branches each ask one vendor's responder.

    With `catch_failures` (the default) each branch retries an unavailable vendor briefly, then a vendor that
    still fails yields {"vendor", "error", "cause"} in the output's "errors" list instead of failing the whole
    execution. Without it the branches are the sample's: a vendor's error fails the execution at once.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str = STACK_NAME,
        *,
        vendors: tuple[Vendor, ...],
        catch_failures: bool = True,
    ) -> None:
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

        # region: definition
        request = tasks.LambdaInvoke(
            self,
            "RequesterTask",
            state_name="Requester",
            lambda_function=self.requester.function,
            result_selector={"request": sfn.JsonPath.string_to_json(sfn.JsonPath.string_at("$.Payload.body"))},
            # Lambda service errors only: an InvalidQuoteRequest fails the execution at once, with its cause.
            retry_on_service_exceptions=True,
        )
        if catch_failures:
            # Each branch yields {"quote": ...} or {"error": ...}; wildcard paths split them into two lists.
            result_selector = {
                "quotes": sfn.JsonPath.list_at("$[*].quote"),
                "errors": sfn.JsonPath.list_at("$[*].error"),
            }
        else:
            # The sample's shape: one quote per branch, and a failed branch fails the whole Parallel state.
            result_selector = {"quotes": sfn.JsonPath.object_at("$")}
        scatter = sfn.Parallel(self, "ParallelState", state_name="Parallel", result_selector=result_selector)
        for name, responder in self.responders.items():
            scatter.branch(self._ask_vendor(name, responder, catch_failures=catch_failures))
        # endregion

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

    def _ask_vendor(self, name: str, responder: PythonLambda, *, catch_failures: bool) -> sfn.IChainable:
        """One branch: invoke the vendor's responder; when catching, retry it briefly, then turn a failure into data."""
        task = tasks.LambdaInvoke(
            self,
            f"Responder{name}Task",
            state_name=f"Responder{name}",
            lambda_function=responder.function,
            input_path="$.request",
            result_selector={"quote": sfn.JsonPath.string_to_json(sfn.JsonPath.string_at("$.Payload.data"))},
            output_path=None if catch_failures else "$.quote",
            # The sample's branches retry Lambda's own service errors only (CDK's default retry): a vendor's
            # error fails the branch, and the whole execution, at its first attempt.
            retry_on_service_exceptions=not catch_failures,
        )
        if not catch_failures:
            return task
        # This workshop's default replaces that retry with a shorter one that also retries an unavailable vendor.
        task.add_retry(
            errors=[*LAMBDA_SERVICE_ERRORS, VENDOR_UNAVAILABLE],
            interval=VENDOR_RETRY_INTERVAL,
            max_attempts=VENDOR_RETRIES,
            backoff_rate=VENDOR_RETRY_BACKOFF,
        )
        failed = sfn.Pass(
            self,
            f"Responder{name}Failed",
            state_name=f"Responder{name}Failed",
            parameters={"error": {"vendor": name, "error": sfn.JsonPath.string_at("$.Error"),
                                  "cause": sfn.JsonPath.string_at("$.Cause")}},
        )
        task.add_catch(failed, errors=[sfn.Errors.ALL])
        return task
