"""A request's OnFailure records as rows, their function named by role, waiting a little for late ones."""

from __future__ import annotations

import json
import time

from workshop_utils.cloud import target
from workshop_utils.cloud.stacks import SNS_STACK
from workshop_utils.quotes import aggregates, timelines, triggers


def failure_records(since_ms: int, at_least: int, timeout_s: float, about: str | None) -> list[dict]:
    """The OnFailure records since a time, waiting up to `timeout_s` for `at_least` of them; with `about`,
    only the records that mention it (a request's uuid)."""
    def read() -> list[dict]:
        records = aggregates.failure_records(since_ms=since_ms)
        return [r for r in records if about is None or about in json.dumps(r)]

    give_up = time.monotonic() + timeout_s
    records = read()
    while len(records) < at_least and time.monotonic() < give_up:
        time.sleep(0.5)
        records = read()
    return records


def failure_row(record: dict) -> dict:
    """A failure record's summary, its function named by role ("Responder · Hertz")."""
    row = aggregates.failure_summary(record)
    roles = {name: timelines.role_label(logical) for logical, name in aggregates.stack_functions(SNS_STACK).items()}
    row["function"] = roles.get(row["function"], row["function"])
    return row


def request_failures(handle: triggers.SnsQuoteHandle, aggregate: dict) -> list[dict]:
    """This request's OnFailure records as rows; when a vendor is missing, wait a little for Lambda to give up on
    it (the local cloud retries 0.2 s apart; AWS about 1 then 2 minutes apart, so there they come later)."""
    wanted = 1 if aggregate.get("missing_vendors") else 0
    wait_s = 30.0 if target.current() == "local" else 0.0
    return [failure_row(r) for r in failure_records(handle.sent_at_ms - 1000, wanted, wait_s, handle.uuid)]
