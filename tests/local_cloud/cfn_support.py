"""Helpers of the CloudFormation tests (test_cfn_*.py): trust policies, stack outputs, finished executions.

Imported by path (it holds no tests); the in-process moto server and its clients are the `moto_endpoint`
and `moto_client` fixtures of conftest.py.
"""

from __future__ import annotations

import time
from typing import Any

ACCOUNT, REGION = "123456789012", "us-east-1"


def assume_role_policy(service: str) -> dict[str, Any]:
    """A trust policy letting `service` (e.g. lambda.amazonaws.com) assume a role."""
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
    }


def outputs_of(cfn: Any, stack: str) -> dict[str, str]:
    described = cfn.describe_stacks(StackName=stack)["Stacks"][0]
    return {output["OutputKey"]: output["OutputValue"] for output in described.get("Outputs", [])}


def settled(cfn: Any, stack: str) -> dict[str, Any]:
    """The stack once its change set ran (ExecuteChangeSet answers at once; the work runs on a thread)."""
    for _ in range(1200):
        described = cfn.describe_stacks(StackName=stack)["Stacks"][0]
        if not described["StackStatus"].endswith("_IN_PROGRESS"):
            return described
        time.sleep(0.05)
    raise AssertionError(f"stack {stack} is still {described['StackStatus']}")


def finished(sfn: Any, execution_arn: str) -> dict[str, Any]:
    """The execution once it left RUNNING (the interpreter runs in a thread of the server)."""
    for _ in range(600):
        described = sfn.describe_execution(executionArn=execution_arn)
        if described["status"] != "RUNNING":
            return described
        time.sleep(0.05)
    raise AssertionError(f"{execution_arn} is still running")
