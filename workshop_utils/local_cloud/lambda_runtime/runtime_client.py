"""The project's Lambda Runtime API client: loads one handler and serves its invocations, standard library only."""

# A worker imports this module alone (workers.CLIENT_COMMAND) and calls main(): nothing of workshop_utils, moto
# or boto3 is imported before the handler, and the handler's folder comes first on sys.path, as in Lambda.
# `python -P runtime_client.py app.handler` runs it too. What it sends and logs follows awslambdaric, Lambda's
# own Python client, which tests/local_cloud/test_runtime_conformance.py runs beside it against the same Runtime API.

from __future__ import annotations

import decimal
import importlib
import json
import logging
import os
import socket
import sys
import time
import traceback
from collections.abc import Callable, Mapping

TYPE_CHECKING = False  # typing is not imported at run time: every import here delays the function's cold start
if TYPE_CHECKING:
    from typing import Any

API = "/2018-06-01/runtime"
ERROR_TYPE_HEADER = "Lambda-Runtime-Function-Error-Type"
XRAY_CAUSE_HEADER = "Lambda-Runtime-Function-XRay-Error-Cause"
XRAY_CAUSE_LIMIT = 1024 * 1024  # Lambda's header limit; a longer cause is left out
RECORD_BREAK = "\r"  # the worker splits its output at \n only, so \r keeps a multi-line record one log event
TRACE_INDENT = "\u00a0"  # Lambda indents stack lines in an error report with no-break spaces
JSON_TIMESTAMP = "%Y-%m-%dT%H:%M:%SZ"
UNHANDLED_WARNING = (
    "LAMBDA_WARNING: Unhandled exception. The most likely cause is an issue in the function code. However, in "
    "rare cases, a Lambda runtime update can cause unexpected function behavior. For functions using managed "
    "runtimes, runtime updates can be triggered by a function change, or can be applied automatically. To "
    "determine if the runtime has been updated, check the runtime version in the INIT_START log entry. If this "
    "error correlates with a change in the runtime version, you may be able to mitigate this error by temporarily "
    "rolling back to the previous runtime version. For more information, see "
    "https://docs.aws.amazon.com/lambda/latest/dg/runtimes-update.html\r"
)

_current_request_id = ""  # read by the logging filter: a record carries the id of the invocation it belongs to
_current_tenant_id: str | None = None


class RuntimeFault(Exception):
    """A failure the runtime reports under its own error type (Runtime.ImportModuleError, Runtime.MarshalError...)."""

    def __init__(self, error_type: str, message: str, trace: list[str] | None = None) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.trace = trace


# -- JSON as Lambda's Python runtime writes it ------------------------------------------------------------------
def ascii_only(execution_env: str | None) -> bool:
    """Lambda escapes non-ASCII characters in responses up to python3.11 and writes them as UTF-8 from 3.12."""
    version = (execution_env or "").removeprefix("AWS_Lambda_python")
    major, _, minor = version.partition(".")
    return not (major.isdigit() and minor.isdigit() and (int(major), int(minor)) >= (3, 12))


def _float_text(value: float) -> str:
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    return float.__repr__(float(value))  # a subclass's own repr is not JSON


def _as_dict(value: object) -> dict | None:
    """A namedtuple (anything with a callable _asdict()) is encoded as an object, as simplejson does."""
    method = getattr(value, "_asdict", None)
    if not callable(method):
        return None
    try:
        result = method()
    except TypeError:  # e.g. the namedtuple class itself: _asdict needs an instance
        return None
    if not isinstance(result, dict):
        raise TypeError(f"_asdict() must return a dict, not {type(result).__name__}")
    return result


def _key_text(key: object) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, bytes):
        return key.decode("utf-8")
    if isinstance(key, float):
        return _float_text(key)
    if key is True or key is False or key is None:
        return {True: "true", False: "false", None: "null"}[key]
    if isinstance(key, int):
        return str(int(key))
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")


