"""The platforms learners bring: the wheel tags each accepts and the environment markers it sees (PEP 508).

pip judges environment markers by the interpreter running it, even with --platform, so the offline bundle and
the wheels-only test evaluate them here, for the target.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import Requirement

# The newest glibc a supported Linux is sure to have (Ubuntu 22.04, WSL2's default, has 2.35) and the newest
# macOS a supported Mac needs at most: a wheel built only for newer systems would leave learners behind.
GLIBC_CEILING = 35
MACOS_CEILING = 14


@dataclass(frozen=True)
class Target:
    """A platform and Python a learner may bring: the wheel tags it accepts and the values its markers see."""

    os_label: str
    python: str  # what pip's --python-version gets: "3.11.5" (the lowest the workshop supports) or "3.12"
    sys_platform: str
    platform_system: str
    machine: str
    platforms: tuple[str, ...]

    @property
    def name(self) -> str:
        return f"{self.os_label}, Python {self.python}"

    def environment(self, extra: str = "") -> dict[str, str]:
        """The marker environment of this target, with `extra` set as a package's metadata evaluates it."""
        parts = self.python.split(".")
        full = ".".join((parts + ["0"])[:3])
        return {
            "implementation_name": "cpython",
            "implementation_version": full,
            "os_name": "posix",
            "platform_machine": self.machine,
            "platform_python_implementation": "CPython",
            "platform_release": "",
            "platform_system": self.platform_system,
            "platform_version": "",
            "python_full_version": full,
            "python_version": ".".join(parts[:2]),
            "sys_platform": self.sys_platform,
            "extra": extra,
        }


def macos_arm64(python: str) -> Target:
    # Apple silicon runs macOS 11 or later; universal2 wheels count, including those tagged for 10.x.
    tags = [f"macosx_{major}_0_arm64" for major in range(11, MACOS_CEILING + 1)]
    tags += [f"macosx_10_{minor}_universal2" for minor in range(9, 17)]
    tags += [f"macosx_{major}_0_universal2" for major in range(11, MACOS_CEILING + 1)]
    return Target("macOS arm64", python, "darwin", "Darwin", "arm64", tuple(tags))


def macos_x86_64(python: str) -> Target:
    # An Intel Mac on a supported macOS (12 or later) takes x86_64 wheels down to macOS 10.9, and universal2 ones.
    tags = [f"macosx_10_{minor}_x86_64" for minor in range(9, 17)]
    tags += [f"macosx_{major}_0_x86_64" for major in range(11, MACOS_CEILING + 1)]
    tags += [f"macosx_10_{minor}_universal2" for minor in range(9, 17)]
    tags += [f"macosx_{major}_0_universal2" for major in range(11, MACOS_CEILING + 1)]
    return Target("macOS x86_64", python, "darwin", "Darwin", "x86_64", tuple(tags))


def linux(machine: str, python: str) -> Target:
    # pip does not widen a manylinux_2_N tag to older glibc releases by itself, so each one is listed.
    tags = [f"manylinux_2_{minor}_{machine}" for minor in range(5, GLIBC_CEILING + 1)]
    tags.append(f"manylinux2014_{machine}")
    if machine == "x86_64":
        tags += [f"manylinux2010_{machine}", f"manylinux1_{machine}"]
    return Target(f"Linux {machine}", python, "linux", "Linux", machine, tuple(tags))


def read_requirements(path: Path) -> list[Requirement]:
    """The requirement lines of a pip requirements file, following `-r` includes, markers kept."""
    requirements: list[Requirement] = []
    for raw in path.read_text().splitlines():
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith(("-r ", "--requirement ")):
            requirements += read_requirements(path.parent / line.split(maxsplit=1)[1])
        elif line.startswith("-"):
            raise ValueError(f"{path.name}: the option line {line!r} is not understood here; "
                             "list plain requirements there.")
        else:
            requirements.append(Requirement(line))
    return requirements


def applies(requirement: Requirement, target: Target, extras: Iterable[str] = ("",)) -> bool:
    """Whether `requirement` is needed on `target` when its parent is installed with `extras` ("" for none)."""
    return requirement.marker is None or any(requirement.marker.evaluate(target.environment(e)) for e in extras)
