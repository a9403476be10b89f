"""Describe the current target, and check it can be deployed to: each problem one sentence with the fix."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import boto3
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
)

from workshop_utils.cloud import choice, own_cloud, sessions
from workshop_utils.cloud.choice import ENDPOINT_ENV, LOCAL, LOCAL_ACCOUNT, TargetNotReady

TOOLKIT_STACK = "CDKToolkit"
BOOTSTRAP_QUALIFIER = "hnb659fds"
BOOTSTRAP_VERSION_PARAMETER = f"/cdk-bootstrap/{BOOTSTRAP_QUALIFIER}/version"
_BOOTSTRAP_FAILED = {"CREATE_FAILED", "ROLLBACK_COMPLETE", "ROLLBACK_FAILED", "DELETE_COMPLETE", "DELETE_FAILED"}


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


def _account(strict: bool) -> str | None:
    """The account id (fixed on the local cloud, else STS), cached per target; None when unknown."""
    if choice.on_own_local_cloud():
        return LOCAL_ACCOUNT
    key = (choice.current(), sessions.endpoint_url(), sessions.region())
    with choice.lock:
        known = choice.remembered.account.get(key)
    if known:
        return known
    try:
        account = sessions.client("sts", sessions.IDENTITY_CONFIG).get_caller_identity()["Account"]
    except (BotoCoreError, ClientError):
        if strict:
            raise
        return None
    with choice.lock:
        choice.remembered.account[key] = account
    return account


def describe() -> TargetInfo:
    """The current target, without failing: unknown values are None."""
    try:
        the_region = sessions.region()
    except Exception:  # describe() must not fail; check() explains problems
        the_region = None
    account = None
    if the_region or choice.emulated():
        try:
            account = _account(strict=False)
        except Exception:
            account = None
    try:
        endpoint = sessions.endpoint_url()
    except TargetNotReady:  # no local cloud running: check() says so
        endpoint = None
    return TargetInfo(
        name=choice.current(),
        endpoint=endpoint,
        region=the_region,
        account=account,
        custom_endpoint=choice.endpoint_override() is not None,
    )


def check(*, require_bootstrap: bool = True) -> TargetInfo:
    """Verify the target can be deployed to; raises TargetNotReady with one sentence and the fix.

    On aws this includes the CDK bootstrap (unless require_bootstrap=False); on the local cloud it does not:
    cdk.ensure_bootstrapped() bootstraps emulators itself.
    """
    with choice.lock:
        choice.remembered.local_cloud = None  # look again: the local cloud may have (re)started elsewhere
    if choice.endpoint_override():
        _check_custom_endpoint()
    elif choice.current() == LOCAL:
        _check_local_cloud()
    else:
        _check_aws(require_bootstrap)
    return describe()


def _check_local_cloud() -> None:
    status = own_cloud.local_cloud_status()
    if status is None or not status.running:
        raise TargetNotReady(own_cloud.NOT_RUNNING)
    if not status.healthy:
        raise TargetNotReady(
            f"The local cloud (pid {status.pid}, port {status.port}) is running but not answering: "
            "run `make cloud-stop` then `make cloud-start` in a terminal, then re-run this cell."
        )
    mismatch = own_cloud.forced_port_mismatch(status.port)
    if mismatch is not None:
        raise mismatch


def _check_custom_endpoint() -> None:
    try:
        _account(strict=True)
    except (BotoCoreError, ClientError) as error:
        raise TargetNotReady(
            f"Nothing answers at {choice.endpoint_override()} ({_short(error)}): start your emulator "
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
    the_region = sessions.region()
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
        stacks = sessions.client("cloudformation").describe_stacks(StackName=TOOLKIT_STACK)["Stacks"]
    except ClientError as error:
        if _not_found(error):
            return False
        raise
    if not stacks or stacks[0].get("StackStatus") in _BOOTSTRAP_FAILED:
        return False
    try:
        sessions.client("ssm").get_parameter(Name=BOOTSTRAP_VERSION_PARAMETER)
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
