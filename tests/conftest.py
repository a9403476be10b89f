"""Shared pytest set-up: quiet jsii's Node banner, keep tests off real AWS, and a local cloud of the tests' own."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable

import pytest

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")


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
    from workshop_utils import target
    from workshop_utils.local_cloud import service

    with pytest.MonkeyPatch.context() as env:
        env.setenv("WORKSHOP_TARGET", "local")
        target.use_target("local")
        with service.private_cloud(tmp_path_factory.mktemp("local-cloud")) as status:
            yield status
