"""Asynchronous invocation (InvocationType=Event): a queue per function, retries with back-off, then destinations."""

from __future__ import annotations

import json
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from ..config import RuntimeSettings
from ..lambda_runtime.invocation import InvocationResult, new_request_id
from . import destinations
from .invoke import invoke_function

if TYPE_CHECKING:
    from ..lambda_runtime.pool import LambdaRuntime

logger = logging.getLogger(__name__)

DEFAULT_MAXIMUM_RETRY_ATTEMPTS = 2
DEFAULT_MAXIMUM_EVENT_AGE_SECONDS = 21600


class RequestJournal(Protocol):
    """Where accepted events are written down until they finish (persistence's journal, handed in by the server)."""

    def accepted(self, request_id: str, kind: str, target: str, name: str = "") -> None: ...

    def finished(self, request_id: str) -> None: ...


def correlation_id(payload: bytes) -> str | None:
    """The uuid a request carries in its payload (the workshop's quote requests do), for naming it to the learner:
    the request id in Lambda's 202 is moto's own, not the invocation's, so the learner does not know that one."""
    if b'"uuid"' not in payload[:4096]:
        return None
    try:
        data = json.loads(payload)
    except ValueError:
        return None
    for holder in (data, data.get("data") if isinstance(data, dict) else None):
        if isinstance(holder, dict) and isinstance(holder.get("uuid"), str):
            return holder["uuid"]
    return None


@dataclass
class AsyncEvent:
    """An event Lambda accepted with 202; the same request id is used for every attempt."""

    account_id: str
    region: str
    function_name: str
    qualifier: str | None
    payload: bytes
    request_id: str = field(default_factory=new_request_id)
    received_at: float = field(default_factory=time.time)
    attempts: int = 0

    @property
    def queue_key(self) -> str:
        return f"{self.account_id}:{self.region}:{self.function_name}:{self.qualifier or '$LATEST'}"


def event_invoke_config(fn: Any) -> dict[str, Any]:
    """The function's PutFunctionEventInvokeConfig settings ({} when none)."""
    configs = getattr(fn, "event_invoke_config", None) or []
    return dict(configs[-1].config) if configs else {}


def _lookup_function(event: AsyncEvent) -> Any | None:
    from moto.awslambda.exceptions import UnknownFunctionException
    from moto.awslambda.models import lambda_backends

    try:
        return lambda_backends[event.account_id][event.region].get_function(event.function_name, event.qualifier)
    except UnknownFunctionException:
        return None


