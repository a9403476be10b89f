"""Shared pytest set-up: quiet jsii's Node banner, keep tests off real AWS, and a local cloud of the tests' own."""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
from collections.abc import Callable

import pytest

# What the caller's shell may export for its own use (the README's AWS_ENDPOINT_URL and dummy keys for an AWS CLI
# against the local cloud, a profile, a region, the target of a JupyterLab terminal): the tests make their own
# clients and clouds, so none of it may leak in, nor may the caller's ~/.aws files (an endpoint_url or a region).
CALLERS_SETTINGS = (
    "AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
    "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_CA_BUNDLE",
    "WORKSHOP_TARGET", "WORKSHOP_ENDPOINT_URL", "LOCAL_CLOUD_PORT",
)
for _name in [key for key in os.environ if key in CALLERS_SETTINGS or key.startswith("AWS_ENDPOINT_URL_")]:
    del os.environ[_name]
os.environ.update(AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
os.environ["AWS_DEFAULT_REGION"] = "us-east-1"


# ---------------------------------------------------------------- parallel runs (pytest-xdist, --dist loadgroup)

_OUTPUTS = pytest.StashKey[str]()


def pytest_configure(config: pytest.Config) -> None:
    """A cdk.out, build/ and warm synth of this pytest process's own (each xdist worker is one): the notebook
    kernels, JupyterLab, Voila and the CDK runs of two workers never write each other's assembly or outputs, and
    a learner's cdk.out in the checkout is left alone."""
    from workshop_utils.deploy.output_dir import OUTPUT_DIR_ENV

    folder = tempfile.mkdtemp(prefix=f"workshop-outputs-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-")
    config.stash[_OUTPUTS] = folder
    os.environ[OUTPUT_DIR_ENV] = folder


def pytest_unconfigure(config: pytest.Config) -> None:
    folder = config.stash.get(_OUTPUTS, None)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)


# Session fixtures worth setting up once (a local cloud; the CDK app synthesized in this process): the modules using
# one run as one group, on one worker, as in a single process. Other session fixtures are set up on each worker.
SHARED_SESSION_FIXTURES = {
    "cloud": "the session's local cloud",
    "synthesized": "the synthesized apps",
    "two_vendors": "the synthesized apps",
    "three_vendors": "the synthesized apps",
}
# The slowest groups first (their time with three workers), so that no long one starts last.
SLOW_FIRST = (
    "tests/notebooks/test_notebooks.py",
    "tests/infra/test_warm_synth_process.py",
    "tests/browser/test_jupyterlab.py",
    "tests/browser/test_dashboard.py",
    "tests/local_cloud/test_shared_host.py",
    "tests/local_cloud/test_aggregator_sns.py",
    "tests/notebooks/test_cold_open.py",
    "the session's local cloud",
    "tests/platform/test_wheels.py",
    "tests/local_cloud/test_project_stacks.py",
    "tests/local_cloud/test_restart.py",
    "tests/bundle/test_offline_install.py",
    "tests/notebooks/test_presenter_dashboard.py",
    "tests/local_cloud/test_cfn_cdk_deploy.py",
    "the synthesized apps",
    "tests/local_cloud/test_aggregator_failures.py",
    "tests/local_cloud/test_aggregator_parallel_uncaught.py",
    "tests/local_cloud/test_wiring_deployed.py",
    "tests/unit/test_cdk_moto_slow.py",
)
_GROUP = pytest.StashKey[str]()


def _module(item: pytest.Item) -> str:
    return item.nodeid.split("::", 1)[0]


def _shared_session_fixture(item: pytest.Item) -> str | None:
    for name, group in SHARED_SESSION_FIXTURES.items():
        definitions = item._fixtureinfo.name2fixturedefs.get(name, ())  # the one in force is the last
        if definitions and definitions[-1].scope == "session":  # not a module's own fixture of the same name
            return group
    return None


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]):
    """One xdist group a module (its tests in order on one worker, its module fixtures set up once), or one for
    the modules sharing a session fixture; the slowest groups first, as xdist hands them out in that order."""
    # Before every other implementation: xdist's own reads the groups into the node ids.
    shared: dict[str, str] = {}
    for item in items:
        group = _shared_session_fixture(item)
        if group is not None:
            shared.setdefault(_module(item), group)
    for item in items:
        item.stash[_GROUP] = shared.get(_module(item), _module(item))
        item.add_marker(pytest.mark.xdist_group(item.stash[_GROUP]))
    yield
    # After them all (pytest's own reorders by parametrized session fixtures): stable, so each group keeps its order.
    rank = {group: index for index, group in enumerate(SLOW_FIRST)}
    items.sort(key=lambda item: rank.get(item.stash[_GROUP], len(rank)))


@pytest.fixture(scope="session")
def free_port() -> Callable[[], int]:
    """A function returning a loopback port that is free right now (for servers a test starts)."""

    def pick() -> int:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            return sock.getsockname()[1]

    return pick


@pytest.fixture(scope="module")
def workshop_cloud(tmp_path_factory):
    """A running local cloud for one test module, stopped (with every worker) when the module ends."""
    from workshop_utils.cloud import target
    from workshop_utils.local_cloud import service

    with pytest.MonkeyPatch.context() as env:
        env.setenv("WORKSHOP_TARGET", "local")
        target.use_target("local")
        with service.private_cloud(tmp_path_factory.mktemp("local-cloud")) as status:
            yield status
