"""Step Functions' interpreter signs its AWS calls with this local cloud's own keys instead of moto's fixed ones."""

from __future__ import annotations

import os
from typing import Any

import boto3
from moto.stepfunctions.parser.asl.utils import boto_client


class _Boto3SignedAsServer:
    """boto3, except that clients take the server's keys from its environment: moto's interpreter signs with
    fixed dummy keys ("ak"/"sk"), which the local cloud refuses like any key that is not its own."""

    def client(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["aws_access_key_id"] = os.environ.get("AWS_ACCESS_KEY_ID")
        kwargs["aws_secret_access_key"] = os.environ.get("AWS_SECRET_ACCESS_KEY")
        kwargs.pop("aws_session_token", None)
        return boto3.client(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(boto3, name)


def install() -> None:
    """Every Task's client (Lambda, SQS, SNS, S3...) is built by boto_client_for, which uses this module's boto3."""
    boto_client.boto3 = _Boto3SignedAsServer()  # type: ignore[assignment]
