"""The target: choosing local/aws/custom endpoint, clients, the CDK environment and the readiness checks."""

from __future__ import annotations

import json
import socket
from dataclasses import dataclass

import pytest
from moto import mock_aws

from workshop_utils.cloud import own_cloud, target

REAL_LOCAL_CLOUD = own_cloud.local_cloud  # the fixture replaces it; some tests need the real one
KEY_ID, SECRET = "LKIAOWNKEYOFTHISCLOUD", "its-own-secret"


@dataclass
class FakeStatus:
    running: bool
    healthy: bool
    pid: int | None = None
    port: int | None = None
    endpoint_url: str | None = None
    access_key_id: str | None = KEY_ID
    secret_access_key: str | None = SECRET


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    """No AWS or workshop variables, empty AWS config files, no instance metadata, no earlier choice."""
    for name in list(__import__("os").environ):
        if name.startswith(("AWS_", "WORKSHOP_", "CDK_")) or name == "LOCAL_CLOUD_PORT":
            monkeypatch.delenv(name, raising=False)
    credentials = tmp_path / "credentials"
    config = tmp_path / "config"
    credentials.write_text("")
    config.write_text("")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setattr(own_cloud, "local_cloud_status", lambda: FakeStatus(False, False))
    monkeypatch.setattr(own_cloud, "local_cloud", lambda: None)
    monkeypatch.setenv("LOCAL_CLOUD_HOME", str(tmp_path / "no-local-cloud-here"))
    monkeypatch.delenv("LOCAL_CLOUD_DEFAULT_PORT", raising=False)
    target.reset()
    yield
    target.reset()


def running_local_cloud(monkeypatch, endpoint="http://127.0.0.1:4599", healthy=True):
    status = FakeStatus(True, healthy, pid=4242, port=int(endpoint.rsplit(":", 1)[1]), endpoint_url=endpoint)
    monkeypatch.setattr(own_cloud, "local_cloud_status", lambda: status)
    monkeypatch.setattr(own_cloud, "local_cloud", lambda: status)
    return status


def set_credentials(monkeypatch, region="us-east-1"):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREALLOOKING")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    if region:
        monkeypatch.setenv("AWS_REGION", region)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ---------------------------------------------------------------- choosing


def test_local_is_the_default_and_the_environment_or_use_target_choose(monkeypatch):
    assert target.current() == "local"
    monkeypatch.setenv("WORKSHOP_TARGET", "aws")
    assert target.current() == "aws"
    target.use_target("local")
    assert target.current() == "local"  # the set-up notebook's choice wins over the environment
    target.reset()
    assert target.current() == "aws"


def test_an_unknown_target_name_says_which_names_exist():
    with pytest.raises(ValueError, match='use "local"'):
        target.use_target("azure")


def test_describe_local_shows_the_running_local_cloud(monkeypatch):
    running_local_cloud(monkeypatch, "http://127.0.0.1:4599")
    info = target.use_target("local")
    assert info == target.TargetInfo("local", "http://127.0.0.1:4599", "us-east-1", "123456789012")


def test_describe_local_when_stopped_shows_no_endpoint():
    info = target.describe()
    assert (info.name, info.endpoint, info.account) == ("local", None, "123456789012")


def _recorded_cloud(monkeypatch, tmp_path, port=4599):
    """A state file of this user's, naming a live server (the liveness check is faked)."""
    from workshop_utils.local_cloud import state
    from workshop_utils.local_cloud.lifecycle import status as lifecycle_status

    monkeypatch.setattr(own_cloud, "local_cloud", REAL_LOCAL_CLOUD)
    monkeypatch.setenv("LOCAL_CLOUD_HOME", str(tmp_path / "home"))
    record = state.ServerRecord(4242, port, f"http://127.0.0.1:{port}", "x.log", 0.0, token="t",
                                access_key_id=KEY_ID, secret_access_key=SECRET)
    state.write_record(tmp_path / "home", record)
    monkeypatch.setattr(lifecycle_status, "_server_alive", lambda record, home: True)
    target.reset()
    return record


