"""`make lab` starts JupyterLab with the workshop's setting overrides: no news pop-up, no update check."""

from __future__ import annotations

import json
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
NOTIFICATION = "@jupyterlab/apputils-extension:notification"


def lab_recipe() -> str:
    makefile = (REPO / "Makefile").read_text()
    return re.search(r"^lab:.*\n\t(?P<recipe>.+)$", makefile, re.MULTILINE)["recipe"]


def test_make_lab_points_jupyterlab_at_the_repos_settings_overrides():
    assert "--LabApp.app_settings_dir=\"$(CURDIR)/.jupyterlab\"" in lab_recipe()  # quoted: a path may hold a space
    overrides = json.loads((REPO / ".jupyterlab" / "overrides.json").read_text())
    assert overrides[NOTIFICATION] == {"fetchNews": "false", "checkForUpdates": False}


def test_the_overridden_settings_exist_in_the_installed_jupyterlab():
    # a renamed setting would silently bring the pop-up back: fail here instead
    import sys

    schema_file = Path(sys.prefix) / "share" / "jupyter" / "lab" / "schemas" / "@jupyterlab" / "apputils-extension"
    properties = json.loads((schema_file / "notification.json").read_text())["properties"]
    assert {"const": "false", "title": "Never"} in properties["fetchNews"]["oneOf"]
    assert properties["checkForUpdates"]["type"] == "boolean"


def test_make_lab_opens_on_the_setup_notebook_not_the_launcher():
    recipe = lab_recipe()
    assert "--notebook-dir=notebooks" in recipe and "--LabApp.default_url=/lab/tree/00_setup.ipynb" in recipe
    assert (REPO / "notebooks" / "00_setup.ipynb").is_file()
