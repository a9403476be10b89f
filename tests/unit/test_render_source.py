"""Source code on the page: finding a definition or a region, highlighting it, and the refactoring view."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from workshop_utils.render import CodeSide, code_side, refactoring_html, source_html
from workshop_utils.teaching import refactoring, source_code

SAMPLE = '''"""A module."""


class Stack:
    """A stack."""

    def build(self) -> None:
        topic = make_topic()
        # region: wiring
        subscribe(topic)
        # endregion
        # trailing note of build


def helper() -> int:
    return 1
'''
EVIL = "<script>alert('x')</script>\"&"


@pytest.fixture
def repo(tmp_path):
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "sample.py").write_text(SAMPLE)
    return tmp_path


def test_a_method_by_qualified_name_keeps_the_files_numbering_and_its_trailing_comments(repo):
    snippet = source_code.read_snippet("infra/sample.py", "Stack.build", root=repo)
    assert snippet.first_line == 7
    assert snippet.lines[0].strip() == "def build(self) -> None:"
    assert snippet.lines[-1].strip() == "# trailing note of build"
    assert snippet.last_line == 12


def test_a_region_leaves_its_markers_out(repo):
    snippet = source_code.read_snippet("infra/sample.py", "region:wiring", root=repo)
    assert (snippet.first_line, snippet.lines) == (10, ["        subscribe(topic)"])


def test_lines_are_emphasised_by_text_or_by_number(repo):
    snippet = source_code.read_snippet("infra/sample.py", "Stack", emphasise=("subscribe(", 8), root=repo)
    assert snippet.emphasised == frozenset({8, 10})


@pytest.mark.parametrize(
    ("path", "target", "sentence"),
    [
        ("infra/missing.py", None, "infra/missing.py is not in the workshop folder; restore it with "
                                   "`git checkout infra/missing.py`."),
        ("infra/sample.py", "Stack.destroy", "infra/sample.py has no Stack.destroy; restore the file with "
                                             "`git checkout infra/sample.py`."),
        ("infra/sample.py", "region:nowhere", "infra/sample.py has no region:nowhere; restore the file with "
                                              "`git checkout infra/sample.py`."),
    ],
)
def test_what_is_not_there_is_one_sentence(repo, path, target, sentence):
    with pytest.raises(source_code.SourceNotFound) as raised:
        source_code.read_snippet(path, target, root=repo)
    assert str(raised.value) == sentence


def test_a_file_with_a_syntax_error_is_one_sentence(repo):
    (repo / "infra" / "broken.py").write_text("def wire(parts)\n    pass\n")
    with pytest.raises(source_code.SourceNotFound) as raised:
        source_code.read_snippet("infra/broken.py", "wire", root=repo)
    assert str(raised.value) == (
        "infra/broken.py has a syntax error on line 1 (expected ':'): fix that line and save the file."
    )


def test_the_real_wiring_regions_cover_the_whole_function():
    function = source_code.read_snippet("infra/sns_wiring.py", "wire_scatter_gather")
    regions = [source_code.read_snippet("infra/sns_wiring.py", f"region:{name}")
               for name in ("scatter", "responders", "gather")]
    assert all(function.first_line < region.first_line and region.last_line < function.last_line
               for region in regions)
    assert any("SnsDestination(" in line for line in regions[0].lines)
    assert any("add_subscription(" in line for line in regions[1].lines)
    assert any("SqsEventSource(" in line for line in regions[2].lines)


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def test_source_html_is_highlighted_numbered_and_self_contained(repo):
    snippet = source_code.read_snippet("infra/sample.py", "Stack.build", emphasise=("subscribe(",), root=repo)
    page = source_html(snippet.path, snippet.lines, first_line=snippet.first_line, emphasised=snippet.emphasised)
    ET.fromstring(f"<root>{page}</root>")  # well-formed
    assert "<script" not in page and "http" not in page and "class=\"highlight\"" in page
    assert "infra/sample.py, lines 7–12" in _text(page)
    emphasised = re.findall(r'<span style="background-color: #fff5b1">(.*?)\n</span>', page, re.S)
    assert len(emphasised) == 1 and "subscribe" in _text(emphasised[0]) and "10" in _text(emphasised[0])
    assert "def build" in _text(page).replace("&gt;", ">")  # dedented, still the code


def test_source_html_escapes_what_it_shows():
    page = source_html(EVIL, [f"x = {EVIL!r}"], title=EVIL)
    ET.fromstring(f"<root>{page}</root>")
    assert "<script" not in page


def test_the_refactoring_view_shows_both_sides_and_every_job():
    sides = [code_side(ref.title, source_code.read_snippet(ref.path, ref.target, emphasise=ref.emphasise))
             for ref in (refactoring.BEFORE, refactoring.AFTER)]
    page = refactoring_html(*sides, refactoring.jobs_rows())
    ET.fromstring(f"<root>{page}</root>")
    text = _text(page)
    assert "infra/parallel_stack.py" in text and "infra/sns_wiring.py" in text
    for job in refactoring.JOBS:
        assert job.job in text.replace("&amp;", "&")
    assert page.count("<tr>") == len(refactoring.JOBS) + 1  # and the header row
    # The lines that scatter and gather are marked on both sides.
    assert all(side.emphasised for side in sides)
    assert "<script" not in page and "http" not in page


def test_every_job_says_what_replaces_it_and_what_is_lost():
    names = [job.job for job in refactoring.JOBS]
    for needed in ("Fan-out", "Wait for all", "Per-branch errors", "Result order", "One place to look"):
        assert any(name.startswith(needed) for name in names)
    assert all(job.parallel and job.sns and job.lost for job in refactoring.JOBS)


def test_a_code_side_is_plain_data():
    side = CodeSide("t", "p.py", ["a = 1"], 3, frozenset({3}))
    assert "p.py, line 3" in _text(refactoring_html(side, side, []))
