"""A snapshot of a moto Lambda function that a worker runs, and its code unpacked from the zip moto stores."""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import tempfile
import threading
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .logs import default_log_group

_UNPACK_LOCK = threading.Lock()


class FunctionCodeError(Exception):
    """The function cannot run here; the message says why and what to do."""

    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(message)
        self.error_type = error_type


@dataclass(frozen=True)
class FunctionSpec:
    """Everything a worker needs; its fingerprint changes when code or configuration does."""

    account_id: str
    region: str
    name: str
    arn: str
    version: str
    handler: str
    runtime: str
    timeout: float
    memory_size: int
    environment: dict[str, str]
    log_group: str
    code_sha256: str
    package_type: str = "Zip"
    log_format: str = "Text"  # LoggingConfig.LogFormat
    application_log_level: str | None = None  # LoggingConfig.ApplicationLogLevel (JSON format only)
    code: bytes = field(default=b"", repr=False, compare=False)

    @classmethod
    def from_moto(cls, fn: Any) -> FunctionSpec:
        environment = {str(k): str(v) for k, v in (getattr(fn, "environment_vars", None) or {}).items()}
        logging_config = getattr(fn, "logging_config", None) or {}
        log_format = "JSON" if str(logging_config.get("LogFormat", "Text")).upper() == "JSON" else "Text"
        # Lambda filters application logs by level only in the JSON format, INFO unless configured.
        log_level = (logging_config.get("ApplicationLogLevel") or "INFO") if log_format == "JSON" else None
        return cls(
            account_id=fn.account_id,
            region=fn.region,
            name=fn.function_name,
            arn=fn.function_arn,
            version=str(fn.version),
            handler=fn.handler or "",
            runtime=fn.run_time or "",
            timeout=float(fn.timeout or 3),
            memory_size=int(fn.memory_size or 128),
            environment=environment,
            log_group=(getattr(fn, "log_group", None) or getattr(fn, "logs_group_name", None)
                       or default_log_group(fn.function_name)),
            code_sha256=getattr(fn, "code_sha_256", "") or "",
            package_type=getattr(fn, "package_type", "Zip") or "Zip",
            log_format=log_format,
            application_log_level=log_level,
            code=getattr(fn, "code_bytes", b"") or b"",
        )

    @property
    def fingerprint(self) -> str:
        """Workers started for one fingerprint are retired when a redeploy changes it."""
        material = [
            self.code_sha256,
            self.handler,
            self.runtime,
            self.timeout,
            self.memory_size,
            sorted(self.environment.items()),
            self.log_group,
            self.log_format,
            self.application_log_level,
        ]
        return hashlib.sha256(json.dumps(material).encode()).hexdigest()

    def check_runnable(self) -> None:
        if self.package_type != "Zip":
            raise FunctionCodeError(
                "Runtime.InvalidEntrypoint",
                f"Function {self.name} is a container image; the local cloud runs zip packages only, "
                "so deploy it as a zip (PackageType Zip).",
            )
        if not self.runtime.startswith("python"):
            raise FunctionCodeError(
                "Runtime.InvalidRuntime",
                f"Function {self.name} uses runtime {self.runtime or '(none)'}; the local cloud runs Python "
                "functions only, so use a python3.x runtime.",
            )
        if not self.code:
            raise FunctionCodeError(
                "Runtime.InvalidEntrypoint",
                f"Function {self.name} has no code in the local cloud (its S3 object was missing when it was "
                "created); upload the code again with UpdateFunctionCode or redeploy the stack.",
            )


def unpack_code(spec: FunctionSpec, root: Path) -> Path:
    """The function's code as a directory (the worker's cwd), unpacked once per code version."""
    spec.check_runnable()
    digest = hashlib.sha256(f"{spec.arn}|{spec.code_sha256}".encode()).hexdigest()[:16]
    target = root / f"{re.sub(r'[^A-Za-z0-9_.-]', '_', spec.name)}-{digest}"
    marker = target / ".local_cloud_unpacked"
    with _UNPACK_LOCK:
        if marker.exists():
            return target
        root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".unpack-", dir=root))
        try:
            with zipfile.ZipFile(io.BytesIO(spec.code)) as archive:
                archive.extractall(staging)
        except zipfile.BadZipFile as error:
            shutil.rmtree(staging, ignore_errors=True)
            raise FunctionCodeError(
                "Runtime.InvalidEntrypoint",
                f"The code of function {spec.name} is not a valid zip archive; upload a zip file.",
            ) from error
        (staging / marker.name).write_text(spec.code_sha256)
        shutil.rmtree(target, ignore_errors=True)
        staging.rename(target)
    return target
