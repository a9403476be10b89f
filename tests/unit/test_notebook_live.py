"""A live widget keeps what it shows in the notebook's static output, so saved and exported copies show it too."""

from __future__ import annotations

import ipywidgets

from workshop_utils import notebook
from workshop_utils.tools.run_notebooks import write_html
from workshop_utils.ui import cell_output, widgets

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


class FakeHandle:
    def __init__(self, bundles: list[dict]):
        self.bundles = bundles

    def update(self, bundle: dict, raw: bool = False) -> None:
        assert raw
        self.bundles.append(bundle)


def _capture(monkeypatch) -> list[dict]:
    bundles: list[dict] = []

    def fake_display(bundle, raw=False, display_id=False):
        assert raw and display_id
        bundles.append(bundle)
        return FakeHandle(bundles)

    monkeypatch.setattr(cell_output, "display", fake_display)
    return bundles


def test_the_forms_latest_result_is_kept_as_static_html(monkeypatch):
    bundles = _capture(monkeypatch)
    fake = (lambda request: request.days_rental, lambda days: f"<b>{days} days</b>")
    monkeypatch.setitem(widgets.PATTERNS, "parallel", fake)
    form = notebook.request_form("parallel")
    assert WIDGET_VIEW in bundles[0] and bundles[0]["text/html"] == ""  # nothing sent yet
    form.days.value = "4"
    form.button.click()
    assert "<b>4 days</b>" in bundles[-1]["text/html"] and WIDGET_VIEW in bundles[-1]
    form.days.value = "5"
    form.button.click()
    assert "<b>5 days</b>" in bundles[-1]["text/html"] and "4 days" not in bundles[-1]["text/html"]


def test_exported_copies_show_the_static_html_instead_of_an_empty_widget(tmp_path):
    import nbformat

    widget = ipywidgets.HTML("x")
    data = {WIDGET_VIEW: widget._repr_mimebundle_()[WIDGET_VIEW], "text/html": "<p id='static-copy'>kept</p>",
            "text/plain": "HTML(value='x')"}
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "form", outputs=[nbformat.v4.new_output("display_data", data=data)])])
    page = write_html(nb, tmp_path / "copy.html").read_text()
    assert "static-copy" in page


def test_step_functions_refusing_the_input_shows_its_one_sentence_not_a_traceback(monkeypatch):
    from workshop_utils.quotes import triggers

    shown: list[str] = []
    sentence = "Step Functions refused this input: it is larger than 262,144 bytes; send a smaller payload."

    def refuse(payload):
        raise triggers.ExecutionInputRefused(sentence)

    monkeypatch.setattr(triggers, "run_parallel_payload", refuse)
    monkeypatch.setattr(cell_output, "show", shown.append)
    assert notebook.send_invalid_parallel({"data": "x" * 10}) is None
    assert len(shown) == 1 and "error" in shown[0] and "262,144 bytes" in shown[0]
