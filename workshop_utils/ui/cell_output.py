"""What a notebook cell writes to its output: HTML, a live widget kept as static HTML too, a check's verdict."""

from __future__ import annotations

from IPython.display import HTML, display

from workshop_utils.ui import views


def show(html_text: str) -> None:
    """Show HTML in the running cell's output."""
    display(HTML(html_text))


def _live_bundle(widget: object, parts: list, title: str) -> dict:
    # The live widget for JupyterLab, plus what its parts show now as plain HTML for saved and exported copies
    # (an exported page has no widget manager offline; the headless run's copies prefer text/html).
    bundle = dict(widget._repr_mimebundle_() or {})  # type: ignore[attr-defined]
    shown = "".join(part.value for part in parts)
    bundle["text/html"] = views.section(title, shown) if shown else ""
    return bundle


def show_live(widget: object, parts: list, title: str) -> None:
    """Display a widget whose HTML `parts` are also kept, as they change, in the notebook's static output."""
    handle = display(_live_bundle(widget, parts, title), raw=True, display_id=True)

    def refresh(_change: object) -> None:
        if handle is not None:
            handle.update(_live_bundle(widget, parts, title), raw=True)

    for part in parts:
        part.observe(refresh, names="value")


def verdict(ok: bool, sentence: str) -> None:
    """A check's verdict: ticked when it passed, else crossed (the sentence then says what to do)."""
    # "check-failed" marks a learner's state that needs fixing; the headless notebook run fails on it.
    if ok:
        show(views.message_html("✔ " + sentence, kind="success"))
    else:
        show(views.message_html("✘ " + sentence, kind="error", css_class="check-failed"))


def message(text: str, *, kind: str = "info") -> None:
    """Show a one-line message (info, success or error)."""
    show(views.message_html(text, kind=kind))
