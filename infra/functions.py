"""A Python Lambda function with its own log group and a role that may only write to that log group."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

LAMBDAS_DIR = Path(__file__).resolve().parent.parent / "lambdas"
RUNTIME = lambda_.Runtime.PYTHON_3_13
HANDLER = "app.lambda_handler"
MEMORY_MB = 128
TIMEOUT = Duration.seconds(10)
LOG_RETENTION = logs.RetentionDays.ONE_WEEK
# Bytecode caches left by local test runs must neither ship nor change the asset hash.
ASSET_EXCLUDES = ["__pycache__", "*.pyc"]


class PythonLambda(Construct):
    """Creates `function`, its `log_group` (one week, deleted with the stack) and its `role`.

    The role gets no managed policy: instead of AWSLambdaBasicExecutionRole (logs on `*`) it may only
    write to its own log group; stacks add the rest through CDK grants.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        asset: str,
        description: str,
        environment: Mapping[str, str] | None = None,
        on_success: lambda_.IDestination | None = None,
        on_failure: lambda_.IDestination | None = None,
        retry_attempts: int | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        asset_dir = LAMBDAS_DIR / asset
        if not (asset_dir / "app.py").is_file():
            raise FileNotFoundError(f"Lambda asset {asset_dir} has no app.py; restore the lambdas/ folder.")
        self.log_group = logs.LogGroup(
            self, "LogGroup", retention=LOG_RETENTION, removal_policy=RemovalPolicy.DESTROY
        )
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"Execution role of the {construct_id} function",
        )
        self.log_group.grant_write(self.role)
        self.function = lambda_.Function(
            self,
            "Function",
            runtime=RUNTIME,
            handler=HANDLER,
            code=lambda_.Code.from_asset(str(asset_dir), exclude=ASSET_EXCLUDES),
            description=description,
            environment=dict(environment or {}),
            memory_size=MEMORY_MB,
            timeout=TIMEOUT,
            role=self.role,
            log_group=self.log_group,
            on_success=on_success,
            on_failure=on_failure,
            retry_attempts=retry_attempts,
        )
