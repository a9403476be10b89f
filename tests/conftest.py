"""Shared pytest set-up: quiet jsii's Node banner, keep tests off real AWS, and a local cloud of the tests' own."""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")


@contextmanager
def private_local_cloud(home: Path) -> Iterator[object]:
    """Start a local cloud whose state lives in `home`; every kernel and subprocess started meanwhile sees it."""
    from workshop_utils import target
    from workshop_utils.local_cloud import service

    saved = {key: os.environ.get(key) for key in ("LOCAL_CLOUD_HOME", "LOCAL_CLOUD_PORT", "WORKSHOP_TARGET")}
    os.environ.update(LOCAL_CLOUD_HOME=str(home), LOCAL_CLOUD_PORT="0", WORKSHOP_TARGET="local")
    target.use_target("local")
    try:
        yield service.start(port=0)
    finally:
        service.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture(scope="module")
def workshop_cloud(tmp_path_factory):
    """A running local cloud for one test module, stopped (with every worker) when the module ends."""
    with private_local_cloud(tmp_path_factory.mktemp("local-cloud")) as status:
        yield status
