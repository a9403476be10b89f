"""What a failed CDK CLI run tells a learner: the exceptions, and one sentence saying what failed and what to do."""

from __future__ import annotations

import re

from workshop_utils.cloud import target
from workshop_utils.deploy.progress import Progress

# The workshop app's own errors already end with the fix ("...; fix it in cdk.json or pass ...").
_HAS_FIX = re.compile(r"[;:,]\s*(?:then\s+)?(?:fix|run|set|pass|install|add|remove|use|delete)\b", re.IGNORECASE)
_UNREACHABLE = ("ECONNREFUSED", "connect ETIMEDOUT", "getaddrinfo ENOTFOUND", "socket hang up")
_VERB_HINTS = {
    "synth": "fix it in infra/, lambdas/ or cdk.json (or the context you passed), then re-run this cell",
    "deploy": "fix the cause, then re-run this cell",
    "diff": "fix the cause, then re-run this cell",
    "destroy": "fix the cause (or delete the stack in the CloudFormation console), then re-run this cell",
    "bootstrap": "fix the cause, then re-run this cell",
}


class CdkCliMissing(RuntimeError):
    """Node.js or the pinned CDK CLI is not installed; the message says to run `make setup`."""


class CdkCommandFailed(RuntimeError):
    """A CDK CLI command failed; the message names what failed and what to do."""

    def __init__(
        self,
        message: str,
        *,
        command: list[str],
        returncode: int,
        output: list[str],
        failures: list[Progress],
        cause: str | None,
    ) -> None:
        super().__init__(message)
        self.command = command
        self.returncode = returncode
        self.output = output
        self.failures = failures
        self.cause = cause


def failure_message(verb: str, stack: str | None, lines: list[str], returncode: int, cause: str | None) -> str:
    """One sentence: what failed, why, and what to do."""
    what = f"`cdk {verb}{' ' + stack if stack else ''}` failed"
    if any(marker in line for line in lines for marker in _UNREACHABLE):
        if target.current() == target.LOCAL and not target.endpoint_override():
            hint = f"the local cloud is not answering: run {target.START_LOCAL_CLOUD}, then re-run this cell"
        else:
            hint = f"{target.endpoint_url() or 'AWS'} cannot be reached: check it is up, then re-run this cell"
        return f"{what} ({cause or 'connection refused'}); {hint}."
    if cause and verb == "synth" and _HAS_FIX.search(cause):
        return f"{what}: {cause.rstrip('.')}."
    if cause:
        return f"{what}: {cause.rstrip('.')}; {_VERB_HINTS.get(verb, _VERB_HINTS['deploy'])}."
    return (
        f"{what} (exit code {returncode}); read the output above for the cause, "
        f"{_VERB_HINTS.get(verb, _VERB_HINTS['deploy'])}."
    )