def to_json(value: object, *, ensure_ascii: bool = True) -> str:
    """Encode as awslambdaric does (simplejson, ', ' and ': '): NaN and Infinity allowed, a Decimal as its exact
    digits, namedtuples as objects, nested bytes as UTF-8 text; anything else raises TypeError."""
    quote = json.encoder.encode_basestring_ascii if ensure_ascii else json.encoder.encode_basestring
    parts: list[str] = []
    open_containers: set[int] = set()

    def nested(container: object, items: Callable[[], None]) -> None:
        marker = id(container)
        if marker in open_containers:
            raise ValueError("Circular reference detected")
        open_containers.add(marker)
        items()
        open_containers.discard(marker)

    def add_object(mapping: dict) -> None:
        parts.append("{")
        for index, (key, item) in enumerate(mapping.items()):
            parts.append(f"{', ' if index else ''}{quote(_key_text(key))}: ")
            add(item)
        parts.append("}")

    def add_array(items: list | tuple) -> None:
        parts.append("[")
        for index, item in enumerate(items):
            if index:
                parts.append(", ")
            add(item)
        parts.append("]")

    def add(item: object) -> None:
        if isinstance(item, str):
            parts.append(quote(item))
        elif isinstance(item, bytes):
            parts.append(quote(item.decode("utf-8")))
        elif item is None or item is True or item is False:
            parts.append({None: "null", True: "true", False: "false"}[item])
        elif isinstance(item, int):
            parts.append(str(int(item)))  # int(): an IntEnum's own str is not a number
        elif isinstance(item, float):
            parts.append(_float_text(item))
        elif (as_dict := _as_dict(item)) is not None:
            nested(item, lambda: nested(as_dict, lambda: add_object(as_dict)))
        elif isinstance(item, (list, tuple)):
            nested(item, lambda: add_array(item))
        elif isinstance(item, dict):
            nested(item, lambda: add_object(item))
        elif isinstance(item, decimal.Decimal):
            parts.append("NaN" if item.is_nan() else str(item))
        else:
            raise TypeError(f"Object of type {type(item).__name__} is not JSON serializable")

    add(value)
    return "".join(parts)


def marshal_response(result: object, *, ensure_ascii: bool) -> tuple[bytes, str]:
    """The response body and its content type; bytes go out as they are."""
    if isinstance(result, bytes):
        return result, "application/unknown"
    try:
        return to_json(result, ensure_ascii=ensure_ascii).encode("utf-8"), "application/json"
    except Exception as error:
        raise RuntimeFault("Runtime.MarshalError", f"Unable to marshal response: {error}") from None


def _parse_json(text: str | bytes, error_type: str, problem: str) -> Any:
    try:
        return json.loads(text)
    except Exception as error:
        raise RuntimeFault(error_type, f"{problem}: {error}") from None


def unmarshal_event(body: bytes, content_type: str | None) -> Any:
    if content_type != "application/json":
        return body
    return _parse_json(body, "Runtime.UnmarshalError", "Unable to unmarshal input")


# -- the context object ----------------------------------------------------------------------------------------
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
    return _parse_json(value, "Runtime.LambdaContextUnmarshalError", f"Unable to parse {name} JSON") if value else None


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


# -- logging as Lambda's Python runtime sets it up ---------------------------------------------------------------
class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.aws_request_id = _current_request_id
        record.tenant_id = _current_tenant_id
        return True


