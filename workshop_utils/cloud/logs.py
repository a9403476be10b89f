"""Read a function's CloudWatch log events on the current target, as plain dicts."""

from __future__ import annotations

import time

from botocore.exceptions import ClientError

from workshop_utils.cloud import target


def poll_interval() -> float:
    """How long to wait between looks at logs (or other listings) while waiting for a result: a quarter of a
    second locally; a second on AWS, where FilterLogEvents allows only a few calls a second per account."""
    return 0.25 if target.current() == target.LOCAL else 1.0


def function_log_group(function_name: str) -> str:
    """The log group a function writes to: its LoggingConfig's group, else /aws/lambda/<name>."""
    config = target.client("lambda").get_function_configuration(FunctionName=function_name)
    return config.get("LoggingConfig", {}).get("LogGroup") or f"/aws/lambda/{function_name}"


def fetch_log_events(log_group: str, *, start_ms: int, end_ms: int | None = None) -> list[dict]:
    """Every event of a log group between two epoch-millisecond times, oldest first."""
    client = target.client("logs")
    kwargs = {"logGroupName": log_group, "startTime": start_ms}
    if end_ms is not None:
        kwargs["endTime"] = end_ms
    events: list[dict] = []
    try:
        while True:
            page = client.filter_log_events(**kwargs)
            events.extend(page.get("events", []))
            if not page.get("nextToken"):
                break
            kwargs["nextToken"] = page["nextToken"]
    except ClientError as error:
        if error.response["Error"]["Code"] == "ResourceNotFoundException":
            return []  # no invocation has written to it yet
        raise
    return sorted(events, key=lambda e: (e["timestamp"], e.get("ingestionTime", 0)))


def now_ms() -> int:
    """The current time in epoch milliseconds, as CloudWatch Logs counts it."""
    return int(time.time() * 1000)
