"""`cdk diff` output read as data (the resources it adds, removes and changes, the values that change) and shown."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from workshop_utils.deploy.output import is_noise
from workshop_utils.deploy.progress import strip_ansi
from workshop_utils.render import diff as diff_view

_RESOURCE = re.compile(r"^\[(?P<op>[+\-~])\]\s+(?P<type>\S+::\S+)\s+(?P<path>\S+)(?:\s+(?P<logical>\S+))?")
# A changed property is a [~] line directly under its resource; deeper [~] lines name nested keys (".Variables:")
# and [-]/[+] lines carry the old and new values.
_PROPERTY = re.compile(r"^\s?[├└]─\s\[~\]\s+(?P<name>[A-Za-z]\w*)\s*$")
_VALUE = re.compile(r"^[\s│├└─]*\[(?P<op>[+\-])\]\s+(?P<value>.+)$")
_NESTED = re.compile(r"^[\s│├└─]*\[~\]\s+\.(?P<name>[\w-]+):?\s*$")


@dataclass
class ResourceChange:
    """One resource in a `cdk diff`: added (+), removed (-) or changed (~), and the properties that change."""

    op: str
    resource_type: str
    path: str
    properties: list[str] = field(default_factory=list)
    values: dict[str, tuple[str, str]] = field(default_factory=dict)  # a changed leaf: (old, new)

    @property
    def name(self) -> str:
        """The construct path, without CDK's "/Resource" leaf or an event source's queue suffix."""
        return "/".join(part.split(":")[0] for part in self.path.removesuffix("/Resource").split("/"))


def diff_resources(text: str) -> list[ResourceChange]:
    """The resources of a `cdk diff`'s Resources section (ANSI colours already stripped)."""
    changes: list[ResourceChange] = []
    in_resources = in_hunk = False
    leaf = old = ""
    for line in text.splitlines():
        stripped = line.strip()
        if not line.startswith((" ", "│", "├", "└")) and stripped and not stripped.startswith("["):
            in_resources = stripped == "Resources"
            continue
        if not in_resources:
            continue
        if match := _RESOURCE.match(line):
            changes.append(ResourceChange(match.group("op"), match.group("type"), match.group("path")))
            in_hunk = False
            continue
        if not changes or changes[-1].op != "~":
            continue
        current = changes[-1]
        if "@@" in line:  # a text diff of a long value (a policy, a definition): its lines are not leaves
            in_hunk = True
        elif match := _NESTED.match(line):
            leaf = match.group("name")
        elif (match := _PROPERTY.match(line)) and not in_hunk:
            current.properties.append(match.group("name"))
            leaf = match.group("name")
        elif (match := _VALUE.match(line)) and not in_hunk:
            if match.group("op") == "-":
                old = match.group("value").strip()
            else:
                current.values[leaf] = (old, match.group("value").strip())
                old = ""
    return changes


_COUNTED = {"+": "added", "-": "removed", "~": "changed"}


def resource_changes(diff_text: str) -> dict[str, int]:
    """How many resources the diff adds, removes and changes (the Resources sections' top-level lines)."""
    counts = dict.fromkeys(_COUNTED.values(), 0)
    for change in diff_resources(strip_ansi(diff_text or "")):
        counts[_COUNTED[change.op]] += 1
    return counts


def diff_html(diff_text: str) -> str:
    """What `cdk diff` printed, as a learner reads it: the CLI's notices dropped, headed by the resources counted."""
    raw = strip_ansi(diff_text or "").replace("\r\n", "\n")
    text = "\n".join(line for line in raw.split("\n") if not is_noise(line))
    return diff_view.diff_html(text, resource_changes(text))
