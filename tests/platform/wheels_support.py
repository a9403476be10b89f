"""Resolve the pinned requirements wheels-only for another platform, with environment markers evaluated for it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

from workshop_utils.tools.platforms import Target, applies, linux, macos_arm64, macos_x86_64, read_requirements

# pip settings that would make the resolution depend on this machine (a local wheel folder, extra local indexes,
# a machine-wide constraints file) rather than on the package index a learner's laptop sees.
MACHINE_PIP_SETTINGS = ("PIP_FIND_LINKS", "PIP_EXTRA_INDEX_URL", "PIP_CONSTRAINT", "PIP_NO_INDEX", "PIP_REQUIREMENT")


TARGETS: tuple[Target, ...] = (
    macos_arm64("3.11.5"),
    macos_arm64("3.12"),
    macos_arm64("3.13"),
    macos_x86_64("3.11.5"),
    macos_x86_64("3.12"),
    macos_x86_64("3.13"),
    linux("x86_64", "3.12"),
    linux("x86_64", "3.13"),
    linux("aarch64", "3.12"),
    linux("aarch64", "3.13"),
)


def without_marker(requirement: Requirement) -> str:
    """The requirement as a pip line with its marker dropped (pip would evaluate it for this machine instead)."""
    extras = f"[{','.join(sorted(requirement.extras))}]" if requirement.extras else ""
    return f"{requirement.name}{extras}{requirement.specifier}"


@dataclass(frozen=True)
class Resolved:
    """One distribution pip picked: its version, the file it would install and what its metadata requires."""

    name: str
    version: str
    url: str
    requires_dist: tuple[str, ...]
    requires_python: str | None = None


@dataclass
class Wanted:
    """Everything asked of one distribution across the tree: extras, and each specifier with who asked."""

    name: str
    extras: set[str] = field(default_factory=set)
    asks: list[tuple[SpecifierSet, str]] = field(default_factory=list)

    def request_line(self) -> str:
        combined = SpecifierSet()
        for specifier, _ in self.asks:
            combined &= specifier
        extras = f"[{','.join(sorted(self.extras))}]" if self.extras else ""
        return f"{self.name}{extras}{combined}"


def wanted_closure(
    top: Iterable[Requirement], resolved: Mapping[str, Resolved], target: Target
) -> dict[str, Wanted]:
    """Every distribution the target needs, walking the resolved ones' Requires-Dist with the target's markers."""
    wanted: dict[str, Wanted] = {}
    walked: dict[str, set[str]] = {}  # extras whose dependencies were already queued, per name
    queue: list[tuple[Requirement, str]] = [(req, "the requirements files") for req in top if applies(req, target)]
    while queue:
        requirement, asked_by = queue.pop()
        key = canonicalize_name(requirement.name)
        entry = wanted.setdefault(key, Wanted(requirement.name))
        entry.extras |= requirement.extras
        entry.asks.append((requirement.specifier, asked_by))
        dist = resolved.get(key)
        if dist is None:
            continue
        extras = ({""} | entry.extras) - walked.setdefault(key, set())
        if not extras:
            continue
        walked[key] |= extras
        for line in dist.requires_dist:
            dependency = Requirement(line)
            if applies(dependency, target, extras):
                queue.append((dependency, f"{dist.name} {dist.version}"))
    return wanted


def problems(wanted: Mapping[str, Wanted], resolved: Mapping[str, Resolved]) -> list[str]:
    """What is wrong with a finished resolution: a dependency missing, a version outside what asked, an sdist."""
    found: list[str] = []
    for key, entry in sorted(wanted.items()):
        dist = resolved.get(key)
        if dist is None:
            found.append(f"{entry.name} is needed but was not resolved")
            continue
        if not dist.url.endswith(".whl"):
            found.append(f"{dist.name} {dist.version} would be built from {dist.url.rsplit('/', 1)[-1]}")
        for specifier, asked_by in entry.asks:
            if not specifier.contains(dist.version, prereleases=True):
                found.append(f"{dist.name} {dist.version} does not satisfy {asked_by}'s {entry.name}{specifier}")
    return found


def pip_environment() -> dict[str, str]:
    """This process's environment for pip, minus every setting that points pip at this machine's own files."""
    env = {key: value for key, value in os.environ.items() if key not in MACHINE_PIP_SETTINGS}
    env["PIP_CONFIG_FILE"] = os.devnull  # pip reads no pip.conf (system, user or site) when this is devnull
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def index_reachable(timeout: int = 20) -> bool:
    """Whether pip can read the package index from here (a small, real query: the versions of pip itself)."""
    command = [sys.executable, "-m", "pip", "index", "versions", "pip", "--retries", "1", "--timeout", str(timeout)]
    try:
        done = subprocess.run(command, env=pip_environment(), capture_output=True, text=True, timeout=timeout * 4)
    except subprocess.TimeoutExpired:
        return False
    return done.returncode == 0


class ResolutionError(RuntimeError):
    """pip could not find a wheel for one of the requested distributions."""


def pip_failure(output: str) -> str:
    """The gist of a failed pip run: which distributions have no wheel here, else pip's own ERROR lines."""
    lines = output.splitlines()
    for number, line in enumerate(lines):
        if "no matching distributions available for your environment" in line:
            names = []
            for following in lines[number + 1:]:
                if not following.startswith((" ", "\t")) or not following.strip():
                    break
                names.append(following.strip())
            return f"no wheel for this platform and Python: {', '.join(names)}"
    errors = [line.strip() for line in lines if line.startswith("ERROR")] or [line for line in lines if line.strip()]
    return " ".join(errors[-3:])


