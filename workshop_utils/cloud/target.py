"""Where the workshop's AWS calls go (the local cloud, real AWS or a custom endpoint): clients, CDK env, checks."""

from __future__ import annotations

import os
import threading
from dataclasses import asdict, dataclass
from typing import Any

import boto3
import botocore.session
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
)

LOCAL = "local"
AWS = "aws"
TARGETS = (LOCAL, AWS)
TARGET_ENV = "WORKSHOP_TARGET"
ENDPOINT_ENV = "WORKSHOP_ENDPOINT_URL"

LOCAL_ACCOUNT = "123456789012"
LOCAL_REGION = "us-east-1"
# Another emulator (WORKSHOP_ENDPOINT_URL) without keys in the environment gets the emulators' usual dummy ones;
# the built-in local cloud accepts only its own keys, from the user's state file.
DUMMY_ACCESS_KEY = "testing"
DUMMY_SECRET_KEY = "testing"
LOCAL_CLOUD_DEFAULT_PORT = 4566  # where `start` tries first; clients never assume it, they read the state file

TOOLKIT_STACK = "CDKToolkit"
BOOTSTRAP_QUALIFIER = "hnb659fds"
BOOTSTRAP_VERSION_PARAMETER = f"/cdk-bootstrap/{BOOTSTRAP_QUALIFIER}/version"

START_LOCAL_CLOUD = "`make cloud-start` (or `python -m workshop_utils.local_cloud start`)"
NOT_RUNNING = f"The local cloud is not running: run {START_LOCAL_CLOUD} in a terminal, then re-run this cell."

# Short connect timeouts so a stopped endpoint fails in seconds; the read timeout covers a synchronous
# Step Functions execution or a cold Lambda invoke.
CLIENT_CONFIG = Config(
    connect_timeout=5,
    read_timeout=70,
    retries={"total_max_attempts": 4, "mode": "standard"},
    user_agent_extra="scatter-gather-workshop",
)
# Identity look-ups (describe, check) should fail fast when the endpoint is unreachable.
_IDENTITY_CONFIG = CLIENT_CONFIG.merge(Config(connect_timeout=3, retries={"total_max_attempts": 2, "mode": "standard"}))

# Variables that would send the CDK CLI or boto3 somewhere else than the local cloud, or with other credentials.
_REMOTE_ONLY_VARS = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN")
_BOOTSTRAP_FAILED = {"CREATE_FAILED", "ROLLBACK_COMPLETE", "ROLLBACK_FAILED", "DELETE_COMPLETE", "DELETE_FAILED"}


class TargetNotReady(RuntimeError):
    """The target cannot be used yet; the message is one sentence with the fix."""


@dataclass(frozen=True)
class TargetInfo:
    """What the notebooks deploy to: target name, endpoint (None: AWS's own), region and account."""

    name: str
    endpoint: str | None
    region: str | None
    account: str | None
    custom_endpoint: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _State:
    chosen: str | None = None  # set by use_target(); None: from the environment
    endpoint_override: str | None = None
    local_cloud: Any = None  # this user's local cloud (endpoint, keys) as last read from their state file
    local_cloud_stamp: int | None = None  # the state file's mtime when read
    account: dict[tuple, str] | None = None


_state = _State()
_lock = threading.RLock()
_clients: dict[tuple, Any] = {}


# ---------------------------------------------------------------- choosing the target


def use_target(name: str = LOCAL, endpoint_url: str | None = None) -> TargetInfo:
    """Choose the target for this kernel ("local" or "aws"), optionally with another emulator's endpoint.

    Without endpoint_url, env WORKSHOP_ENDPOINT_URL (if set) still applies: a LocalStack user keeps it.
    """
    name = _validated_name(name)
    with _lock:
        _state.chosen = name
        _state.endpoint_override = endpoint_url.rstrip("/") if endpoint_url else None
        _forget()
    return describe()


def reset() -> None:
    """Forget use_target()'s choice and every cached client (the environment decides again)."""
    with _lock:
        _state.chosen = None
        _state.endpoint_override = None
        _forget()


