"""The cleanup tables: well-formed, escaped, counts coloured by what became of the resources."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from workshop_utils.render.cleanup import cleanup_table_html

EVIL = "<script>alert('x')</script>\"&"


def cells(html: str) -> list[ET.Element]:
    return list(ET.fromstring(html).iter("td"))


def test_counts_are_coloured_by_state_and_zeros_are_muted():
    html = cleanup_table_html(
        [{"type": "AWS::KMS::Key", "deployed": 1, "gone": 0, "pending deletion": 1, "still there": 0}], title="After"
    )
    by_column = dict(zip(["type", "deployed", "gone", "pending deletion", "still there"], cells(html), strict=True))
    assert "#fff8c5" in by_column["pending deletion"].get("style")  # amber: AWS will finish it
    assert "#59636e" in by_column["gone"].get("style") and "#ffebe9" not in by_column["still there"].get("style")
    assert by_column["deployed"].text == "1"


def test_hostile_text_is_escaped_and_commands_read_as_code():
    html = cleanup_table_html([{"what": EVIL, "what ends it": f"run `aws kms describe-key --key-id {EVIL}`"}],
                              title=EVIL)
    assert "<script>" not in html and "http" not in html
    (code,) = ET.fromstring(html).iter("code")
    assert code.text == f"aws kms describe-key --key-id {EVIL}"


def test_no_rows_say_so():
    assert "Nothing to show." in "".join(ET.fromstring(cleanup_table_html([], title="Kept")).itertext())