def pip_pass(
    target: Target, lines: Iterable[str], constraints: Path, workdir: Path, round_no: int, *, with_deps: bool = False
) -> list[Resolved]:
    """One `pip install --dry-run` for `target`: which wheel each line gets (and, with_deps, pip's whole tree)."""
    requirements = workdir / f"round{round_no}.txt"
    requirements.write_text("\n".join(lines) + "\n")
    report = workdir / f"round{round_no}.json"
    command = [
        sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed",
        *(() if with_deps else ("--no-deps",)),
        "--only-binary=:all:", "--python-version", target.python, "--implementation", "cp",
        "--target", str(workdir / "target"), "--report", str(report),
        "-r", str(requirements), "-c", str(constraints),
    ]
    for platform in target.platforms:
        command += ["--platform", platform]
    done = subprocess.run(command, env=pip_environment(), capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        raise ResolutionError(pip_failure(done.stdout + "\n" + done.stderr))
    return [
        Resolved(
            name=item["metadata"]["name"],
            version=item["metadata"]["version"],
            url=item["download_info"]["url"],
            requires_dist=tuple(item["metadata"].get("requires_dist", ())),
            requires_python=item["metadata"].get("requires_python"),
        )
        for item in json.loads(report.read_text())["install"]
    ]


def resolve_wheels(target: Target, requirements: Path, constraints: Path, workdir: Path) -> list[str]:
    """Resolve `requirements` under `constraints` for `target`, wheels only; the problems found (none is a pass).

    pip judges environment markers by the interpreter running it, even with --platform, so markers are
    evaluated here for the target: pip's whole tree is a first guess (what the target does not need is ignored),
    then pip resolves what the target's own walk still misses, one layer of the tree a pass, with --no-deps.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    top = [req for req in read_requirements(requirements) if applies(req, target)]
    pins = workdir / "constraints.txt"
    pins.write_text("".join(f"{without_marker(req)}\n" for req in read_requirements(constraints)
                            if applies(req, target)))
    try:
        guess = pip_pass(target, [without_marker(req) for req in top], pins, workdir, 0, with_deps=True)
    except ResolutionError:
        guess = []  # perhaps a dependency only this machine's markers ask for: layer by layer alone decides
    resolved: dict[str, Resolved] = {canonicalize_name(dist.name): dist for dist in guess}
    for round_no in range(1, 30):
        wanted = wanted_closure(top, resolved, target)
        missing = [entry.request_line() for key, entry in sorted(wanted.items()) if key not in resolved]
        if not missing:
            return problems(wanted, resolved)
        try:
            picked = pip_pass(target, missing, pins, workdir, round_no)
        except ResolutionError as error:
            return [str(error)]
        for dist in picked:
            resolved[canonicalize_name(dist.name)] = dist
    return ["the dependency tree did not close after 29 passes of pip"]