def _forget() -> None:
    _state.local_cloud = None
    _state.account = None
    _clients.clear()


def _validated_name(name: str) -> str:
    cleaned = (name or "").strip().lower()
    if cleaned not in TARGETS:
        raise ValueError(f'Unknown target {name!r}: use "local" (the default) or "aws".')
    return cleaned


def current() -> str:
    """The target's name: use_target()'s choice, else env WORKSHOP_TARGET, else "local"."""
    if _state.chosen:
        return _state.chosen
    return _validated_name(os.environ.get(TARGET_ENV) or LOCAL)


def endpoint_override() -> str | None:
    """The custom endpoint: use_target(endpoint_url=...), else env WORKSHOP_ENDPOINT_URL, else None."""
    if _state.endpoint_override:
        return _state.endpoint_override
    value = os.environ.get(ENDPOINT_ENV, "").strip()
    return value.rstrip("/") or None


def _emulated() -> bool:
    """Local cloud or another emulator: dummy credentials and the fixed account/region apply."""
    return current() == LOCAL or endpoint_override() is not None


# ---------------------------------------------------------------- the local cloud


def local_cloud_status() -> Any | None:
    """The local cloud's Status (running, healthy, pid, port, endpoint_url), or None when it is not installed."""
    try:
        from workshop_utils.local_cloud import service
    except ImportError:
        return None
    return service.status()


def local_cloud() -> Any | None:
    """This user's running local cloud as their own state file records it (endpoint and keys, no API call), or
    None when it does not run (or is not installed)."""
    try:
        from workshop_utils.local_cloud import service
    except ImportError:
        return None
    recorded = service.recorded_status()
    return recorded if recorded.running else None


def _state_file_stamp() -> int | None:
    """When this user's state file last changed (a start or a stop rewrites it), or None without one."""
    try:
        from workshop_utils.local_cloud import config, state
    except ImportError:
        return None
    try:
        return state.state_file(config.home_dir()).stat().st_mtime_ns
    except OSError:
        return None


def _forced_local_port() -> int | None:
    """LOCAL_CLOUD_PORT, when set to a port (`make lab PORT=...`); 0 or unset: wherever the local cloud runs."""
    port = os.environ.get("LOCAL_CLOUD_PORT", "").strip()
    return int(port) if port.isdigit() and int(port) > 0 else None


def _own_local_cloud() -> Any:
    """This user's local cloud, from their own state file only (remembered until that file changes).

    Never a guess: whatever listens on the default port may be another user's cloud, so without a running cloud
    in the state file there is no endpoint at all, and the request is not sent.
    """
    stamp = _state_file_stamp()
    with _lock:
        if stamp is not None and _state.local_cloud is not None and _state.local_cloud_stamp == stamp:
            return _state.local_cloud
    found = local_cloud()
    if found is None:
        raise TargetNotReady(NOT_RUNNING)
    forced = _forced_local_port()
    if forced is not None and found.port is not None and forced != found.port:
        raise TargetNotReady(
            f"LOCAL_CLOUD_PORT is {forced} but your local cloud listens on port {found.port}: unset "
            "LOCAL_CLOUD_PORT (the notebooks then find the port themselves) and restart the kernel."
        )
    with _lock:
        _state.local_cloud, _state.local_cloud_stamp = found, stamp
    return found


def _local_endpoint() -> str:
    return str(_own_local_cloud().endpoint_url).rstrip("/")


def endpoint_url() -> str | None:
    """Where boto3 and the CDK CLI send requests; None means AWS's own endpoints."""
    override = endpoint_override()
    if override:
        return override
    return _local_endpoint() if current() == LOCAL else None


# ---------------------------------------------------------------- clients and the CDK environment


def region() -> str | None:
    """The region: the emulators' us-east-1 unless set in the environment; on aws, boto3's resolution."""
    if current() == LOCAL and not endpoint_override():
        return LOCAL_REGION
    configured = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    if _emulated():
        return configured or LOCAL_REGION
    if configured:
        return configured  # botocore itself reads only AWS_DEFAULT_REGION; the CDK CLI reads both
    try:
        return boto3.Session().region_name
    except BotoCoreError:
        return None