class _StdoutHandler(logging.Handler):
    """Writes each record as one log event: its inner line breaks become \\r (the worker turns them back)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = self.format(record).removesuffix("\n")
            sys.stdout.write(text.replace("\r\n", RECORD_BREAK).replace("\n", RECORD_BREAK) + "\n")
            sys.stdout.flush()
        except Exception:
            self.handleError(record)


# A LogRecord's own attributes (3.11's: taskName, new in 3.12, is an extra field, as Lambda writes it).
_RESERVED_RECORD_FIELDS = frozenset({
    "name", "msg", "args", "levelname", "levelno", "pathname", "filename", "module", "exc_info", "exc_text",
    "stack_info", "lineno", "funcName", "created", "msecs", "relativeCreated", "thread", "threadName",
    "processName", "process", "aws_request_id", "tenant_id",
})
_encode_log_json = json.JSONEncoder(ensure_ascii=False, default=str).encode  # a log line never fails to encode


class JsonFormatter(logging.Formatter):
    """A record as one JSON line with Lambda's field names; `extra` fields are added at the top level."""

    def __init__(self) -> None:
        super().__init__(datefmt=JSON_TIMESTAMP)

    def format(self, record: logging.LogRecord) -> str:
        record.levelno = min(50, max(0, record.levelno)) // 10 * 10
        record.levelname = logging.getLevelName(record.levelno)
        exc_info = record.exc_info
        message = record.msg if isinstance(record.msg, dict) and not record.args else record.getMessage()
        fields: dict[str, Any] = {
            "timestamp": self.formatTime(record, self.datefmt),
            "level": record.levelname,
            "message": message,
            "logger": record.name,
            "stackTrace": traceback.format_tb(exc_info[2]) if exc_info else None,
            "errorType": exc_info[0].__name__ if exc_info and exc_info[0] else None,
            "errorMessage": str(exc_info[1]) if exc_info else None,
            "requestId": getattr(record, "aws_request_id", None),
            "location": f"{record.pathname}:{record.funcName}:{record.lineno}" if exc_info else None,
        }
        if getattr(record, "tenant_id", None) is not None:
            fields["tenantId"] = record.tenant_id
        for name, value in record.__dict__.items():
            if name not in _RESERVED_RECORD_FIELDS and name not in fields:
                fields[name] = value
        return _encode_log_json({name: value for name, value in fields.items() if value is not None}) + "\n"


def setup_logging(json_format: bool, level: str | None) -> None:
    """The root logger writes Lambda's lines; AWS_LAMBDA_LOG_LEVEL (TRACE meaning DEBUG) sets its level."""
    logging.Formatter.converter = time.gmtime
    handler = _StdoutHandler()
    if json_format:
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(
            logging.Formatter(
                "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n", "%Y-%m-%dT%H:%M:%S"
            )
        )
    handler.addFilter(_RequestIdFilter())
    root = logging.getLogger()
    name = {"TRACE": "DEBUG"}.get((level or "").upper(), (level or "").upper())
    if name in logging.getLevelNamesMapping():
        root.setLevel(name)
    root.addHandler(handler)


# -- error reports -----------------------------------------------------------------------------------------------
def error_result(message: str, error_type: str, trace: list[str] | None, request_id: str = "") -> dict[str, Any]:
    return {"errorMessage": message or "", "errorType": error_type or "", "requestId": request_id,
            "stackTrace": trace or []}


def _user_frames(tb: Any) -> list[tuple[str, int | None, str, str | None]]:
    """The traceback from the first frame that is not this client's own."""
    frames = [(frame.filename, frame.lineno, frame.name, frame.line) for frame in traceback.extract_tb(tb)]
    for index, frame in enumerate(frames):
        if frame[0] != __file__:
            return frames[index:]
    return frames


def xray_cause(error_type: str, message: str, frames: list[tuple[str, int | None, str, str | None]]) -> dict:
    """The X-Ray error cause Lambda receives beside an error (Lambda-Runtime-Function-XRay-Error-Cause)."""
    stack = [{"label": name, "path": path, "line": line} for path, line, name, _ in frames]
    exception = {"message": message, "type": error_type, "stack": stack}
    return {"working_directory": os.getcwd(), "exceptions": [exception], "paths": list(dict.fromkeys(
        path for path, *_ in frames))}


