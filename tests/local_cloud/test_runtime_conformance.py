"""awslambdaric, Lambda's own Python client, is the reference: the same handlers under it and under the project's
client, against the project's Runtime API, give the same traffic and the same log lines (ids and times aside)."""

from __future__ import annotations

import collections
import decimal
import enum
import importlib.util
import json
import re
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from workshop_utils.local_cloud.lambda_runtime import runtime_api
from workshop_utils.local_cloud.lambda_runtime.functions import FunctionSpec
from workshop_utils.local_cloud.lambda_runtime.invocation import Invocation, InvocationResult
from workshop_utils.local_cloud.lambda_runtime.runtime_client import encoding
from workshop_utils.local_cloud.lambda_runtime.workers import CLIENT_COMMAND, Worker

# awslambdaric publishes Linux wheels only: a development dependency there, absent on a Mac.
pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("awslambdaric") is None,
    reason="awslambdaric (the reference client, Linux wheels only) is not installed on this platform",
)

REFERENCE_COMMAND = (sys.executable, "-m", "awslambdaric")
ACCOUNT = "999999999997"  # an account no other test uses
ERROR_TYPE = "lambda-runtime-function-error-type"

APP = '''
import collections
import decimal
import logging
import os
import time

logger = logging.getLogger()
Quote = collections.namedtuple("Quote", "vendor price")
print("cold start, outside any invocation")


class QuoteError(Exception):
    pass


def returning(event, context):
    client = context.client_context.client if context.client_context else None
    return {
        "event": event,
        "decimal": decimal.Decimal("99.10"),
        "quote": Quote("Avis", 99),
        "not_a_number": float("nan"),
        "text": "Zürich 🚗",
        "context": {
            "function_name": context.function_name,
            "function_version": context.function_version,
            "invoked_function_arn": context.invoked_function_arn,
            "memory_limit_in_mb": context.memory_limit_in_mb,
            "log_group_name": context.log_group_name,
            "log_stream_is_set": bool(context.log_stream_name),
            "time_left": 0 < context.get_remaining_time_in_millis() <= 30_000,
            "cognito_identity_id": context.identity.cognito_identity_id,
            "cognito_identity_pool_id": context.identity.cognito_identity_pool_id,
            "custom": context.client_context.custom if context.client_context else None,
            "env": context.client_context.env if context.client_context else None,
            "app_title": client.app_title if client else None,
            "trace_id_is_set": os.environ.get("_X_AMZN_TRACE_ID", "").startswith("Root="),
        },
    }


def raising(event, context):
    print("about to fail")
    raise QuoteError("no quote from Avis\\nafter 3 tries")


def unserialisable(event, context):
    return {"vendors": {"Avis", "Alamo"}}


def raw_bytes(event, context):
    return b"\\x00raw bytes"


def sleeping(event, context):
    print("going to sleep")
    time.sleep(30)


def logging_at_each_level(event, context):
    for level in ("debug", "info", "warning", "error", "critical"):
        getattr(logger, level)("at %s", level)
    logging.getLogger("vendor").warning("a record\\nof two lines", extra={"vendor": "Avis"})
    try:
        1 / 0
    except ZeroDivisionError:
        logger.exception("caught")
    return "logged"


def printing(event, context):
    print("one line")
    print("two\\nlines")
    context.log("through context.log\\n")
    print("no newline at the end", end="")
    return None


def echo(event, context):
    return event


def json_logging(event, context):
    logging_at_each_level(event, context)
    logging.getLogger("vendor").info({"price": 99}, extra={"vendor": "Avis"})
    raise QuoteError("in JSON")
'''

MODULES = {
    "app.py": APP,
    "broken.py": "def handler(event, context:\n    return event\n",
    "fails_at_import.py": "raise RuntimeError('the configuration is missing')\n",
}


@dataclass(frozen=True)
class Case:
    handler: str
    events: tuple[bytes, ...] = (b'{"n": 1}',)
    runtime: str = "python3.12"
    timeout: float = 10.0
    log_format: str = "Text"
    log_level: str | None = None
    client_context: str | None = None
    cognito_identity: str | None = None


