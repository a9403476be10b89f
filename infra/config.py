"""Parse and validate the CDK context (recipients, batching window, deadline, catching) into dataclasses (pure)."""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RECIPIENTS_KEY = "recipients"
BATCHING_WINDOW_KEY = "max_batching_window_seconds"
DEADLINE_KEY = "aggregation_deadline_seconds"
CATCH_FAILURES_KEY = "parallel_catch_failures"
SNS_WIRING_KEY = "sns_wiring"
SNS_WIRINGS = ("finished", "exercise")  # infra/sns_wiring.py, or the learner's exercises/sns_wiring.py
# The headless notebook run points this at a copy of exercises/ filled with the solutions.
EXERCISES_DIR_ENV = "WORKSHOP_EXERCISES_DIR"
EXERCISES_DIR = Path(__file__).resolve().parent.parent / "exercises"
DEFAULT_RECIPIENTS: dict[str, dict[str, str]] = {"Avis": {"base_rate": "99"}, "Alamo": {"base_rate": "120"}}
# Small on purpose: the aggregator fires about a second after the last quote, so the workshop feels fast.
DEFAULT_MAX_BATCHING_WINDOW_SECONDS = 1
MAX_BATCHING_WINDOW_SECONDS = 300  # the Lambda limit for SQS event sources
MAX_BATCH_WITHOUT_WINDOW = 10  # SQS event sources need a batching window above this batch size
# Every request is aggregated at the latest this long after it was scattered (missing vendors named).
DEFAULT_AGGREGATION_DEADLINE_SECONDS = 10
MAX_AGGREGATION_DEADLINE_SECONDS = 900  # the SQS limit for a queue's DelaySeconds, which starts the deadline
DEFAULT_PARALLEL_CATCH_FAILURES = True
MAX_VENDOR_NAME_LENGTH = 40
VENDOR_KEYS = ("base_rate", "latency_ms", "failure_rate")
RECIPIENTS_EXAMPLE = """-c recipients='{"Avis": {"base_rate": "99"}, "Alamo": {"base_rate": "120"}}'"""


class ConfigError(ValueError):
    """A CDK context value the app cannot use; the message is one sentence with the fix."""


class RecipientsConfigError(ConfigError):
    """The `recipients` context is not a valid vendor map."""


class BatchingWindowConfigError(ConfigError):
    """The `max_batching_window_seconds` context is out of range."""


class DeadlineConfigError(ConfigError):
    """The `aggregation_deadline_seconds` context is out of range."""


class CatchFailuresConfigError(ConfigError):
    """The `parallel_catch_failures` context is not a boolean."""


class WiringConfigError(ConfigError):
    """The `sns_wiring` context names no known wiring, or the learner's wiring does not load."""


@dataclass(frozen=True)
class Vendor:
    """One car-rental vendor, answered by one responder function."""

    name: str
    base_rate: int
    latency_ms: int = 0
    failure_rate: float = 0.0

    def environment(self) -> dict[str, str]:
        """The responder's environment variables."""
        return {
            "VENDOR": self.name,
            "BASE_RATE": str(self.base_rate),
            "LATENCY_MS": str(self.latency_ms),
            "FAILURE_RATE": str(self.failure_rate),
        }


@dataclass(frozen=True)
class WorkshopConfig:
    """Everything the stacks read from the context."""

    vendors: tuple[Vendor, ...]
    max_batching_window_seconds: int = DEFAULT_MAX_BATCHING_WINDOW_SECONDS
    aggregation_deadline_seconds: int = DEFAULT_AGGREGATION_DEADLINE_SECONDS
    parallel_catch_failures: bool = DEFAULT_PARALLEL_CATCH_FAILURES
    sns_wiring: str = SNS_WIRINGS[0]


def _recipients_error(problem: str) -> RecipientsConfigError:
    return RecipientsConfigError(
        f"The 'recipients' context is invalid: {problem}; fix it in cdk.json or pass e.g. {RECIPIENTS_EXAMPLE}."
    )


def _whole_number(value: Any) -> int | None:
    """An int from an int or a string of digits (context values from `-c` arrive as strings)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit() and value.strip().isascii():
        return int(value.strip())
    return None


def _fraction(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return number if not math.isnan(number) and 0.0 <= number <= 1.0 else None


def _parse_vendor(name: Any, settings: Any) -> Vendor:
    if not (isinstance(name, str) and name.isascii() and name.isalnum() and len(name) <= MAX_VENDOR_NAME_LENGTH):
        raise _recipients_error(
            f"vendor name {name!r} must be 1 to {MAX_VENDOR_NAME_LENGTH} letters or digits (A-Z, a-z, 0-9)"
        )
    if not isinstance(settings, Mapping):
        raise _recipients_error(f'vendor {name!r} must map to an object such as {{"base_rate": "99"}}')
    unknown = sorted(set(settings) - set(VENDOR_KEYS))
    if unknown:
        raise _recipients_error(f"vendor {name!r} has unknown key(s) {unknown} (allowed: {', '.join(VENDOR_KEYS)})")
    if "base_rate" not in settings:
        raise _recipients_error(f"vendor {name!r} has no base_rate")
    base_rate = _whole_number(settings["base_rate"])
    if base_rate is None or base_rate < 1:
        raise _recipients_error(
            f"vendor {name!r} has base_rate {settings['base_rate']!r}, which is not a positive integer"
        )
    latency_ms = _whole_number(settings.get("latency_ms", 0))
    if latency_ms is None or latency_ms < 0:
        raise _recipients_error(
            f"vendor {name!r} has latency_ms {settings['latency_ms']!r}, which is not an integer >= 0"
        )
    failure_rate = _fraction(settings.get("failure_rate", 0))
    if failure_rate is None:
        raise _recipients_error(
            f"vendor {name!r} has failure_rate {settings['failure_rate']!r}, which is not a number from 0 to 1"
        )
    return Vendor(name=name, base_rate=base_rate, latency_ms=latency_ms, failure_rate=failure_rate)


def parse_recipients(value: Any) -> tuple[Vendor, ...]:
    """Vendors from the `recipients` context, given as an object (cdk.json) or a JSON string (`-c`)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as error:
            raise _recipients_error(f"it is not valid JSON ({error.msg} at character {error.pos})") from None
    if not isinstance(value, Mapping):
        raise _recipients_error(f"it must be a JSON object of vendors, not {type(value).__name__}")
    if not value:
        raise _recipients_error("it names no vendor, and at least one is needed")
    return tuple(_parse_vendor(name, settings) for name, settings in value.items())


