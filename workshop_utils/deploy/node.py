"""The Node.js the CDK CLI needs: its version read, and how to install it on this machine."""

from __future__ import annotations

import platform
import sys


def node_major(version: str | None) -> int | None:
    """20 for "v20.11.1"; None when the text is not a Node version."""
    head = (version or "").strip().lstrip("v").split(".")[0]
    return int(head) if head.isdigit() else None


def node_install_hint(system: str = sys.platform, machine: str = "") -> str:
    """How to install Node.js 22 here, for a sentence: on a Mac, Homebrew's keg-only node@22 put on the PATH."""
    if system != "darwin":
        return "from nodejs.org, NodeSource or `nvm install 22`"
    # Homebrew lives in /opt/homebrew on Apple silicon and in /usr/local on an Intel Mac.
    prefix = "/usr/local" if (machine or platform.machine()) == "x86_64" else "/opt/homebrew"
    return (f"`brew install node@22`, then, as brew's node@22 is keg-only, put it on your PATH with "
            f"`echo 'export PATH=\"{prefix}/opt/node@22/bin:$PATH\"' >> ~/.zshrc` and open a new terminal")