CASES = {
    "returning": Case(
        "app.returning",
        events=(b'{"n": 1}', b'{"n": 2}'),
        client_context=json.dumps({"custom": {"workshop": "scatter-gather"}, "env": {"locale": "en"},
                                   "client": {"app_title": "notebook"}}),
        cognito_identity=json.dumps({"cognitoIdentityId": "id-1", "cognitoIdentityPoolId": "pool-1"}),
    ),
    "returning_ascii_only_before_3_12": Case("app.returning", runtime="python3.11"),
    "raising_a_custom_error": Case("app.raising"),
    "returning_something_unserialisable": Case("app.unserialisable"),
    "returning_bytes": Case("app.raw_bytes"),
    "timing_out": Case("app.sleeping", timeout=1.0),
    "failing_at_import": Case("fails_at_import.handler"),
    "missing_module": Case("absent.handler"),
    "missing_handler": Case("app.nope"),
    "syntax_error": Case("broken.handler"),
    "malformed_handler_name": Case("app"),
    "logging_at_each_level": Case("app.logging_at_each_level"),
    "logging_in_json_at_debug": Case("app.logging_at_each_level", log_format="JSON", log_level="DEBUG"),
    "printing": Case("app.printing"),
    "a_5_mb_payload": Case("app.echo", events=(json.dumps({"blob": "x" * (5 * 1024 * 1024)}).encode(),)),
    "json_log_format": Case("app.json_logging", log_format="JSON", log_level="INFO"),
}


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    connection: int  # the client's port: one per connection


@dataclass
class Run:
    traffic: list[Request] = field(default_factory=list)
    log: list[str] = field(default_factory=list)
    results: list[InvocationResult] = field(default_factory=list)


class _RecordingHandler(runtime_api._RuntimeApiHandler):
    """The project's Runtime API, noting each request as it arrives."""

    def _note(self, body: bytes) -> None:
        headers = {name.lower(): value for name, value in self.headers.items()}
        self.server.traffic.append(Request(self.command, self.path, headers, body, self.client_address[1]))

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._note(b"")
        super().do_GET()

    def _read_body(self) -> bytes:
        body = super()._read_body()
        self._note(body)
        return body


class _CapturedLog:
    """Stands in for the worker's CloudWatch stream."""

    def __init__(self, stream: str) -> None:
        self.stream = stream
        self.events: list[str] = []

    def write(self, *messages: str) -> None:
        self.events.extend(messages)


@pytest.fixture(scope="module")
def code_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder for both clients, so file paths in stack traces match."""
    folder = tmp_path_factory.mktemp("conformance_code")
    for name, source in MODULES.items():
        (folder / name).write_text(textwrap.dedent(source))
    return folder


def _spec(case: Case) -> FunctionSpec:
    return FunctionSpec(
        account_id=ACCOUNT, region="us-east-1", name="conformance",
        arn=f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:conformance", version="$LATEST", handler=case.handler,
        runtime=case.runtime, timeout=case.timeout, memory_size=256, environment={},
        log_group="/aws/lambda/conformance", code_sha256="conformance", log_format=case.log_format,
        application_log_level=case.log_level,
    )


def _wait(condition: Any, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.02)


def run_case(command: tuple[str, ...], case: Case, code_dir: Path) -> Run:
    """Every invocation of the case through one worker, then the worker stopped; what crossed the API and the log."""
    exited = threading.Event()
    spec = _spec(case)
    worker = Worker(spec, code_dir=code_dir, endpoint_url="http://127.0.0.1:9", on_exit=lambda _: exited.set(),
                    runtime_command=command)
    worker._api.RequestHandlerClass = _RecordingHandler
    worker._api.traffic = run_traffic = []  # type: ignore[attr-defined]
    log = _CapturedLog(worker.log.stream)
    worker.log = log  # type: ignore[assignment]
    run = Run(traffic=run_traffic, log=log.events)
    worker.start()
    try:
        for event in case.events:
            invocation = Invocation(event, spec.arn, client_context=case.client_context,
                                    cognito_identity=case.cognito_identity)
            run.results.append(worker.run(invocation, init_timeout=30.0))
            if not worker.alive:
                break
        # Let the runtime come back for the next event (or exit) before it is stopped, so both runs end alike.
        _wait(lambda: not worker.alive or (run_traffic and run_traffic[-1].method == "GET"))
    finally:
        worker.kill()
        worker.wait_exit(10.0)
        exited.wait(10.0)
    return run


@pytest.fixture(scope="module")
def runs(code_dir: Path) -> Iterator[dict[str, tuple[Run, Run]]]:
    """Each case under the project's client and under awslambdaric, run once for all the assertions."""
    yield {name: (run_case(CLIENT_COMMAND, case, code_dir), run_case(REFERENCE_COMMAND, case, code_dir))
           for name, case in CASES.items()}


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z")
_MEASURES = re.compile(r"(Duration|Billed Duration|Max Memory Used|Init Duration): [\d.]+")


