"""A checkout under a path with a space ("~/Documents/AWS Workshop", an iCloud folder), copied as a Mac copies: `make
lab` sets up (the exercises' link made again), starts the local cloud and JupyterLab, and `make cloud-stop` stops
it, with the caller's AWS variables exported too."""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
import sys
import sysconfig
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.skipif(shutil.which("make") is None, reason="needs make")]
# What a learner's terminal may hold (the README's AWS CLI example): make and the local cloud must not care.
EXPORTED = {"AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_ACCESS_KEY_ID": "dummy", "AWS_SECRET_ACCESS_KEY": "dummy"}


def _copy_checkout(dest: Path) -> None:
    """The checkout's files (tracked and new, not ignored), symlinks kept as links and times kept as they are."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO_ROOT,
                            capture_output=True, text=True, check=True, timeout=60).stdout
    for name in filter(None, listed.split("\0")):
        source, target = REPO_ROOT / name, dest / name
        if not source.exists() and not source.is_symlink():
            continue  # deleted in the working tree
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            target.symlink_to(os.readlink(source))
        else:
            shutil.copy2(source, target)


def _borrowed_venv(venv: Path) -> None:
    """A venv that sees this interpreter's installed packages (no network, seconds), stamped as set up."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    ask = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    done = subprocess.run([str(venv / "bin" / "python"), "-c", ask], capture_output=True, text=True, check=True,
                          timeout=60)
    paths = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    Path(done.stdout.strip(), "borrowed.pth").write_text("".join(f"{path}\n" for path in sorted(paths)))
    # The console scripts `make lab` runs, started as pip starts them when a path has a space: a shebang cannot
    # hold one, so /bin/sh execs the venv's python on the script itself.
    for name in ("jupyter", "jupyter-lab"):
        body = (Path(sys.executable).parent / name).read_text().split("\n", 1)[1]
        script = venv / "bin" / name
        script.write_text(f"#!/bin/sh\n'''exec' \"{venv}/bin/python\" \"$0\" \"$@\"\n' '''\n{body}")
        script.chmod(0o755)
    (venv / ".installed").touch()


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    # Resolved: make's CURDIR and a process's cwd are real paths (macOS's /var/folders is /private/var/folders).
    root = tmp_path_factory.mktemp("laptop").resolve() / "AWS Workshop" / "scatter gather"
    _copy_checkout(root)
    # Copied as macOS's `cp -r` copies: the link notebooks/exercises followed, so a folder of its own.
    (root / "notebooks" / "exercises").unlink()
    shutil.copytree(root / "exercises", root / "notebooks" / "exercises")
    _borrowed_venv(root / ".venv")
    (root / "node_modules").mkdir()
    (root / "node_modules" / ".installed").touch()  # the CDK CLI is not needed to start the local cloud
    yield root
    _make(root, "cloud-stop")


def _make(root: Path, *args: str, **popen: object) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "MAKEFLAGS"}
    env.update(EXPORTED)
    return subprocess.run(["make", "--no-print-directory", *args], cwd=root, env=env, capture_output=True, text=True,
                          timeout=300)


def _wait_for(condition: Callable[[], bool], what: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen within {timeout:.0f} s")
        time.sleep(0.5)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


def test_the_lab_command_keeps_a_spaced_path_in_one_argument(checkout: Path) -> None:
    planned = _make(checkout, "-n", "lab", "JUPYTER_PORT=8899").stdout.splitlines()
    [lab] = [shlex.split(line) for line in planned if " lab --notebook-dir" in line]
    assert f"--LabApp.app_settings_dir={checkout}/.jupyterlab" in lab
    assert "--ServerApp.use_redirect_file=False" in lab  # WSL2: the Windows browser cannot open the redirect file
    [present] = [shlex.split(line) for line in _make(checkout, "-n", "present").stdout.splitlines() if "voila" in line]
    assert present[0].startswith(f"JUPYTER_PATH={checkout}/share/jupyter")


def test_an_offline_bundle_under_a_spaced_path_stays_one_argument(checkout: Path) -> None:
    planned = _make(checkout, "-n", "-W", "requirements.txt", "-W", "package.json", "setup",
                    "BUNDLE=my stick/bundle").stdout.splitlines()
    [install] = [shlex.split(line) for line in planned if "--find-links" in line and "-r requirements" in line]
    assert install[install.index("--find-links") + 1] == f"{checkout}/my stick/bundle/wheels"
    [npm] = [shlex.split(line) for line in planned if line.startswith("npm ci")]
    assert npm[npm.index("--cache") + 1] == f"{checkout}/my stick/bundle/npm-cache"


def test_make_lab_starts_the_local_cloud_and_jupyterlab_there(checkout: Path, free_port: Callable[[], int]) -> None:
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key != "MAKEFLAGS"}
    env.update(EXPORTED, BROWSER="true")  # no browser opens
    lab = subprocess.Popen(["make", "--no-print-directory", "lab", f"JUPYTER_PORT={port}"], cwd=checkout, env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        _wait_for(lambda: _answers(f"http://127.0.0.1:{port}/api") or lab.poll() is not None, "JupyterLab answering")
        assert lab.poll() is None, lab.stdout.read() if lab.stdout else ""
        status = _make(checkout, "cloud-status")
        assert status.returncode == 0 and "running and healthy" in status.stdout, status.stdout + status.stderr
        [server] = [child for child in psutil.Process(lab.pid).children(recursive=True)
                    if any("jupyter" in part and part.endswith("lab") for part in child.cmdline()[:3])]
        assert server.cwd() == str(checkout)
        assert (checkout / ".local_cloud").is_dir()  # the local cloud's state is the spaced checkout's own
        assert (checkout / "notebooks" / "exercises").is_symlink()  # setup put the copied folder's link back
    finally:
        os.killpg(lab.pid, signal.SIGTERM)
        lab.wait(timeout=60)
    stopped = _make(checkout, "cloud-stop")
    assert stopped.returncode == 0, stopped.stderr
    assert "not running" in _make(checkout, "cloud-status").stdout