def log_error(error: dict[str, Any], *, json_format: bool, ensure_ascii: bool) -> None:
    """The [ERROR] report of a failed init or invocation, one log event (its lines joined by \\r)."""
    if json_format:
        timestamp = time.strftime(JSON_TIMESTAMP, time.gmtime())
        lines = [to_json({"timestamp": timestamp, "level": "ERROR", **error}, ensure_ascii=ensure_ascii)]
    else:
        head = "[ERROR]"
        if error.get("errorType"):
            head += " " + error["errorType"] + (":" if error.get("errorMessage") else "")
        if error.get("errorMessage"):
            head += " " + error["errorMessage"]
        lines = [head, "Traceback (most recent call last):"]
        for element in error.get("stackTrace") or []:
            if element:
                lines.extend(_indented(line) for line in element.splitlines())
            else:
                lines.append("")
    # A message's own line breaks too: Lambda's log sink frames the whole report as one event.
    text = RECORD_BREAK.join(lines).replace("\r\n", RECORD_BREAK).replace("\n", RECORD_BREAK)
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _indented(line: str) -> str:
    stripped = line.lstrip(" ")
    return TRACE_INDENT * (len(line) - len(stripped)) + stripped


# -- the handler -----------------------------------------------------------------------------------------------
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


# -- the Runtime API -------------------------------------------------------------------------------------------
def _utf8_header(value: str | None) -> str | None:
    """A JSON header's text: header bytes are read as Latin-1, Lambda sends UTF-8."""
    return None if value is None else value.encode("latin-1").decode("utf-8", "replace")


class NextEvent:
    """One invocation as GET /invocation/next hands it out (header names in lower case)."""

    def __init__(self, body: bytes, headers: dict[str, str]) -> None:
        self.body = body
        self.request_id = headers.get("lambda-runtime-aws-request-id") or ""
        self.deadline_ms = int(headers.get("lambda-runtime-deadline-ms") or 0)
        self.invoked_arn = headers.get("lambda-runtime-invoked-function-arn")
        self.trace_id = headers.get("lambda-runtime-trace-id")
        self.client_context = _utf8_header(headers.get("lambda-runtime-client-context"))
        self.cognito_identity = _utf8_header(headers.get("lambda-runtime-cognito-identity"))
        self.tenant_id = headers.get("lambda-runtime-aws-tenant-id")
        self.content_type = headers.get("content-type")


class RuntimeApiError(Exception):
    """The Runtime API answered with an unexpected status, or not at all."""


