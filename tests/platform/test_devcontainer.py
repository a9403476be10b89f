"""The dev container: valid JSON, Python 3.12 and Node 22, `make setup` after create, only JupyterLab forwarded."""

from __future__ import annotations

import json
import re
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
CONFIG = REPO_ROOT / ".devcontainer" / "devcontainer.json"


def _config() -> dict:
    return json.loads(CONFIG.read_text())  # strict JSON: no comments, so any tool can read it


def _make_targets() -> set[str]:
    return set(re.findall(r"^([A-Za-z][\w.-]*):", (REPO_ROOT / "Makefile").read_text(), flags=re.MULTILINE))


def test_python_312_image_and_node_22_feature() -> None:
    config = _config()
    assert config["image"].startswith("mcr.microsoft.com/devcontainers/python:3.12")
    [node] = [value for key, value in config["features"].items() if "/features/node:" in key]
    assert str(node["version"]) == "22"


def test_post_create_runs_make_targets_that_exist() -> None:
    command = _config()["postCreateCommand"]
    assert command == "make setup"
    named = re.findall(r"\bmake\s+([\w.-]+)", command)
    assert named and set(named) <= _make_targets()


def test_jupyterlab_is_forwarded_and_the_local_cloud_is_not() -> None:
    config = _config()
    assert 8888 in config["forwardPorts"]
    assert 4566 not in config["forwardPorts"]
    # The local cloud binds 127.0.0.1 inside the container; it and the workers' ports stay unforwarded.
    assert config["portsAttributes"]["4566"]["onAutoForward"] == "ignore"
    assert config["otherPortsAttributes"]["onAutoForward"] == "ignore"