class AsyncInvoker:
    """Runs queued events on at most max_workers threads per function, so a busy function cannot starve others."""

    def __init__(self, settings: RuntimeSettings, runtime: LambdaRuntime) -> None:
        self._settings = settings
        self._runtime = runtime
        self._executors: dict[str, ThreadPoolExecutor] = {}
        self._timers: set[threading.Timer] = set()
        self._lock = threading.Lock()
        self._closed = False
        self.journal: RequestJournal | None = None  # set by the server: accepted events are named after a crash

    def _accept(self, event: AsyncEvent) -> None:
        if self.journal is not None:
            self.journal.accepted(event.request_id, "asynchronous invocation", event.function_name,
                                  correlation_id(event.payload) or event.request_id)
        self._dispatch(event)

    def submit(self, fn: Any, payload: bytes) -> str:
        version = str(fn.version)
        event = AsyncEvent(
            account_id=fn.account_id,
            region=fn.region,
            function_name=fn.function_name,
            qualifier=None if version == "$LATEST" else version,
            payload=payload,
        )
        self._accept(event)
        return event.request_id

    def submit_to_arn(self, function_arn: str, payload: bytes) -> str | None:
        """Queue an event for a function given by ARN (SNS subscriptions, Lambda destinations)."""
        parts = function_arn.split(":")
        if len(parts) not in (7, 8) or parts[5] != "function":
            logger.error("%s is not a Lambda function ARN; event dropped", function_arn)
            return None
        event = AsyncEvent(
            account_id=parts[4],
            region=parts[3],
            function_name=parts[6],
            qualifier=parts[7] if len(parts) == 8 and parts[7] != "$LATEST" else None,
            payload=payload,
        )
        self._accept(event)
        return event.request_id

    def _dispatch(self, event: AsyncEvent, delay: float = 0.0) -> None:
        with self._lock:
            if self._closed:
                return
            if delay > 0:
                timer = threading.Timer(delay, self._retry_now, (event,))
                timer.daemon = True
                self._timers.add(timer)
                timer.start()
                return
            executor = self._executors.get(event.queue_key)
            if executor is None:
                executor = self._executors[event.queue_key] = ThreadPoolExecutor(
                    max_workers=self._settings.max_workers_per_function,
                    thread_name_prefix=f"async-{event.function_name}",
                )
            executor.submit(self._attempt, event)

    def _retry_now(self, event: AsyncEvent) -> None:
        with self._lock:
            self._timers = {t for t in self._timers if t.is_alive() and t is not threading.current_thread()}
        self._dispatch(event)

    def _attempt(self, event: AsyncEvent) -> None:
        retrying = False
        try:
            fn = _lookup_function(event)
            if fn is None:
                logger.warning("function %s no longer exists; async event %s dropped", event.function_name,
                               event.request_id)
                return
            config = event_invoke_config(fn)
            max_retries = int(config.get("MaximumRetryAttempts", DEFAULT_MAXIMUM_RETRY_ATTEMPTS))
            max_age = int(config.get("MaximumEventAgeInSeconds", DEFAULT_MAXIMUM_EVENT_AGE_SECONDS))
            if time.time() - event.received_at > max_age:
                self._conclude(event, fn, None, "EventAgeExceeded", config)
                return
            event.attempts += 1
            result = invoke_function(self._runtime, fn, event.payload, request_id=event.request_id)
            if not result.failed:
                self._conclude(event, fn, result, "Success", config)
            elif event.attempts <= max_retries:
                delay = self._settings.retry_delay_seconds * 2 ** (event.attempts - 1)
                logger.info("async invocation %s of %s failed (attempt %d); retrying in %.2f s",
                            event.request_id, event.function_name, event.attempts, delay)
                self._dispatch(event, delay)
                retrying = True
            else:
                self._conclude(event, fn, result, "RetriesExhausted", config)
        except Exception:
            logger.exception("async invocation %s of %s failed unexpectedly", event.request_id, event.function_name)
        finally:
            if self.journal is not None and not retrying:  # after its destination got its record
                self.journal.finished(event.request_id)

    def _conclude(
        self, event: AsyncEvent, fn: Any, result: InvocationResult | None, condition: str, config: dict[str, Any]
    ) -> None:
        outcome = "OnSuccess" if condition == "Success" else "OnFailure"
        destination = (config.get("DestinationConfig") or {}).get(outcome, {}).get("Destination")
        if not destination:
            if condition != "Success":
                logger.warning("async invocation %s of %s ended with %s and has no OnFailure destination",
                               event.request_id, event.function_name, condition)
            return
        version = str(fn.version)
        base_arn = fn.function_arn if version == "$LATEST" else fn.function_arn.rsplit(":", 1)[0]
        record = destinations.invocation_record(
            request_id=event.request_id,
            function_arn=f"{base_arn}:{version}",
            condition=condition,
            approximate_invoke_count=event.attempts,
            request_payload=event.payload,
            result=result,
            executed_version=version,
        )
        destinations.deliver(destination, record, source_function_arn=base_arn, invoke_async=self.submit_to_arn)

    def shutdown(self) -> None:
        with self._lock:
            self._closed = True
            timers, self._timers = self._timers, set()
            executors, self._executors = list(self._executors.values()), {}
        for timer in timers:
            timer.cancel()
        for executor in executors:
            executor.shutdown(wait=False, cancel_futures=True)

    def pending(self) -> int:
        """Events scheduled for a retry (for status output)."""
        with self._lock:
            return sum(1 for t in self._timers if t.is_alive())
