"""The runtime's loop: load the handler (or report why not), then serve invocations until told to stop."""

from __future__ import annotations

import importlib
import logging
import os
import sys
import traceback
from collections.abc import Callable, Mapping

from .api import SECRET_ENV, NextEvent, RuntimeApiClient, RuntimeApiError
from .context import LambdaContext
from .encoding import ascii_only, marshal_response, to_json, unmarshal_event
from .faults import PACKAGE_DIR, RuntimeFault, error_result, user_frames, xray_cause
from .logs import UNHANDLED_WARNING, log_error, set_invocation, setup_logging

TYPE_CHECKING = False  # typing is not imported at run time: every import delays the function's cold start
if TYPE_CHECKING:
    from typing import Any


def load_handler(handler: str) -> Callable[[Any, LambdaContext], Any]:
    """Import `module.function` from the task root, failing as Lambda words it."""
    try:
        module_name, function_name = handler.rsplit(".", 1)
    except ValueError as error:
        raise RuntimeFault("Runtime.MalformedHandlerName", f"Bad handler '{handler}': {error}") from None
    if module_name.split(".")[0] in sys.builtin_module_names:
        raise RuntimeFault(
            "Runtime.BuiltInModuleConflict", f"Cannot use built-in module {module_name} as a handler module"
        )
    try:
        module = importlib.import_module(module_name.replace("/", "."))
    except ImportError as error:
        raise RuntimeFault("Runtime.ImportModuleError", f"Unable to import module '{module_name}': {error}") from None
    except SyntaxError as error:
        trace = [f'  File "{error.filename}" Line {error.lineno}\n    {error.text}']
        raise RuntimeFault(
            "Runtime.UserCodeSyntaxError", f"Syntax error in module '{module_name}': {error}", trace
        ) from None
    try:
        return getattr(module, function_name)
    except AttributeError:
        raise RuntimeFault(
            "Runtime.HandlerNotFound", f"Handler '{function_name}' missing on module '{module_name}'"
        ) from None


class Runtime:
    """Serves invocations with one handler until the Runtime API says the environment is going away."""

    def __init__(self, api: RuntimeApiClient, environ: Mapping[str, str]) -> None:
        self.api = api
        self.json_format = (environ.get("AWS_LAMBDA_LOG_FORMAT") or "").upper() == "JSON"
        self.ensure_ascii = ascii_only(environ.get("AWS_EXECUTION_ENV"))
        setup_logging(self.json_format, environ.get("AWS_LAMBDA_LOG_LEVEL"))

    def init(self, handler_name: str) -> Callable[[Any, LambdaContext], Any] | None:
        try:
            return load_handler(handler_name)
        except RuntimeFault as fault:
            error = error_result(fault.message, fault.error_type, fault.trace)
        except Exception:
            kind, value, tb = sys.exc_info()
            error = error_result(str(value), kind.__name__ if kind else "", traceback.format_list(user_frames(tb)))
        logging.warning(UNHANDLED_WARNING)
        log_error(error, json_format=self.json_format, ensure_ascii=self.ensure_ascii)
        self.api.post_init_error(error, ensure_ascii=self.ensure_ascii)
        return None

    def serve(self, handler: Callable[[Any, LambdaContext], Any]) -> None:
        while (event := self.api.next()) is not None:
            self.invoke(handler, event)

    def invoke(self, handler: Callable[[Any, LambdaContext], Any], event: NextEvent) -> None:
        set_invocation(event.request_id, event.tenant_id)
        if event.trace_id is not None:
            os.environ["_X_AMZN_TRACE_ID"] = event.trace_id
        else:
            os.environ.pop("_X_AMZN_TRACE_ID", None)
        try:
            context = LambdaContext(event)
            result = handler(unmarshal_event(event.body, event.content_type), context)
            body, content_type = marshal_response(result, ensure_ascii=self.ensure_ascii)
        except RuntimeFault as fault:
            error = error_result(fault.message, fault.error_type, fault.trace, event.request_id)
            cause = xray_cause("LambdaValidationError", fault.message, [])
        except Exception:
            kind, value, tb = sys.exc_info()
            frames = user_frames(tb)
            name = kind.__name__ if kind else ""
            error = error_result(str(value), name, traceback.format_list(frames), event.request_id)
            cause = xray_cause(name, str(value), frames)
        else:
            _flush_output()
            self.api.post_response(event.request_id, body, content_type)
            return
        log_error(error, json_format=self.json_format, ensure_ascii=self.ensure_ascii)
        _flush_output()
        self.api.post_error(
            event.request_id, error, to_json(cause, ensure_ascii=self.ensure_ascii), ensure_ascii=self.ensure_ascii
        )


def _flush_output() -> None:
    """What the handler printed reaches the worker before the result does, so it is logged before END."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (AttributeError, OSError, ValueError):  # replaced or closed by the handler
            pass


def _task_root_first() -> None:
    """The function's folder first on sys.path, and the folder holding this client not on it at all."""
    own_folder = os.path.dirname(PACKAGE_DIR)
    sys.path[:] = [entry for entry in sys.path if os.path.abspath(entry or os.curdir) != own_folder]
    sys.path.insert(0, os.environ.get("LAMBDA_TASK_ROOT") or os.getcwd())


def main(argv: list[str]) -> int:
    """argv: [program, handler]; the Runtime API's address comes from AWS_LAMBDA_RUNTIME_API."""
    if len(argv) != 2:
        sys.stderr.write(f"usage: {os.path.basename(argv[0])} module.function (with AWS_LAMBDA_RUNTIME_API set)\n")
        return 2
    _task_root_first()
    secret = os.environ.pop(SECRET_ENV, None)  # the client's alone: the handler's code never sees it
    runtime = Runtime(RuntimeApiClient(os.environ["AWS_LAMBDA_RUNTIME_API"], secret), os.environ)
    try:
        handler = runtime.init(argv[1])
        if handler is None:
            return 1
        runtime.serve(handler)
    except (OSError, RuntimeApiError) as error:
        sys.stderr.write(f"The Runtime API at {os.environ['AWS_LAMBDA_RUNTIME_API']} failed: {error}\n")
        return 1
    return 0
