"""The handler's context object, with the attributes Lambda documents for Python."""

from __future__ import annotations

import os
import sys
import time

from .encoding import parse_json

TYPE_CHECKING = False  # no typing import at run time (cold start)
if TYPE_CHECKING:
    from .api import NextEvent


class CognitoIdentity:
    __slots__ = ("cognito_identity_id", "cognito_identity_pool_id")

    def __init__(self, identity: dict | None) -> None:
        self.cognito_identity_id = identity.get("cognitoIdentityId") if identity else None
        self.cognito_identity_pool_id = identity.get("cognitoIdentityPoolId") if identity else None


class Client:
    __slots__ = ("installation_id", "app_title", "app_version_name", "app_version_code", "app_package_name")

    def __init__(self, client: dict) -> None:
        for name in self.__slots__:
            setattr(self, name, client.get(name))


class ClientContext:
    __slots__ = ("custom", "env", "client")

    def __init__(self, context: dict) -> None:
        self.custom = context.get("custom")
        self.env = context.get("env")
        client = context.get("client")
        self.client = Client(client) if client is not None else None


def _parse_header_json(value: str | None, name: str) -> dict | None:
    return parse_json(value, "Runtime.LambdaContextUnmarshalError", f"Unable to parse {name} JSON") if value else None


class LambdaContext:
    """The handler's second argument, with the attributes Lambda documents for Python."""

    def __init__(self, event: NextEvent) -> None:
        self.aws_request_id = event.request_id
        self.invoked_function_arn = event.invoked_arn
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")  # a string, as in Lambda
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.tenant_id = event.tenant_id
        client_context = _parse_header_json(event.client_context, "Client Context")
        self.client_context = ClientContext(client_context) if client_context is not None else None
        self.identity = CognitoIdentity(_parse_header_json(event.cognito_identity, "Cognito Identity"))
        self._deadline_ms = event.deadline_ms

    def get_remaining_time_in_millis(self) -> int:
        return max(0, self._deadline_ms - int(time.time() * 1000))

    def log(self, message: object) -> None:
        sys.stdout.write(str(message))
