"""The environment a CDK CLI subprocess runs in, so that it deploys where boto3 reads: the current target."""

from __future__ import annotations

import os

from workshop_utils.cloud import choice, own_cloud, sessions
from workshop_utils.cloud.choice import LOCAL_ACCOUNT, LOCAL_REGION

# Variables that would send the CDK CLI or boto3 somewhere else than the local cloud, or with other credentials.
_REMOTE_ONLY_VARS = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN")


def cdk_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for a CDK CLI subprocess: the real one on aws, pointed at the emulator otherwise."""
    env = dict(os.environ if base is None else base)
    if not choice.emulated():
        return env
    for name in _REMOTE_ONLY_VARS:
        env.pop(name, None)
    for name in [key for key in env if key.startswith("AWS_ENDPOINT_URL_")]:
        env.pop(name)  # service-specific endpoints would win over AWS_ENDPOINT_URL
    access_key, secret_key = own_cloud.emulator_credentials()
    the_region = sessions.region() or LOCAL_REGION
    env.update(
        AWS_ENDPOINT_URL=sessions.endpoint_url() or "",
        AWS_ACCESS_KEY_ID=access_key,
        AWS_SECRET_ACCESS_KEY=secret_key,
        AWS_REGION=the_region,
        AWS_DEFAULT_REGION=the_region,
        CDK_DEFAULT_REGION=the_region,
    )
    if choice.on_own_local_cloud():
        env["CDK_DEFAULT_ACCOUNT"] = LOCAL_ACCOUNT
    return env