def test_local_endpoint_and_keys_come_from_the_users_state_file(monkeypatch, tmp_path):
    """On a shared host this user's local cloud may have moved off 4566: the state file says where it is, and
    holds the only keys it accepts."""
    _recorded_cloud(monkeypatch, tmp_path)

    assert target.endpoint_url() == "http://127.0.0.1:4599"
    credentials = target.client("sqs")._request_signer._credentials
    assert (credentials.access_key, credentials.secret_key) == (KEY_ID, SECRET)
    assert (target.cdk_env()["AWS_ACCESS_KEY_ID"], target.cdk_env()["AWS_SECRET_ACCESS_KEY"]) == (KEY_ID, SECRET)


def test_a_restarted_local_cloud_is_read_again_from_the_state_file(monkeypatch, tmp_path):
    from workshop_utils.local_cloud import state

    record = _recorded_cloud(monkeypatch, tmp_path)
    before = target.client("sqs")
    restarted = state.ServerRecord(4343, 4600, "http://127.0.0.1:4600", "x.log", 1.0, token="u",
                                   access_key_id="LKIANEWKEYAFTERRESTART", secret_access_key="new")
    state.write_record(tmp_path / "home", restarted)
    import os

    os.utime(state.state_file(tmp_path / "home"), ns=(1, 1))  # a different stamp, however fast the rewrite
    after = target.client("sqs")

    assert record.port != restarted.port and after is not before
    assert after.meta.endpoint_url == "http://127.0.0.1:4600"
    assert after._request_signer._credentials.access_key == "LKIANEWKEYAFTERRESTART"


def test_a_forced_port_must_be_the_state_files_local_cloud(monkeypatch):
    running_local_cloud(monkeypatch, "http://127.0.0.1:4599")
    monkeypatch.setenv("LOCAL_CLOUD_PORT", "4601")
    message = "LOCAL_CLOUD_PORT is 4601 but your local cloud listens on port 4599: unset LOCAL_CLOUD_PORT"
    with pytest.raises(target.TargetNotReady, match=message):
        target.endpoint_url()
    with pytest.raises(target.TargetNotReady, match=message):
        target.check()
    monkeypatch.setenv("LOCAL_CLOUD_PORT", "4599")
    assert target.endpoint_url() == "http://127.0.0.1:4599"


