"""The presenter dashboard's page: its widgets and layout, the theme, the note line and both panels drawn."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from html import escape
from urllib.parse import parse_qs

import ipywidgets as widgets

from workshop_utils.quotes.request import CAR_TYPES
from workshop_utils.stage.render import Counters, SideView, axis_end_ms, legend_html, page_css, side_html
from workshop_utils.stage.sides import parallel_rows, parallel_side, sns_rows, sns_side
from workshop_utils.stage.slides import slides_html

SIDES = {"parallel": parallel_side, "sns": sns_side}
TITLES = {"parallel": "Parallel state (orchestration)", "sns": "SNS scatter-gather (choreography)"}
WATCH = {
    "parallel": "Watch: one execution waits for every vendor.",
    "sns": "Watch: no one waits; the aggregator gathers.",
}
FOOTNOTE = ("Times from the click. Failed = without every vendor's quote (left: caught, the execution still "
            "SUCCEEDED; right: timed out at the deadline). Arrows: messages; dashed: on its way.")
SPEEDS = {"Normal": None, "1.5 s per vendor": 1500, "3 s per vendor": 3000}
REPLAY_FACTORS = {"×5 slower": 5, "×10 slower": 10, "×20 slower": 20}
NO_FAILURE = "none"


def query_theme() -> str:
    """The theme asked for in the page's address (?theme=dark|light); Voila hands the kernel its query string."""
    asked = parse_qs(os.environ.get("QUERY_STRING", "")).get("theme", ["dark"])[0]
    return asked if asked in ("dark", "light") else "dark"


class StagePage(widgets.VBox):
    """The page's controls and both panels, each side's view drawn on one shared axis; no requests, no threads."""

    def __init__(self, sides: dict[str, Callable] | None, *, theme: str, vendors: list[str]) -> None:
        self.sides = sides or SIDES
        self._rows = self._idle_rows(vendors)
        self.counters = {name: Counters() for name in self.sides}
        self.views = {name: self._fresh_view(name) for name in self.sides}
        self.panels = {name: widgets.HTML() for name in self.sides}
        self._lock = threading.RLock()  # the views and counters, written by the request threads
        self._fixed_axis: float | None = None  # a replay keeps the measured request's axis
        self.button = widgets.Button(description="Send to both", tooltip="Send to both (S)")
        self.button.add_class("stage-send")
        self.car_type = widgets.Dropdown(options=CAR_TYPES, value="XL", description="Car")
        self.days = widgets.BoundedIntText(value=7, min=1, max=365, description="Days")
        self.reset_button = widgets.Button(description="Reset", tooltip="Reset (R)")
        self.reset_button.add_class("stage-reset")
        self.theme = widgets.ToggleButtons(options=["dark", "light"], value=theme)
        self.speed = widgets.Dropdown(options=list(SPEEDS), value="Normal", description="Stage speed")
        self.speed.add_class("stage-speed")
        self.failing = widgets.Dropdown(options=[NO_FAILURE, *vendors], value=NO_FAILURE,
                                        description="Failing vendor")
        self.failing.add_class("stage-failing")
        self.third_vendor = widgets.Checkbox(value=False, description="Third vendor (Hertz)", indent=False)
        self.note = widgets.HTML(value='<p class="stage-note">Ready. Levers apply live; the next deploy restores '
                                       "cdk.json's settings.</p>")
        self.backlog = widgets.HTML()
        self.replay_button = widgets.Button(description="Replay", tooltip="Replay the last request (L)")
        self.replay_button.add_class("stage-replay")
        self.replay_factor = widgets.Dropdown(options=list(REPLAY_FACTORS), value="×10 slower")
        self.replay_factor.add_class("stage-replay-factor")
        self.save_button = widgets.Button(description="Save run")
        self.replay_file = widgets.FileUpload(accept=".json", multiple=False, description="Open run")
        style = widgets.HTML(page_css())
        style.add_class("stage-style")
        slides = widgets.HTML(slides_html())
        slides.add_class("stage-slides-box")
        title = widgets.HTML('<p class="stage-title">Scatter-gather, side by side</p>')
        top = widgets.HBox([title, self.button, self.car_type, self.days, self.reset_button, self.theme,
                            self.save_button])
        levers_bar = widgets.HBox([self.speed, self.failing, self.third_vendor, self.replay_button,
                                   self.replay_factor, self.replay_file])
        notes_bar = widgets.HBox([self.backlog, self.note])
        for bar in (top, levers_bar, notes_bar):
            bar.add_class("stage-bar")
        columns = widgets.HBox([widgets.Box([self.panels[name]]) for name in self.sides])
        columns.add_class("stage-columns")
        for column in columns.children:
            column.add_class("stage-column")
        footnote = widgets.HTML(f'<p class="stage-footnote">{legend_html()} {FOOTNOTE}</p>')
        super().__init__([style, slides, top, levers_bar, notes_bar, columns, footnote])
        self.add_class("stage-root")
        self._apply_theme()
        self.theme.observe(lambda _c: self._apply_theme(), names="value")

    @staticmethod
    def _idle_rows(vendors: list[str]) -> dict[str, list[str]]:
        """Each architecture's lanes before the first click, so an idle page already shows both."""
        return {"parallel": parallel_rows(vendors), "sns": sns_rows(vendors)} if vendors else {}

    def _fresh_view(self, name: str) -> SideView:
        return SideView(key=name, title=TITLES.get(name, name), watch=WATCH.get(name, ""),
                        counters=self.counters[name], rows=list(self._rows.get(name, [])))

    def _apply_theme(self) -> None:
        for name in ("dark", "light"):
            self.remove_class(f"stage-{name}")
        self.add_class(f"stage-{self.theme.value}")

    @staticmethod
    def _on_axis(view: SideView) -> list[float]:
        """The times a side puts on the shared axis: its lanes up to its end (the deadline waking the
        aggregator seconds after the answer is named at its row's end, not stretched onto the axis)."""
        ends = [lane.end_ms for lane in view.lanes if view.end_ms is None or lane.start_ms <= view.end_ms]
        return ends + ([view.now_ms] if view.now_ms is not None else [])

    def _draw(self, waiting: int) -> None:
        """Both panels on one axis, from the click to the latest moment either side has reached; the backlog."""
        with self._lock:
            ends = [at for view in self.views.values() for at in self._on_axis(view)]
            axis = self._fixed_axis or axis_end_ms(*ends)
            for name, view in self.views.items():
                self.panels[name].value = side_html(view, axis_ms=axis)
            self.backlog.value = (
                f'<span class="stage-backlog" data-backlog="{waiting}">Backlog: {waiting} waiting</span>'
            )

    def _say(self, text: str, kind: str = "info", detail: str = "") -> None:
        title = f' title="{escape(detail)}"' if detail else ""  # the whole story on hover; the line stays short
        self.note.value = f'<p class="stage-note {kind}"{title}>{escape(text)}</p>'
