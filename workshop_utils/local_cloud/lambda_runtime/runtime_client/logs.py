"""Logging as Lambda's Python runtime sets it up (text or JSON lines), and its [ERROR] reports."""

from __future__ import annotations

import json
import logging
import sys
import time
import traceback

from .encoding import to_json

TYPE_CHECKING = False  # typing is not imported at run time: every import delays the function's cold start
if TYPE_CHECKING:
    from typing import Any

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


_current = {"request_id": "", "tenant_id": None}  # the invocation running now; "" during init


def set_invocation(request_id: str, tenant_id: str | None) -> None:
    """Records from now on carry this invocation's request id (and tenant id)."""
    _current["request_id"], _current["tenant_id"] = request_id, tenant_id


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.aws_request_id = _current["request_id"]
        record.tenant_id = _current["tenant_id"]
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