def test_with_nothing_running_no_request_goes_anywhere_not_even_to_the_default_port(monkeypatch):
    """Whatever listens on the default port may be another user's local cloud: nothing falls back to it."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        listener.settimeout(0.5)
        monkeypatch.setenv("LOCAL_CLOUD_DEFAULT_PORT", str(listener.getsockname()[1]))
        for attempt in (target.endpoint_url, lambda: target.client("sqs"), target.session, target.cdk_env):
            with pytest.raises(target.TargetNotReady) as refused:
                attempt()
            assert str(refused.value).startswith("The local cloud is not running: run `make cloud-start`")
        with pytest.raises(TimeoutError):
            listener.accept()  # nobody connected


# ---------------------------------------------------------------- clients and the CDK environment


def test_local_clients_use_the_local_clouds_own_credentials_and_retries(monkeypatch):
    running_local_cloud(monkeypatch, "http://127.0.0.1:4599")
    monkeypatch.setenv("AWS_PROFILE", "a-profile-this-laptop-does-not-have")
    sqs = target.client("sqs")
    assert sqs.meta.endpoint_url == "http://127.0.0.1:4599"
    assert sqs.meta.region_name == "us-east-1"
    assert sqs._request_signer._credentials.access_key == KEY_ID
    assert sqs.meta.config.retries["mode"] == "standard"
    assert sqs.meta.config.connect_timeout == target.CLIENT_CONFIG.connect_timeout
    assert target.client("sqs") is sqs  # cached


def test_clients_are_cached_per_target(monkeypatch):
    running_local_cloud(monkeypatch)
    set_credentials(monkeypatch)
    local = target.client("sqs")
    target.use_target("aws")
    remote = target.client("sqs")
    assert remote is not local
    assert "amazonaws.com" in remote.meta.endpoint_url
    assert remote._request_signer._credentials.access_key == "AKIAREALLOOKING"


def test_cdk_env_on_local_points_everything_at_the_local_cloud(monkeypatch):
    running_local_cloud(monkeypatch, "http://127.0.0.1:4599")
    base = {
        "PATH": "/usr/bin",
        "AWS_PROFILE": "work",
        "AWS_SESSION_TOKEN": "real-token",
        "AWS_ENDPOINT_URL_S3": "https://s3.example",
        "AWS_ACCESS_KEY_ID": "AKIAREAL",
    }
    env = target.cdk_env(base)
    assert env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:4599"
    assert (env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"]) == (KEY_ID, SECRET)
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == env["CDK_DEFAULT_REGION"] == "us-east-1"
    assert env["CDK_DEFAULT_ACCOUNT"] == "123456789012"
    assert env["PATH"] == "/usr/bin"
    for dropped in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_S3"):
        assert dropped not in env


def test_cdk_env_on_aws_is_the_real_environment(monkeypatch):
    target.use_target("aws")
    base = {"PATH": "/usr/bin", "AWS_PROFILE": "work", "AWS_REGION": "eu-west-1"}
    assert target.cdk_env(base) == base


# ---------------------------------------------------------------- endpoint override


def test_endpoint_override_from_the_environment_uses_dummy_credentials(monkeypatch):
    monkeypatch.setenv("WORKSHOP_ENDPOINT_URL", "http://localhost:4510/")
    monkeypatch.setenv("AWS_PROFILE", "work")
    assert target.endpoint_url() == "http://localhost:4510"
    env = target.cdk_env()
    assert env["AWS_ENDPOINT_URL"] == "http://localhost:4510"
    assert env["AWS_ACCESS_KEY_ID"] == "testing" and "AWS_PROFILE" not in env
    assert "CDK_DEFAULT_ACCOUNT" not in env  # the CLI asks the emulator (LocalStack uses 000000000000)
    sns = target.client("sns")
    assert sns.meta.endpoint_url == "http://localhost:4510"
    assert sns._request_signer._credentials.access_key == "testing"


def test_endpoint_override_from_use_target_also_works_for_aws_and_keeps_explicit_keys(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "emulator-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "emulator-secret")
    target.use_target("aws", endpoint_url="http://localhost:4510")
    env = target.cdk_env()
    assert env["AWS_ENDPOINT_URL"] == "http://localhost:4510"
    assert env["AWS_ACCESS_KEY_ID"] == "emulator-key"
    assert env["AWS_REGION"] == "us-east-1"
    assert target.client("sqs").meta.endpoint_url == "http://localhost:4510"


def test_use_target_endpoint_wins_over_the_environment_and_the_environment_stays_otherwise(monkeypatch):
    monkeypatch.setenv("WORKSHOP_ENDPOINT_URL", "http://localhost:4510")
    target.use_target("local")
    assert target.endpoint_override() == "http://localhost:4510"
    target.use_target("local", endpoint_url="http://localhost:5000")
    assert target.endpoint_url() == "http://localhost:5000"


def test_check_with_a_custom_endpoint_where_nothing_answers_says_so():
    info = target.use_target("local", endpoint_url=f"http://127.0.0.1:{closed_port()}")
    assert info.custom_endpoint and info.account is None and info.region == "us-east-1"
    with pytest.raises(
        target.TargetNotReady, match=r"^Nothing answers at http://127\.0\.0\.1:\d+ .*start your emulator"
    ):
        target.check()


# ---------------------------------------------------------------- checks: local


def test_check_local_with_the_local_cloud_stopped_gives_the_start_command():
    with pytest.raises(target.TargetNotReady) as raised:
        target.check()
    assert str(raised.value) == (
        "The local cloud is not running: run `make cloud-start` (or `python -m workshop_utils.local_cloud start`)"
        " in a terminal, then re-run this cell."
    )


def test_check_local_without_the_local_cloud_package_gives_the_start_command(monkeypatch):
    monkeypatch.setattr(own_cloud, "local_cloud_status", lambda: None)
    with pytest.raises(target.TargetNotReady, match="make cloud-start"):
        target.check()


def test_check_local_running_but_unhealthy_says_to_restart(monkeypatch):
    running_local_cloud(monkeypatch, healthy=False)
    with pytest.raises(target.TargetNotReady, match=r"not answering: run `make cloud-stop` then `make cloud-start`"):
        target.check()


def test_check_local_healthy_returns_the_target(monkeypatch):
    running_local_cloud(monkeypatch, "http://127.0.0.1:4599")
    assert target.check() == target.TargetInfo("local", "http://127.0.0.1:4599", "us-east-1", "123456789012")


# ---------------------------------------------------------------- checks: aws


def test_check_aws_without_credentials_gives_the_configure_command(monkeypatch):
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    target.use_target("aws")
    with pytest.raises(target.TargetNotReady) as raised:
        target.check()
    assert str(raised.value) == (
        "No AWS credentials found: run `aws configure` (or set AWS_PROFILE) and re-run this cell."
    )


def test_check_aws_with_an_unknown_profile_says_so(monkeypatch):
    monkeypatch.setenv("AWS_PROFILE", "nope")
    target.use_target("aws")
    with pytest.raises(target.TargetNotReady, match=r"config profile \(nope\) could not be found.*aws configure"):
        target.check()


def test_check_aws_without_a_region_gives_the_export_command(monkeypatch):
    set_credentials(monkeypatch, region=None)
    target.use_target("aws")
    with pytest.raises(target.TargetNotReady, match=r"^No AWS region set: run `export AWS_REGION=us-east-1`"):
        target.check()


def test_check_aws_reads_the_region_from_the_config_file(monkeypatch, tmp_path):
    set_credentials(monkeypatch, region=None)
    (tmp_path / "config").write_text("[default]\nregion = eu-west-1\n")
    target.use_target("aws")
    assert target.region() == "eu-west-1"


@mock_aws
def test_check_aws_not_bootstrapped_gives_the_bootstrap_command(monkeypatch):
    set_credentials(monkeypatch)
    target.use_target("aws")
    with pytest.raises(target.TargetNotReady) as raised:
        target.check()
    assert str(raised.value).startswith(
        "Account 123456789012 is not bootstrapped in us-east-1: run `npx cdk bootstrap aws://123456789012/us-east-1`"
    )
    assert target.check(require_bootstrap=False).account == "123456789012"


def _bootstrap_stack(with_parameter: bool) -> None:
    resources = {"Queue": {"Type": "AWS::SQS::Queue"}}
    if with_parameter:
        resources["CdkBootstrapVersion"] = {
            "Type": "AWS::SSM::Parameter",
            "Properties": {"Name": target.BOOTSTRAP_VERSION_PARAMETER, "Type": "String", "Value": "30"},
        }
    target.client("cloudformation").create_stack(
        StackName="CDKToolkit", TemplateBody=json.dumps({"Resources": resources})
    )


@mock_aws
def test_check_aws_with_the_toolkit_stack_but_no_version_parameter_is_not_bootstrapped(monkeypatch):
    set_credentials(monkeypatch)
    target.use_target("aws")
    _bootstrap_stack(with_parameter=False)
    with pytest.raises(target.TargetNotReady, match="is not bootstrapped in us-east-1"):
        target.check()


@mock_aws
def test_check_aws_bootstrapped_returns_the_account_and_region(monkeypatch):
    set_credentials(monkeypatch)
    target.use_target("aws")
    _bootstrap_stack(with_parameter=True)
    assert target.is_bootstrapped()
    assert target.check() == target.TargetInfo("aws", None, "us-east-1", "123456789012")
