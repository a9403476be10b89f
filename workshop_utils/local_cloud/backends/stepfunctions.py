"""Step Functions in the local cloud: moto's ASL interpreter always on, StartExecution without a name, and
the interpreter's per-execution overheads (parsing, HTTP calls to itself) taken out.

moto keeps two Step Functions backends and its API reads the interpreter one ("parser") only when the
``stepfunctions.execute_state_machine`` config is on; :func:`install` turns it on and subclasses that
backend. Anything creating state machines outside the API (CloudFormation) must use :func:`sfn_backend`.
"""

from __future__ import annotations

import functools
import io
import json
from typing import Any

import jsonpath_ng
import jsonpath_ng.ext
from botocore.client import BaseClient
from moto.core.config import default_user_config
from moto.core.exceptions import AWSError
from moto.moto_api._internal import mock_random
from moto.stepfunctions import responses as sfn_responses
from moto.stepfunctions.exceptions import InvalidExecutionInput
from moto.stepfunctions.models import StepFunctionBackend, stepfunctions_backends
from moto.stepfunctions.parser.asl.component.common.path import result_path
from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils
from moto.stepfunctions.parser.asl.component.state.exec.state_task.lambda_eval_utils import (
    _invoke_lambda_function as _moto_invoke_lambda_function,
)
from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
from moto.stepfunctions.parser.asl.parse.preprocessor import Preprocessor
from moto.stepfunctions.parser.asl.utils import json_path
from moto.stepfunctions.parser.asl.utils.boto_client import boto_client_for as _moto_boto_client_for
from moto.stepfunctions.parser.backend import execution_worker
from moto.stepfunctions.parser.backend.execution import Execution
from moto.stepfunctions.parser.models import StepFunctionsParserBackend, stepfunctions_parser_backends

from ..config import ACCOUNT_ID
from ..lambda_service import services
from ..moto_urls import MotoUrlsMixin
from . import interpreter_credentials
from .subclassing import install_backend_class

# StartExecution's input: at most 256 KiB, counted in bytes of UTF-8 (the API's length constraint).
MAX_EXECUTION_INPUT_BYTES = 262_144


class ValidationException(AWSError):
    TYPE = "ValidationException"
    STATUS = 400


def validate_execution_input(execution_input: str | None) -> None:
    """Refuse what AWS refuses: over 256 KiB (ValidationException, checked first), or not JSON."""
    if execution_input is None:
        return
    if len(execution_input.encode("utf-8", errors="surrogatepass")) > MAX_EXECUTION_INPUT_BYTES:
        raise ValidationException(
            "1 validation error detected: Value at 'input' failed to satisfy constraint: "
            f"Member must have size less than or equal to {MAX_EXECUTION_INPUT_BYTES} bytes in UTF-8 encoding"
        )
    try:
        json.loads(execution_input)
    except ValueError as error:
        # AWS quotes its JSON parser's complaint the same way (its words are Jackson's, these are Python's).
        raise InvalidExecutionInput(f"Invalid State Machine Execution Input: '{error}'") from None


class LocalStepFunctionsBackend(MotoUrlsMixin, StepFunctionsParserBackend):
    """moto's interpreting backend, naming unnamed executions with a UUID and refusing bad input as AWS does."""

    def start_execution(
        self,
        state_machine_arn: str,
        name: str | None = None,
        execution_input: str | None = None,
        trace_header: str | None = None,
    ) -> Execution:
        validate_execution_input(execution_input)
        if name:
            self._validate_name(name)
        else:
            name = str(mock_random.uuid4())
        return super().start_execution(state_machine_arn, name, execution_input, trace_header)


def sfn_backend(account_id: str, region: str) -> StepFunctionBackend:
    """The backend the Step Functions API serves right now (the interpreting one once installed)."""
    return sfn_responses.get_backend(account_id, region)


def all_sfn_backends(account_id: str, region: str) -> list[StepFunctionBackend]:
    """Both of moto's Step Functions backends for an account and region (for idempotent deletes)."""
    return [stepfunctions_parser_backends[account_id][region], stepfunctions_backends[account_id][region]]


def execution_enabled() -> bool:
    return bool(default_user_config.get("stepfunctions", {}).get("execute_state_machine"))


@functools.lru_cache(maxsize=64)
def _parse_tree(definition: str) -> Any:
    """The ANTLR parse tree of a definition (parsed once: the tree is only read afterwards)."""
    return AmazonStateLanguageParser.parse(definition)[1]


