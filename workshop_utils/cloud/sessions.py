"""Where requests go (endpoint, region) and boto3 sessions and clients for the current target."""

from __future__ import annotations

import os
from typing import Any

import boto3
import botocore.session
from botocore.config import Config
from botocore.exceptions import BotoCoreError

from workshop_utils.cloud import choice, own_cloud
from workshop_utils.cloud.choice import LOCAL, LOCAL_REGION

# Short connect timeouts so a stopped endpoint fails in seconds; the read timeout covers a synchronous
# Step Functions execution or a cold Lambda invoke.
CLIENT_CONFIG = Config(
    connect_timeout=5,
    read_timeout=70,
    retries={"total_max_attempts": 4, "mode": "standard"},
    user_agent_extra="scatter-gather-workshop",
)
# Identity look-ups (describe, check) should fail fast when the endpoint is unreachable.
IDENTITY_CONFIG = CLIENT_CONFIG.merge(Config(connect_timeout=3, retries={"total_max_attempts": 2, "mode": "standard"}))


def endpoint_url() -> str | None:
    """Where boto3 and the CDK CLI send requests; None means AWS's own endpoints."""
    override = choice.endpoint_override()
    if override:
        return override
    return own_cloud.local_endpoint() if choice.current() == LOCAL else None


def region() -> str | None:
    """The region: the emulators' us-east-1 unless set in the environment; on aws, boto3's resolution."""
    if choice.on_own_local_cloud():
        return LOCAL_REGION
    configured = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    if choice.emulated():
        return configured or LOCAL_REGION
    if configured:
        return configured  # botocore itself reads only AWS_DEFAULT_REGION; the CDK CLI reads both
    try:
        return boto3.Session().region_name
    except BotoCoreError:
        return None


def session() -> boto3.Session:
    """A boto3 session for the current target (dummy credentials on emulators)."""
    if not choice.emulated():
        return boto3.Session()
    access_key, secret_key = own_cloud.emulator_credentials()
    core = botocore.session.Session()
    # A profile named in AWS_PROFILE may not exist on a workshop laptop; emulators never need it.
    core.get_component("config_store").set_config_variable("profile", None)
    return boto3.Session(
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        region_name=region(),
        botocore_session=core,
    )


def client(service_name: str, config: Config | None = None) -> Any:
    """A boto3 client for the current target, cached per target, endpoint, region, service and config (CLIENT_CONFIG
    by default; another must be a module's constant, as the cache knows it by identity)."""
    config = config or CLIENT_CONFIG
    access_key = own_cloud.emulator_credentials()[0] if choice.emulated() else None  # a restart brings new keys
    key = (choice.current(), endpoint_url(), region(), service_name, id(config), access_key)
    with choice.lock:
        cached = choice.remembered.clients.get(key)
        if cached is None:
            cached = session().client(service_name, endpoint_url=key[1], region_name=key[2], config=config)
            choice.remembered.clients[key] = cached
        return cached
