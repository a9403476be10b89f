"""Where the checkout's generated files go: cdk.out/ and build/ (the CDK assembly, stack outputs, warm synth records).

The checkout itself, unless WORKSHOP_OUTPUT_DIR names another folder. The tests set it when they run side by
side (pytest-xdist): each worker's notebook kernels and CDK runs then have a cdk.out, build/ and warm synth of
their own, as two checkouts would.
"""

from __future__ import annotations

import os
from pathlib import Path

from workshop_utils.deploy.fingerprint import REPO_ROOT

OUTPUT_DIR_ENV = "WORKSHOP_OUTPUT_DIR"


def output_dir(root: Path = REPO_ROOT) -> Path:
    """The folder holding `root`'s cdk.out/ and build/: the setting for this checkout, else `root` itself.

    Only the checkout's own outputs move: another root (a copy of the app, a test's fake repo) keeps its own.
    """
    configured = os.environ.get(OUTPUT_DIR_ENV, "").strip()
    if configured and Path(root).resolve() == REPO_ROOT.resolve():
        return Path(configured).expanduser().resolve()
    return Path(root)
