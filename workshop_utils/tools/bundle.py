"""`make bundle`: every learner platform's wheels and the pinned CDK CLI in one folder, for a set-up with no network."""

from __future__ import annotations

import argparse
import json
import platform
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterable
from email.parser import HeaderParser
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name, parse_wheel_filename

from workshop_utils.repo import REPO_ROOT
from workshop_utils.tools.platforms import Target, applies, linux, macos_arm64, macos_x86_64, read_requirements

# `pip install -e .` builds in an isolated environment that needs the build backend, offline too.
BUILD_REQUIREMENTS = ("setuptools>=68",)
# pip's own words for a wheel it picked: new, or found in the destination folder already.
_PICKED = re.compile(r"^\s*(?:Saved|File was already downloaded) (?P<path>\S+\.whl)\s*$")

Run = Callable[..., subprocess.CompletedProcess]


class BundleError(RuntimeError):
    """The bundle could not be built; the message says what to do."""


PYTHONS = ("3.11.5", "3.12.0", "3.13.0")
TARGETS: tuple[Target, ...] = tuple(
    make(python)
    for make in (macos_arm64, macos_x86_64, lambda p: linux("x86_64", p), lambda p: linux("aarch64", p))
    for python in PYTHONS
)


def current_target(system: str | None = None, machine: str | None = None) -> Target:
    """The target this machine is (to build a small bundle for a test); `system` and `machine` default to this one."""
    python = PYTHONS[[p.startswith(f"{sys.version_info[0]}.{sys.version_info[1]}.") for p in PYTHONS].index(True)]
    system = system or sys.platform
    machine = (machine or platform.machine()).lower()
    # An Intel Mac (or an x86_64 Python under Rosetta) reports x86_64 and needs x86_64 wheels.
    if system == "darwin" and machine in ("x86_64", "arm64"):
        return macos_x86_64(python) if machine == "x86_64" else macos_arm64(python)
    if system == "linux" and machine in ("x86_64", "aarch64", "arm64"):
        return linux("aarch64" if machine == "arm64" else machine, python)
    raise BundleError(f"This machine ({system} {machine}) is not a learner platform: build the bundle on "
                      "Linux or macOS.")


# ---------------------------------------------------------------- requirements and markers (pure)


def requires_dist(wheel: Path) -> list[str]:
    """The Requires-Dist lines of a wheel's METADATA."""
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.count("/") == 1 and n.endswith(".dist-info/METADATA"))
        metadata = HeaderParser().parsestr(archive.read(name).decode("utf-8", errors="replace"))
    return metadata.get_all("Requires-Dist") or []


def request_line(name: str, asks: list[Requirement]) -> str:
    """One pip line for everything asked of `name` (extras are ours to follow, so left out)."""
    specifier = asks[0].specifier
    for ask in asks[1:]:
        specifier &= ask.specifier
    return f"{name}{specifier}"


def picked_wheels(pip_output: str) -> list[Path]:
    """The wheels pip reported it saved or found already downloaded."""
    return [Path(match["path"]) for line in pip_output.splitlines() if (match := _PICKED.match(line))]


# ---------------------------------------------------------------- downloading


def _pip_download(target: Target, lines: list[str], constraints: Path, dest: Path, run: Run) -> list[Path]:
    requirements = dest.parent / f".request-{target.sys_platform}-{target.machine}-{target.python}.txt"
    requirements.write_text("\n".join(lines) + "\n")
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--implementation",
               "cp", "--python-version", target.python, "--dest", str(dest), "-r", str(requirements),
               "-c", str(constraints)]
    for tag in target.platforms:
        command += ["--platform", tag]
    done = run(command, capture_output=True, text=True, check=False)
    requirements.unlink(missing_ok=True)
    if done.returncode != 0:
        errors = [line for line in done.stderr.splitlines() if line.startswith("ERROR")] or done.stderr.splitlines()
        raise BundleError(f"No wheel for {target.name}: {' '.join(errors[-2:]).strip()} Check the network (or "
                          "pip's index settings) and run `make bundle` again.")
    return picked_wheels(done.stdout)