def _emulator_credentials() -> tuple[str, str]:
    """The local cloud's own keys from the user's state file; for a custom emulator, the environment's keys
    when set, else dummy ones."""
    if not endpoint_override():
        cloud = _own_local_cloud()
        return str(cloud.access_key_id), str(cloud.secret_access_key)
    if os.environ.get("AWS_ACCESS_KEY_ID") and os.environ.get("AWS_SECRET_ACCESS_KEY"):
        return os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"]
    return DUMMY_ACCESS_KEY, DUMMY_SECRET_KEY


def session() -> boto3.Session:
    """A boto3 session for the current target (dummy credentials on emulators)."""
    if not _emulated():
        return boto3.Session()
    access_key, secret_key = _emulator_credentials()
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
    return _client(service_name, config or CLIENT_CONFIG)


def _client(service_name: str, config: Config) -> Any:
    access_key = _emulator_credentials()[0] if _emulated() else None  # a restarted local cloud has new keys
    key = (current(), endpoint_url(), region(), service_name, id(config), access_key)
    with _lock:
        cached = _clients.get(key)
        if cached is None:
            cached = session().client(service_name, endpoint_url=key[1], region_name=key[2], config=config)
            _clients[key] = cached
        return cached


def cdk_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for a CDK CLI subprocess: the real one on aws, pointed at the emulator otherwise."""
    env = dict(os.environ if base is None else base)
    if not _emulated():
        return env
    for name in _REMOTE_ONLY_VARS:
        env.pop(name, None)
    for name in [key for key in env if key.startswith("AWS_ENDPOINT_URL_")]:
        env.pop(name)  # service-specific endpoints would win over AWS_ENDPOINT_URL
    access_key, secret_key = _emulator_credentials()
    the_region = region() or LOCAL_REGION
    env.update(
        AWS_ENDPOINT_URL=endpoint_url() or "",
        AWS_ACCESS_KEY_ID=access_key,
        AWS_SECRET_ACCESS_KEY=secret_key,
        AWS_REGION=the_region,
        AWS_DEFAULT_REGION=the_region,
        CDK_DEFAULT_REGION=the_region,
    )
    if current() == LOCAL and not endpoint_override():
        env["CDK_DEFAULT_ACCOUNT"] = LOCAL_ACCOUNT
    return env


# ---------------------------------------------------------------- describe and check


def _account(strict: bool) -> str | None:
    """The account id (fixed on the local cloud, else STS), cached per target; None when unknown."""
    if current() == LOCAL and not endpoint_override():
        return LOCAL_ACCOUNT
    key = (current(), endpoint_url(), region())
    with _lock:
        known = (_state.account or {}).get(key)
    if known:
        return known
    try:
        account = _client("sts", _IDENTITY_CONFIG).get_caller_identity()["Account"]
    except (BotoCoreError, ClientError):
        if strict:
            raise
        return None
    with _lock:
        _state.account = {**(_state.account or {}), key: account}
    return account


def describe() -> TargetInfo:
    """The current target, without failing: unknown values are None."""
    try:
        the_region = region()
    except Exception:  # describe() must not fail; check() explains problems
        the_region = None
    account = None
    if the_region or _emulated():
        try:
            account = _account(strict=False)
        except Exception:
            account = None
    try:
        endpoint = endpoint_url()
    except TargetNotReady:  # no local cloud running: check() says so
        endpoint = None
    return TargetInfo(
        name=current(),
        endpoint=endpoint,
        region=the_region,
        account=account,
        custom_endpoint=endpoint_override() is not None,
    )


def check(*, require_bootstrap: bool = True) -> TargetInfo:
    """Verify the target can be deployed to; raises TargetNotReady with one sentence and the fix.

    On aws this includes the CDK bootstrap (unless require_bootstrap=False); on the local cloud it does not:
    cdk.ensure_bootstrapped() bootstraps emulators itself.
    """
    with _lock:
        _state.local_cloud = None  # look again: the local cloud may have (re)started elsewhere
    if endpoint_override():
        _check_custom_endpoint()
    elif current() == LOCAL:
        _check_local_cloud()
    else:
        _check_aws(require_bootstrap)
    return describe()


def _check_local_cloud() -> None:
    status = local_cloud_status()
    if status is None or not status.running:
        raise TargetNotReady(NOT_RUNNING)
    if not status.healthy:
        raise TargetNotReady(
            f"The local cloud (pid {status.pid}, port {status.port}) is running but not answering: "
            "run `make cloud-stop` then `make cloud-start` in a terminal, then re-run this cell."
        )
    forced = _forced_local_port()
    if forced is not None and status.port is not None and forced != status.port:
        raise TargetNotReady(
            f"LOCAL_CLOUD_PORT is {forced} but your local cloud listens on port {status.port}: unset "
            "LOCAL_CLOUD_PORT (the notebooks then find the port themselves) and restart the kernel."
        )


def _check_custom_endpoint() -> None:
    try:
        _account(strict=True)
    except (BotoCoreError, ClientError) as error:
        raise TargetNotReady(
            f"Nothing answers at {endpoint_override()} ({_short(error)}): start your emulator "
            f"(or unset {ENDPOINT_ENV} to use the built-in local cloud), then re-run this cell."
        ) from error


def _check_aws(require_bootstrap: bool) -> None:
    try:
        credentials = boto3.Session().get_credentials()
    except BotoCoreError as error:
        raise TargetNotReady(
            f"The AWS credentials cannot be loaded ({_short(error)}): run `aws configure` "
            "(or set AWS_PROFILE to a profile that exists) and re-run this cell."
        ) from error
    if credentials is None:
        raise TargetNotReady("No AWS credentials found: run `aws configure` (or set AWS_PROFILE) and re-run this cell.")
    the_region = region()
    if not the_region:
        raise TargetNotReady(
            "No AWS region set: run `export AWS_REGION=us-east-1` (or `aws configure set region us-east-1`) "
            "before starting Jupyter, or set os.environ['AWS_REGION'] in the set-up notebook, and re-run this cell."
        )
    try:
        account = _account(strict=True)
    except NoCredentialsError as error:
        raise TargetNotReady(
            "No AWS credentials found: run `aws configure` (or set AWS_PROFILE) and re-run this cell."
        ) from error
    except (EndpointConnectionError, ConnectTimeoutError) as error:
        raise TargetNotReady(
            f"AWS cannot be reached ({_short(error)}): check the network connection and re-run this cell."
        ) from error
    except (BotoCoreError, ClientError) as error:
        raise TargetNotReady(
            f"AWS rejected the credentials ({_short(error)}): refresh them (`aws sso login` or `aws configure`) "
            "and re-run this cell."
        ) from error
    if require_bootstrap and not is_bootstrapped():
        raise TargetNotReady(
            f"Account {account} is not bootstrapped in {the_region}: run "
            f"`npx cdk bootstrap aws://{account}/{the_region}` in a terminal (or call "
            "workshop_utils.deploy.cdk.bootstrap()), then re-run this cell."
        )


def is_bootstrapped() -> bool:
    """True when the CDKToolkit stack and its version parameter exist on the current target."""
    try:
        stacks = client("cloudformation").describe_stacks(StackName=TOOLKIT_STACK)["Stacks"]
    except ClientError as error:
        if _not_found(error):
            return False
        raise
    if not stacks or stacks[0].get("StackStatus") in _BOOTSTRAP_FAILED:
        return False
    try:
        client("ssm").get_parameter(Name=BOOTSTRAP_VERSION_PARAMETER)
    except ClientError as error:
        if _not_found(error):
            return False
        raise
    return True


def _not_found(error: ClientError) -> bool:
    code = error.response.get("Error", {}).get("Code", "")
    return code in {"ParameterNotFound", "StackNotFound"} or "does not exist" in str(error)


def _short(error: Exception) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return text[:200]
