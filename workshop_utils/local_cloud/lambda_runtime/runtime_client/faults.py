"""Failures as Lambda reports them: the error result, the traceback from the user's code, the X-Ray cause."""

from __future__ import annotations

import os
import traceback

TYPE_CHECKING = False  # typing is not imported at run time: every import delays the function's cold start
if TYPE_CHECKING:
    from typing import Any

PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


class RuntimeFault(Exception):
    """A failure the runtime reports under its own error type (Runtime.ImportModuleError, Runtime.MarshalError...)."""

    def __init__(self, error_type: str, message: str, trace: list[str] | None = None) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.trace = trace


def error_result(message: str, error_type: str, trace: list[str] | None, request_id: str = "") -> dict[str, Any]:
    return {"errorMessage": message or "", "errorType": error_type or "", "requestId": request_id,
            "stackTrace": trace or []}


def user_frames(tb: Any) -> list[tuple[str, int | None, str, str | None]]:
    """The traceback from the first frame that is not this client's own."""
    frames = [(frame.filename, frame.lineno, frame.name, frame.line) for frame in traceback.extract_tb(tb)]
    for index, frame in enumerate(frames):
        if os.path.dirname(frame[0]) != PACKAGE_DIR:
            return frames[index:]
    return frames


def xray_cause(error_type: str, message: str, frames: list[tuple[str, int | None, str, str | None]]) -> dict:
    """The X-Ray error cause Lambda receives beside an error (Lambda-Runtime-Function-XRay-Error-Cause)."""
    stack = [{"label": name, "path": path, "line": line} for path, line, name, _ in frames]
    exception = {"message": message, "type": error_type, "stack": stack}
    return {"working_directory": os.getcwd(), "exceptions": [exception], "paths": list(dict.fromkeys(
        path for path, *_ in frames))}
