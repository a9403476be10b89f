"""The project's Runtime API client on every platform: an isolated start, the context Invoke gives, log formats."""

from __future__ import annotations

import base64
import io
import json
import re
import textwrap
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from workshop_utils.local_cloud.config import repo_root

ISOLATION = """
import os
import sys

import logs  # a module of the function's own that shares a name with one of the local cloud's

def handler(event, context):
    foreign = sorted({name.split(".")[0] for name in sys.modules}
                     & {"workshop_utils", "moto", "boto3", "botocore", "awslambdaric", "runtime_client"})
    return {"foreign": foreign, "first_on_path": sys.path[0], "task_root": os.environ["LAMBDA_TASK_ROOT"],
            "cwd": os.getcwd(), "logs": logs.WHOSE}
"""

CONTEXT = """
import os

def handler(event, context):
    client_context = context.client_context
    return {"custom": client_context and client_context.custom, "env": client_context and client_context.env,
            "app_title": client_context and client_context.client and client_context.client.app_title,
            "trace": os.environ.get("_X_AMZN_TRACE_ID", ""), "arn": context.invoked_function_arn,
            "identity": context.identity.cognito_identity_id}
"""

LOGGING = """
import logging

def handler(event, context):
    logger = logging.getLogger()
    logger.debug("hidden at INFO")
    logger.info("a record\\nover two lines")
    print("printed")
    raise ValueError("bad input")
"""


def _zip_files(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, source in files.items():
            archive.writestr(name, textwrap.dedent(source))
    return buffer.getvalue()


def invoke(aws: Any, name: str, **kwargs: Any) -> tuple[dict[str, Any], Any]:
    response = aws.client("lambda").invoke(FunctionName=name, Payload=b"{}", **kwargs)
    return response, json.loads(response["Payload"].read())


def test_the_handler_starts_in_a_clean_interpreter_with_its_folder_first(
    aws: Any, make_function: Callable[..., str]
) -> None:
    name = make_function("")
    aws.client("lambda").update_function_code(
        FunctionName=name, ZipFile=_zip_files({"app.py": ISOLATION, "logs.py": "WHOSE = 'the function'\n"})
    )

    _, result = invoke(aws, name)

    assert result["foreign"] == []  # no workshop_utils, moto or boto3 imported before the handler
    assert result["first_on_path"] == result["task_root"] == result["cwd"]
    assert result["logs"] == "the function"


def test_client_context_and_trace_id_reach_the_handler(aws: Any, make_function: Callable[..., str]) -> None:
    name = make_function(CONTEXT)
    client_context = {"custom": {"room": "workshop"}, "env": {"locale": "de"}, "client": {"app_title": "Zürich"}}
    encoded = base64.b64encode(json.dumps(client_context).encode()).decode()

    response, result = invoke(aws, name, ClientContext=encoded)

    assert "FunctionError" not in response
    assert result["custom"] == {"room": "workshop"} and result["env"] == {"locale": "de"}
    assert result["app_title"] == "Zürich"
    assert result["trace"].startswith("Root=1-") and result["arn"].endswith(f":function:{name}")
    assert result["identity"] is None
    _, without = invoke(aws, name)
    assert without["custom"] is None
    assert without["trace"] != result["trace"]  # one trace id per invocation


def test_a_client_context_that_is_not_base64_json_is_refused(aws: Any, make_function: Callable[..., str]) -> None:
    name = make_function(CONTEXT)
    with pytest.raises(ClientError) as raised:
        aws.client("lambda").invoke(FunctionName=name, Payload=b"{}", ClientContext="not base64 json!")
    assert raised.value.response["Error"]["Code"] == "InvalidRequestContentException"


def test_text_logs_keep_a_record_in_one_event_and_report_errors_as_lambda(
    aws: Any, make_function: Callable[..., str]
) -> None:
    name = make_function(LOGGING)

    response, result = invoke(aws, name)

    assert response["FunctionError"] == "Unhandled" and result["errorType"] == "ValueError"
    messages = aws.log_messages(f"/aws/lambda/{name}")
    assert not any("hidden at INFO" in message or "a record" in message for message in messages)  # WARNING
    (report,) = [message for message in messages if message.startswith("[ERROR] ValueError: bad input")]
    assert report.splitlines()[1] == "Traceback (most recent call last):"
    assert "printed" in messages


def test_json_logging_config_gives_json_lines_at_its_level(aws: Any, make_function: Callable[..., str]) -> None:
    name = make_function(LOGGING, LoggingConfig={"LogFormat": "JSON", "ApplicationLogLevel": "INFO"})

    invoke(aws, name)

    messages = aws.log_messages(f"/aws/lambda/{name}")
    records = [json.loads(message) for message in messages if message.startswith("{")]
    assert [record["level"] for record in records] == ["INFO", "ERROR"]
    info, error = records
    assert info["message"] == "a record\nover two lines" and info["logger"] == "root"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", info["timestamp"])
    assert error["errorType"] == "ValueError" and error["errorMessage"] == "bad input"
    assert info["requestId"] == error["requestId"] and "printed" in messages


def test_no_module_outside_the_tests_imports_or_runs_awslambdaric() -> None:
    """awslambdaric is the conformance reference only: it has Linux wheels only, the runtime must run anywhere."""
    uses = re.compile(r"import\s+awslambdaric|from\s+awslambdaric|[\"']-m[\"']\s*,\s*[\"']awslambdaric")
    root = repo_root()
    offenders = [
        str(path.relative_to(root))
        for folder in ("workshop_utils", "lambdas", "infra", "notebooks", "exercises")
        if (root / folder).is_dir()
        for path in sorted(Path(root, folder).rglob("*.py"))
        if uses.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