def normalise(text: str) -> str:
    text = _UUID.sub("<request-id>", text)
    text = _TIMESTAMP.sub("<time>", text)
    return _MEASURES.sub(r"\1: <n>", text)


def exchange(run: Run) -> list[tuple[str, str, dict[str, str], str]]:
    """Each request: method, path, the headers that carry meaning (Lambda's own and the body's type), body."""
    requests = []
    for request in run.traffic:
        headers = {name: normalise(value) for name, value in request.headers.items()
                   if name.startswith("lambda-runtime-") and name != ERROR_TYPE or name == "content-type"}
        requests.append((request.method, normalise(request.path), headers,
                         normalise(request.body.decode("utf-8", "replace"))))
    return requests


def log_text(run: Run) -> str:
    """The log as text: Lambda's sink keeps a multi-line record in one event, awslambdaric's stdout sink splits it."""
    return normalise("\n".join(run.log))


@pytest.mark.parametrize("name", list(CASES))
def test_the_same_traffic_crosses_the_runtime_api(runs: dict[str, tuple[Run, Run]], name: str) -> None:
    ours, reference = runs[name]
    assert exchange(ours) == exchange(reference)
    assert [len(r.body) for r in ours.traffic] == [len(r.body) for r in reference.traffic]


@pytest.mark.parametrize("name", list(CASES))
def test_the_same_lines_reach_the_log(runs: dict[str, tuple[Run, Run]], name: str) -> None:
    ours, reference = runs[name]
    assert log_text(ours) == log_text(reference)


@pytest.mark.parametrize("name", list(CASES))
def test_the_caller_gets_the_same_result(runs: dict[str, tuple[Run, Run]], name: str) -> None:
    ours, reference = runs[name]
    assert [(normalise(r.payload.decode("utf-8", "replace")), r.function_error, r.error_type) for r in ours.results] \
        == [(normalise(r.payload.decode("utf-8", "replace")), r.function_error, r.error_type)
            for r in reference.results]


def test_an_error_names_its_type_in_the_header_the_runtime_api_defines(runs: dict[str, tuple[Run, Run]]) -> None:
    """The one deliberate difference: awslambdaric's C client leaves Lambda-Runtime-Function-Error-Type off
    /invocation/<id>/error (it sends it on /init/error); the Runtime API documents it for both, so ours sends it."""
    ours, reference = runs["raising_a_custom_error"]
    (our_error,) = [r for r in ours.traffic if r.path.endswith("/error")]
    (reference_error,) = [r for r in reference.traffic if r.path.endswith("/error")]
    assert our_error.headers[ERROR_TYPE] == json.loads(our_error.body)["errorType"] == "QuoteError"
    assert ERROR_TYPE not in reference_error.headers
    for run in runs["missing_handler"]:
        (init_error,) = run.traffic
        assert init_error.headers[ERROR_TYPE] == "Runtime.HandlerNotFound"


def test_the_cases_cover_what_lambda_reports(runs: dict[str, tuple[Run, Run]]) -> None:
    """The reference really did fail where the cases mean it to (the comparison alone would pass two silences)."""
    expected = {
        "raising_a_custom_error": "QuoteError",
        "returning_something_unserialisable": "Runtime.MarshalError",
        "timing_out": "Sandbox.Timedout",
        "failing_at_import": "RuntimeError",
        "missing_module": "Runtime.ImportModuleError",
        "missing_handler": "Runtime.HandlerNotFound",
        "syntax_error": "Runtime.UserCodeSyntaxError",
        "malformed_handler_name": "Runtime.MalformedHandlerName",
        "json_log_format": "QuoteError",
    }
    for name, error_type in expected.items():
        ours, reference = runs[name]
        assert [r.error_type for r in reference.results] == [r.error_type for r in ours.results] == [error_type]
    for name in ("returning", "returning_bytes", "logging_at_each_level", "printing", "a_5_mb_payload"):
        assert all(r.function_error is None for run in runs[name] for r in run.results)
    payload = json.loads(runs["returning"][0].results[0].payload)
    assert payload["decimal"] == 99.1 and payload["quote"] == {"vendor": "Avis", "price": 99}
    assert payload["context"]["custom"] == {"workshop": "scatter-gather"}
    assert payload["context"]["cognito_identity_id"] == "id-1" and payload["context"]["time_left"]
    assert b'"text": "Z\xc3\xbcrich' in runs["returning"][0].results[0].payload  # UTF-8 from python3.12
    assert b'"text": "Z\\u00fcrich' in runs["returning_ascii_only_before_3_12"][0].results[0].payload
    assert len(runs["a_5_mb_payload"][0].results[0].payload) > 5 * 1024 * 1024