def download_wheels(
    target: Target, requirements: Path, constraints: Path, dest: Path, *, run: Run = subprocess.run
) -> dict[str, Path]:
    """Every wheel `target` needs for `requirements`, walking dependencies with the target's own markers.

    pip judges markers by the interpreter running it, even with --platform: so pip fetches one layer at a
    time with --no-deps, and the next layer is read from the wheels' metadata, judged for the target.
    """
    dest.mkdir(parents=True, exist_ok=True)
    unmarked = dest.parent / ".constraints.txt"  # pip would drop a pin whose marker fails on this machine
    unmarked.write_text("".join(f"{r.name}{r.specifier}\n" for r in read_requirements(constraints)))
    asks: dict[str, list[Requirement]] = {}
    extras: dict[str, set[str]] = {}
    walked: dict[str, set[str]] = {}
    picked: dict[str, Path] = {}
    layer = [r for r in read_requirements(requirements) if applies(r, target)]
    layer += [Requirement(line) for line in BUILD_REQUIREMENTS]
    while layer:
        for requirement in layer:
            key = canonicalize_name(requirement.name)
            asks.setdefault(key, []).append(requirement)
            extras.setdefault(key, {""}).update(requirement.extras)
        missing = sorted(key for key in asks if key not in picked)
        if missing:
            for wheel in _pip_download(target, [request_line(k, asks[k]) for k in missing], unmarked, dest, run):
                picked[canonicalize_name(parse_wheel_filename(wheel.name)[0])] = wheel
        absent = [key for key in missing if key not in picked]
        if absent:
            raise BundleError(f"pip picked no wheel for {', '.join(absent)} on {target.name}: run `make bundle` "
                              "again, and report it if it persists.")
        layer = []
        for key, wheel in picked.items():
            new = extras[key] - walked.setdefault(key, set())
            if new:
                walked[key] |= new
                layer += [d for d in map(Requirement, requires_dist(wheel)) if applies(d, target, new)]
    unmarked.unlink(missing_ok=True)
    return picked


def cache_npm_packages(lock: Path, cache: Path, *, run: Run = subprocess.run) -> list[str]:
    """Every package of package-lock.json in an npm cache folder, for `npm ci --offline --cache <folder>`."""
    packages = json.loads(lock.read_text()).get("packages", {})
    specs = [
        f"{path.rsplit('node_modules/', 1)[1]}@{entry['version']}"
        for path, entry in sorted(packages.items())
        if path and "version" in entry and not entry.get("link")
    ]
    npm = shutil.which("npm")
    if npm is None:
        raise BundleError("npm was not found on the PATH: install Node.js 20 or newer, then run `make bundle` again.")
    for spec in specs:
        done = run([npm, "cache", "add", spec, "--cache", str(cache)], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise BundleError(f"npm could not fetch {spec} ({done.stderr.strip()[-200:]}): check the network and "
                              "run `make bundle` again.")
    return specs


def build(out: Path, targets: Iterable[Target], *, root: Path = REPO_ROOT, say: Callable[[str], None] = print) -> dict:
    """Write `out`/wheels (every target's wheels, shared when pure) and `out`/npm-cache; returns the manifest."""
    wheels = out / "wheels"
    manifest: dict = {"targets": {}, "npm": []}
    for target in targets:
        say(f"Wheels for {target.name} ...")
        picked = download_wheels(target, root / "requirements.txt", root / "constraints.txt", wheels)
        manifest["targets"][target.name] = sorted(path.name for path in picked.values())
    say("npm packages of package-lock.json ...")
    manifest["npm"] = cache_npm_packages(root / "package-lock.json", out / "npm-cache")
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2))
    size = sum(path.stat().st_size for path in out.rglob("*") if path.is_file())
    say(f"Bundle ready in {out} ({size / 1e6:.0f} MB): copy it next to the workshop and run `make setup BUNDLE={out}`.")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "bundle", help="the bundle folder (default: bundle/)")
    parser.add_argument("--current-platform-only", action="store_true", help="only this machine's platform and Python")
    args = parser.parse_args(argv)
    try:
        build(args.out.resolve(), [current_target()] if args.current_platform_only else TARGETS)
    except BundleError as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