class CachedAslParser(AmazonStateLanguageParser):
    """moto's parser for executions, with the lexing and parsing done once per definition.

    moto parses the definition with ANTLR for every execution: about half the server's CPU for a
    Parallel request. The parse tree is read-only once built, so it is cached; the components are still
    built fresh for each execution by moto's Preprocessor, because they hold per-execution state (a
    Parallel state's worker counters, a Choice's next state) and must not be shared.
    """

    @staticmethod
    def parse(definition: str) -> tuple[Any, Any]:
        tree = _parse_tree(definition)
        return Preprocessor().visit(tree), tree


# jsonpath_ng builds a new yacc parser (tables read from disk) for every expression it parses, and moto's
# interpreter parses each state's paths on every evaluation. Parsed expressions are immutable: keep them.
_cached_jsonpath_ext_parse = functools.lru_cache(maxsize=512)(jsonpath_ng.ext.parse)
_cached_jsonpath_parse = functools.lru_cache(maxsize=512)(jsonpath_ng.parse)


@functools.cache
def _shared_boto_client(region: str, service: str) -> BaseClient:
    return _moto_boto_client_for(region, service)


def _cached_boto_client_for(region: str, service: str, state_credentials: Any = None) -> BaseClient:
    """moto's interpreter builds a new boto3 client for every Task (tens of ms of CPU each); reuse one.

    moto's own function ignores `state_credentials` and always uses fixed dummy keys, so one client per
    region and service serves every call the same way (boto3 clients are thread-safe).
    """
    return _shared_boto_client(region, service)


def _local_function(parameters: dict, region: str) -> Any | None:
    """The moto function a Task names, when this process runs it synchronously; None otherwise."""
    from moto.awslambda.models import lambda_backends

    if not services.installed():  # moto alone (no local runtime in this process): keep moto's path
        return None
    name = parameters.get("FunctionName")
    if not isinstance(name, str) or parameters.get("InvocationType", "RequestResponse") != "RequestResponse":
        return None
    parts = name.split(":")
    account = parts[4] if name.startswith("arn:") and len(parts) > 4 else ACCOUNT_ID
    try:
        return lambda_backends[account][region].get_function(name, parameters.get("Qualifier"))
    except Exception:  # unknown function and the like: let the HTTP path raise Lambda's own error
        return None


def _invoke_lambda_function(parameters: dict, region: str, state_credentials: Any) -> dict:
    """A Task's Lambda call, run in-process when the function is ours instead of over HTTP to ourselves.

    moto's interpreter calls Invoke through boto3 and the server's own HTTP stack: about 10 ms of CPU a
    Task on this machine, spent serialising and dispatching a call that ends in this very process. The
    response has the fields the interpreter reads (StatusCode, ExecutedVersion, FunctionError, Payload);
    anything unusual takes moto's path, so errors keep Lambda's names.
    """
    from ..lambda_service.invoke import invoke_function, payload_bytes

    fn = _local_function(parameters, region)
    if fn is None:
        return _moto_invoke_lambda_function(parameters=parameters, region=region, state_credentials=state_credentials)
    result = invoke_function(services.current().runtime, fn, payload_bytes(parameters.get("Payload")))
    response = {
        "StatusCode": 200,
        "ExecutedVersion": result.executed_version,
        "Payload": lambda_eval_utils._from_payload(io.BytesIO(result.payload)),
    }
    if result.function_error:
        response["FunctionError"] = result.function_error
    return response


def install() -> None:
    """Turn on moto's interpreter and use :class:`LocalStepFunctionsBackend` (idempotent)."""
    install_backend_class(stepfunctions_parser_backends, LocalStepFunctionsBackend)
    interpreter_credentials.install()
    lambda_eval_utils.boto_client_for = _cached_boto_client_for
    lambda_eval_utils._invoke_lambda_function = _invoke_lambda_function
    execution_worker.AmazonStateLanguageParser = CachedAslParser  # type: ignore[misc]
    json_path.parse = _cached_jsonpath_ext_parse
    result_path.parse = _cached_jsonpath_parse
    settings = dict(default_user_config.get("stepfunctions", {}))
    settings["execute_state_machine"] = True
    default_user_config["stepfunctions"] = settings  # type: ignore[typeddict-item]


install()