def test_one_connection_serves_every_invocation(runs: dict[str, tuple[Run, Run]]) -> None:
    for run in runs["returning"]:
        assert len(run.traffic) == 5  # next, response, next, response, next
        assert len({request.connection for request in run.traffic}) == 1


def test_a_multi_line_record_or_error_report_is_one_log_event(runs: dict[str, tuple[Run, Run]]) -> None:
    """As in Lambda, whose log sink frames each record; awslambdaric's stdout fallback splits them into lines."""
    ours, _ = runs["logging_at_each_level"]
    (record,) = [line for line in ours.log if "a record" in line]
    assert record.endswith("\ta record\nof two lines")
    (caught,) = [line for line in ours.log if "\tcaught" in line]
    assert caught.startswith("[ERROR]\t") and caught.endswith("ZeroDivisionError: division by zero")
    ours, _ = runs["raising_a_custom_error"]
    (report,) = [line for line in ours.log if line.startswith("[ERROR] QuoteError")]
    assert report.splitlines()[:3] == ["[ERROR] QuoteError: no quote from Avis", "after 3 tries",
                                       "Traceback (most recent call last):"]


class _Colour(enum.IntEnum):
    RED = 1


_Point = collections.namedtuple("_Point", "x y")
_circular: list[Any] = []
_circular.append(_circular)

ENCODER_CASES: list[Any] = [
    {"price": decimal.Decimal("99.10"), "big": decimal.Decimal("1E+3"), "negative_zero": decimal.Decimal("-0")},
    [decimal.Decimal("NaN"), decimal.Decimal("Infinity"), decimal.Decimal("-Infinity")],
    [float("nan"), float("inf"), float("-inf"), 1e100, -0.0, 0.1],
    {"point": _Point(1, 2), "points": [_Point(3, _Point(4, 5))]},
    [_Point],  # the class: its _asdict needs an instance
    (1, "two", None, True, False, _Colour.RED, 2**70),
    {2: "int", 2.5: "float", True: "bool", False: "no", None: "none", b"key": "bytes", _Colour.RED: "enum"},
    {"nested": {"bytes": b"caf\xc3\xa9"}},
    ["caf\u00e9", "\u2028\u2029", "\x00\x1f\x7f", '"\\', "\U0001f697", ""],
    collections.OrderedDict(b=1, a=2),
    {"empty": [{}, [], ()]},
    {"set": {1}},
    [object()],
    _circular,
    {(1, 2): "tuple key"},
    {decimal.Decimal("1"): "decimal key"},
    {"bad": b"\xff"},
]


def _encode(encode: Any, value: Any) -> tuple[str, str]:
    try:
        return "ok", encode(value)
    except Exception as error:  # the message is what Runtime.MarshalError reports
        return type(error).__name__, str(error)


@pytest.mark.parametrize("execution_env", ["AWS_Lambda_python3.11", "AWS_Lambda_python3.12"])
def test_responses_are_encoded_as_lambda_encodes_them(monkeypatch: pytest.MonkeyPatch, execution_env: str) -> None:
    from awslambdaric.lambda_runtime_marshaller import to_json as reference_to_json

    monkeypatch.setenv("AWS_EXECUTION_ENV", execution_env)
    ensure_ascii = encoding.ascii_only(execution_env)
    for value in ENCODER_CASES:
        ours = _encode(lambda v: encoding.to_json(v, ensure_ascii=ensure_ascii), value)
        assert ours == _encode(reference_to_json, value), value