def parse_batching_window(value: Any) -> int:
    """Seconds the aggregator's event source waits to fill a batch (0 to 300)."""
    seconds = _whole_number(value)
    if seconds is None or not 0 <= seconds <= MAX_BATCHING_WINDOW_SECONDS:
        raise BatchingWindowConfigError(
            f"The '{BATCHING_WINDOW_KEY}' context must be a whole number of seconds from 0 to "
            f"{MAX_BATCHING_WINDOW_SECONDS}, not {value!r}; fix it in cdk.json or pass e.g. "
            f"-c {BATCHING_WINDOW_KEY}=1."
        )
    return seconds


def parse_deadline(value: Any, batching_window_seconds: int) -> int:
    """Seconds after scattering at which a request is aggregated even if vendors are missing.

    It must exceed the batching window, or the aggregator would often see the deadline before the quotes.
    """
    seconds = _whole_number(value)
    if seconds is None or not batching_window_seconds < seconds <= MAX_AGGREGATION_DEADLINE_SECONDS:
        example = min(max(DEFAULT_AGGREGATION_DEADLINE_SECONDS, batching_window_seconds + 5),
                      MAX_AGGREGATION_DEADLINE_SECONDS)
        raise DeadlineConfigError(
            f"The '{DEADLINE_KEY}' context must be a whole number of seconds greater than "
            f"'{BATCHING_WINDOW_KEY}' ({batching_window_seconds}) and at most {MAX_AGGREGATION_DEADLINE_SECONDS}, "
            f"not {value!r}; fix it in cdk.json or pass e.g. -c {DEADLINE_KEY}={example}."
        )
    return seconds


def parse_catch_failures(value: Any) -> bool:
    """Whether the Parallel state's branches catch a failed vendor (a JSON boolean, or "true"/"false" from `-c`)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise CatchFailuresConfigError(
        f"The '{CATCH_FAILURES_KEY}' context must be true or false, not {value!r}; fix it in cdk.json or pass "
        f"e.g. -c {CATCH_FAILURES_KEY}=false."
    )


def parse_wiring(value: Any) -> str:
    """Which wiring connects the SNS stack: "finished" (infra/sns_wiring.py) or "exercise" (the learner's)."""
    if isinstance(value, str) and value.strip() in SNS_WIRINGS:
        return value.strip()
    raise WiringConfigError(
        f"The '{SNS_WIRING_KEY}' context must be {' or '.join(SNS_WIRINGS)}, not {value!r}; "
        f"pass e.g. -c {SNS_WIRING_KEY}=exercise."
    )


def exercises_dir() -> Path:
    """The folder of the learner's exercise files (exercises/, unless WORKSHOP_EXERCISES_DIR says otherwise)."""
    override = os.environ.get(EXERCISES_DIR_ENV)
    return Path(override) if override else EXERCISES_DIR


def _context(get_context: Callable[[str], Any], key: str, default: Any) -> Any:
    value = get_context(key)
    return default if value is None else value


def load_config(get_context: Callable[[str], Any]) -> WorkshopConfig:
    """Read and validate the context through `get_context` (e.g. `app.node.try_get_context`)."""
    recipients = get_context(RECIPIENTS_KEY)
    vendors = parse_recipients(DEFAULT_RECIPIENTS if recipients is None else recipients)
    window = get_context(BATCHING_WINDOW_KEY)
    seconds = parse_batching_window(DEFAULT_MAX_BATCHING_WINDOW_SECONDS if window is None else window)
    if seconds == 0 and len(vendors) > MAX_BATCH_WITHOUT_WINDOW:
        raise BatchingWindowConfigError(
            f"The '{BATCHING_WINDOW_KEY}' context must be at least 1 when there are more than "
            f"{MAX_BATCH_WITHOUT_WINDOW} vendors (the aggregator's batch size); pass e.g. -c {BATCHING_WINDOW_KEY}=1."
        )
    deadline = parse_deadline(_context(get_context, DEADLINE_KEY, DEFAULT_AGGREGATION_DEADLINE_SECONDS), seconds)
    catch = parse_catch_failures(_context(get_context, CATCH_FAILURES_KEY, DEFAULT_PARALLEL_CATCH_FAILURES))
    return WorkshopConfig(
        vendors=vendors,
        max_batching_window_seconds=seconds,
        aggregation_deadline_seconds=deadline,
        parallel_catch_failures=catch,
        sns_wiring=parse_wiring(_context(get_context, SNS_WIRING_KEY, SNS_WIRINGS[0])),
    )
