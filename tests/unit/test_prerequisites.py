"""The set-up checklist: each row says whether it is met, and every row carries its fix."""

from __future__ import annotations

import pytest

from workshop_utils.teaching import prerequisites
from workshop_utils.teaching.prerequisites import check_python, node_major


def test_every_row_has_a_fix_to_show():
    checks = prerequisites.check_all(include_local_cloud=False)
    assert [c.name for c in checks][:2] == ["Python 3.11.5+", "Node.js 20+"]
    assert all(c.fix.strip() for c in checks)


@pytest.mark.parametrize(("version", "ok"), [((3, 11, 4), False), ((3, 11, 5), True), ((3, 13, 1), True),
                                             ((3, 10, 12), False)])
def test_python_from_3_11_5(version, ok):
    check = check_python(version)
    assert check.ok is ok and check.found == ".".join(map(str, version))
    assert "make setup" in check.fix


@pytest.mark.parametrize(("text", "major"), [("v20.11.1", 20), ("v18.0.0", 18), ("", None), (None, None),
                                             ("node: not found", None)])
def test_node_major_version(text, major):
    assert node_major(text) == major


def test_a_missing_node_is_red_with_its_fix(monkeypatch):
    monkeypatch.setattr(prerequisites.shutil, "which", lambda name: None)
    check = prerequisites.check_node()
    assert (check.ok, check.found) == (False, "not found") and "nodejs.org" in check.fix


@pytest.mark.parametrize(("machine", "prefix"), [("arm64", "/opt/homebrew"), ("x86_64", "/usr/local")])
def test_on_a_mac_node_is_brews_keg_only_node_22_put_on_the_path(machine, prefix):
    hint = prerequisites.node_install_hint("darwin", machine)
    assert hint.startswith("`brew install node@22`") and "keg-only" in hint
    assert f"`echo 'export PATH=\"{prefix}/opt/node@22/bin:$PATH\"' >> ~/.zshrc`" in hint


def test_elsewhere_node_comes_from_nodejs_org_or_nvm():
    assert prerequisites.node_install_hint("linux") == "from nodejs.org, NodeSource or `nvm install 22`"
