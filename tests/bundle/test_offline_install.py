"""`make bundle` then `make setup` in a clean copy of the repository, with pip and npm cut off from the network."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from workshop_utils.tools import bundle

REPO_ROOT = Path(__file__).resolve().parents[2]
UNREACHABLE = "http://127.0.0.1:9"  # the discard port: any attempt to reach an index fails at once

pytestmark = [pytest.mark.bundle, pytest.mark.timeout(1800)]


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _clean_copy(destination: Path) -> Path:
    """The repository's tracked files as they are in the working tree: what a fresh clone would hold."""
    files = subprocess.run(["git", "ls-files", "-z"], cwd=REPO_ROOT, capture_output=True, check=True).stdout
    for name in filter(None, files.decode().split("\0")):
        source = REPO_ROOT / name
        if source.is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)
    return destination


def _offline_environment(wheels: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "npm_config_", "NPM_CONFIG_"))}
    env.pop("PYTHONPATH", None)  # the clone must import its own code, from its own venv
    env.update(
        PIP_NO_INDEX="1",
        PIP_FIND_LINKS=str(wheels),
        PIP_INDEX_URL=f"{UNREACHABLE}/simple",
        PIP_CONFIG_FILE=os.devnull,
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        # No bytecode at install time (pip's --no-compile; PIP_NO_COMPILE=1 would mean the opposite): a third of
        # the install's time, and nothing this test proves. Python compiles what the imports below load.
        PIP_COMPILE="0",
        # Cache only: a package missing from the bundle's cache fails (ENOTCACHED) instead of being fetched. The
        # registry stays the default one, as the cache's entries are keyed by the address they came from.
        npm_config_offline="true",
        npm_config_audit="false",
        npm_config_fund="false",
    )
    return env


@pytest.fixture(scope="module")
def current_platform_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bundle")
    try:
        bundle.build(out, [bundle.current_target()], say=lambda _line: None)
    except bundle.BundleError as error:
        if _in_ci():
            raise
        pytest.skip(f"The bundle needs the package index to build: {error}")
    return out


def test_setup_installs_from_the_bundle_with_no_network(current_platform_bundle, tmp_path):
    clone = _clean_copy(tmp_path / "workshop")
    env = _offline_environment(current_platform_bundle / "wheels")
    setup = subprocess.run(
        ["make", "setup", f"BUNDLE={current_platform_bundle}", f"PYTHON={sys.executable}"],
        cwd=clone, env=env, capture_output=True, text=True, timeout=1500,
    )
    assert setup.returncode == 0, setup.stdout[-3000:] + setup.stderr[-3000:]
    assert "--no-index" in setup.stdout and "--offline" in setup.stdout

    python = clone / ".venv" / "bin" / "python"
    imports = "import aws_cdk, boto3, ipywidgets, jupyterlab, moto, voila; import workshop_utils.notebook as ws"
    imports += "; print(ws.__file__)"
    imported = subprocess.run([str(python), "-c", imports], cwd=clone, env=env, capture_output=True, text=True)
    assert imported.returncode == 0, imported.stderr[-3000:]
    assert Path(imported.stdout.strip()).is_relative_to(clone)

    cdk = subprocess.run(
        ["npx", "--no-install", "cdk", "--version"], cwd=clone, env=env, capture_output=True, text=True
    )
    assert cdk.returncode == 0, cdk.stderr[-2000:]
    pinned = json.loads((REPO_ROOT / "package.json").read_text())["devDependencies"]["aws-cdk"]
    assert cdk.stdout.startswith(pinned)
