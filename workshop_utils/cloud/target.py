"""Where the workshop's AWS calls go (the local cloud, real AWS or a custom endpoint): the one name callers import.

Callers write `from workshop_utils.cloud import target` and `target.<name>`; each piece lives in its own module:
the choice and what it remembers (choice), the learner's own local cloud and its keys (own_cloud), endpoint,
region, sessions and clients (sessions), the CDK CLI's environment (cdk_environment), describe and the checks
(checks). A test that replaces one of them for the target's own code patches it where it lives.
"""

from __future__ import annotations

from workshop_utils.cloud import choice
from workshop_utils.cloud.cdk_environment import cdk_env
from workshop_utils.cloud.checks import (
    BOOTSTRAP_QUALIFIER,
    BOOTSTRAP_VERSION_PARAMETER,
    TOOLKIT_STACK,
    TargetInfo,
    check,
    describe,
    is_bootstrapped,
)
from workshop_utils.cloud.choice import (
    AWS,
    ENDPOINT_ENV,
    LOCAL,
    LOCAL_ACCOUNT,
    LOCAL_REGION,
    TARGET_ENV,
    TARGETS,
    TargetNotReady,
    current,
    endpoint_override,
    reset,
)
from workshop_utils.cloud.own_cloud import (
    DUMMY_ACCESS_KEY,
    DUMMY_SECRET_KEY,
    LOCAL_CLOUD_DEFAULT_PORT,
    NOT_RUNNING,
    START_LOCAL_CLOUD,
    local_cloud,
    local_cloud_status,
)
from workshop_utils.cloud.sessions import CLIENT_CONFIG, client, endpoint_url, region, session

__all__ = [
    "AWS", "BOOTSTRAP_QUALIFIER", "BOOTSTRAP_VERSION_PARAMETER", "CLIENT_CONFIG", "DUMMY_ACCESS_KEY",
    "DUMMY_SECRET_KEY", "ENDPOINT_ENV", "LOCAL", "LOCAL_ACCOUNT", "LOCAL_CLOUD_DEFAULT_PORT", "LOCAL_REGION",
    "NOT_RUNNING", "START_LOCAL_CLOUD", "TARGETS", "TARGET_ENV", "TOOLKIT_STACK", "TargetInfo", "TargetNotReady",
    "cdk_env", "check", "client", "current", "describe", "endpoint_override", "endpoint_url", "is_bootstrapped",
    "local_cloud", "local_cloud_status", "region", "reset", "session", "use_target",
]


def use_target(name: str = LOCAL, endpoint_url: str | None = None) -> TargetInfo:
    """Choose the target for this kernel ("local" or "aws"), optionally with another emulator's endpoint.

    Without endpoint_url, env WORKSHOP_ENDPOINT_URL (if set) still applies: a LocalStack user keeps it.
    """
    choice.choose(name, endpoint_url)
    return describe()