class RuntimeApiClient:
    """The Runtime API over one keep-alive HTTP/1.1 connection, reopened if the server closes it.

    A few lines over a socket rather than http.client: http.client imports email and ssl, which would add
    tens of milliseconds to every cold start (the endpoint is the local cloud's own, plain HTTP on loopback).
    """

    def __init__(self, address: str) -> None:
        host, _, port = address.rpartition(":")
        self._address = (host, int(port))
        self._host = address.encode("latin-1")
        self._socket: socket.socket | None = None
        self._reader: Any = None

    def _connect(self) -> None:
        self._socket = socket.create_connection(self._address)
        self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._reader = self._socket.makefile("rb")

    def _close(self) -> None:
        if self._socket is not None:
            self._reader.close()
            self._socket.close()
        self._socket = self._reader = None

    def _call(self, method: str, path: str, body: bytes | None, headers: dict[str, bytes], expected: int
              ) -> tuple[int, bytes, dict[str, str]]:
        if self._socket is None:
            self._connect()
        assert self._socket is not None
        lines = [f"{method} {API}{path} HTTP/1.1".encode(), b"Host: " + self._host]
        lines += [name.encode() + b": " + value for name, value in headers.items()]
        if body is not None:
            lines.append(b"Content-Length: " + str(len(body)).encode())
        self._socket.sendall(b"\r\n".join(lines) + b"\r\n\r\n" + (body or b""))
        status, reply_headers = self._read_head()
        if reply_headers.get("transfer-encoding", "identity").lower() != "identity":
            raise RuntimeApiError(f"{method} {API}{path}: a chunked reply is not supported")
        data = self._reader.read(int(reply_headers.get("content-length") or 0))
        if reply_headers.get("connection", "").lower() == "close":
            self._close()
        if status != expected and status != 410:
            raise RuntimeApiError(f"{method} {API}{path} answered {status}: {data[:200]!r}")
        return status, data, reply_headers

    def _read_head(self) -> tuple[int, dict[str, str]]:
        status_line = self._reader.readline(65537)
        if not status_line:
            self._close()
            raise RuntimeApiError("the Runtime API closed the connection")
        headers = {}
        while (line := self._reader.readline(65537)) not in (b"\r\n", b"\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        return int(status_line.split()[1]), headers

    def next(self) -> NextEvent | None:
        """The next invocation (blocks until there is one); None when the environment is shutting down."""
        status, body, headers = self._call("GET", "/invocation/next", None, {}, 200)
        return None if status == 410 else NextEvent(body, headers)

    def post_response(self, request_id: str, body: bytes, content_type: str) -> None:
        headers = {"Content-Type": content_type.encode()}
        self._call("POST", f"/invocation/{request_id}/response", body, headers, 202)

    def post_error(self, request_id: str, error: dict, cause: str, *, ensure_ascii: bool) -> None:
        headers = {"Content-Type": b"application/json", ERROR_TYPE_HEADER: error["errorType"].encode()}
        encoded_cause = cause.encode("utf-8")
        if len(encoded_cause) < XRAY_CAUSE_LIMIT:
            headers[XRAY_CAUSE_HEADER] = encoded_cause
        body = to_json(error, ensure_ascii=ensure_ascii).encode("utf-8")
        self._call("POST", f"/invocation/{request_id}/error", body, headers, 202)

    def post_init_error(self, error: dict, *, ensure_ascii: bool) -> None:
        body = to_json(error, ensure_ascii=ensure_ascii).encode("utf-8")
        self._call("POST", "/init/error", body, {ERROR_TYPE_HEADER: error["errorType"].encode()}, 202)


# -- the loop --------------------------------------------------------------------------------------------------
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
            error = error_result(str(value), kind.__name__ if kind else "", traceback.format_list(_user_frames(tb)))
        logging.warning(UNHANDLED_WARNING)
        log_error(error, json_format=self.json_format, ensure_ascii=self.ensure_ascii)
        self.api.post_init_error(error, ensure_ascii=self.ensure_ascii)
        return None

    def serve(self, handler: Callable[[Any, LambdaContext], Any]) -> None:
        while (event := self.api.next()) is not None:
            self.invoke(handler, event)

    def invoke(self, handler: Callable[[Any, LambdaContext], Any], event: NextEvent) -> None:
        global _current_request_id, _current_tenant_id
        _current_request_id, _current_tenant_id = event.request_id, event.tenant_id
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
            frames = _user_frames(tb)
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
    """The function's folder first on sys.path, and this client's folder not on it at all."""
    own_folder = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [entry for entry in sys.path if os.path.abspath(entry or os.curdir) != own_folder]
    sys.path.insert(0, os.environ.get("LAMBDA_TASK_ROOT") or os.getcwd())


def main(argv: list[str]) -> int:
    """argv: [program, handler]; the Runtime API's address comes from AWS_LAMBDA_RUNTIME_API."""
    if len(argv) != 2:
        sys.stderr.write(f"usage: {os.path.basename(argv[0])} module.function (with AWS_LAMBDA_RUNTIME_API set)\n")
        return 2
    _task_root_first()
    runtime = Runtime(RuntimeApiClient(os.environ["AWS_LAMBDA_RUNTIME_API"]), os.environ)
    try:
        handler = runtime.init(argv[1])
        if handler is None:
            return 1
        runtime.serve(handler)
    except (OSError, RuntimeApiError) as error:
        sys.stderr.write(f"The Runtime API at {os.environ['AWS_LAMBDA_RUNTIME_API']} failed: {error}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
