"""The presenter dashboard: both patterns side by side on one clock, with live levers, a replay and a reset."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import ipywidgets as widgets

from workshop_utils.cloud import stacks
from workshop_utils.stage import levers as live_levers
from workshop_utils.stage import runs
from workshop_utils.stage.claim import StageClaim
from workshop_utils.stage.lever_controls import LeverControls
from workshop_utils.stage.page import NO_FAILURE, SPEEDS, StagePage, query_theme
from workshop_utils.stage.replay import ReplayControls
from workshop_utils.stage.request_loop import RequestLoop
from workshop_utils.ui import views
from workshop_utils.ui.widgets import error_html

__all__ = ["PresenterDashboard", "presenter_dashboard", "query_theme"]


class PresenterDashboard(LeverControls, ReplayControls, RequestLoop, StagePage):
    """Both patterns side by side on one clock; a queue of clicks and lever changes, worked one at a time."""

    def __init__(self, sides: dict[str, Callable] | None = None, *, levers: object = live_levers,
                 theme: str = "dark", vendors: list[str] | None = None, claim: StageClaim | None = None,
                 runs_folder: Path | None = None) -> None:
        StagePage.__init__(self, sides, theme=theme, vendors=vendors or [])
        self._init_loop(claim)
        self._init_replay(runs_folder)
        self._init_levers(levers)
        self.button.on_click(lambda _b: self.send())
        self.reset_button.on_click(lambda _b: self.reset())
        self.replay_button.on_click(lambda _b: self.replay())
        self.save_button.on_click(lambda _b: self.save_run())
        self.replay_file.observe(lambda _c: self._replay_upload(), names="value")
        self.speed.observe(lambda _c: self._queue_levers(), names="value")
        self.failing.observe(lambda _c: self._queue_levers(), names="value")
        self.third_vendor.observe(lambda _c: self._queue_deploy(), names="value")
        if self.claim is not None:
            self.claim.take()
        self._redraw()
        self._start_worker()


def presenter_dashboard(theme: str | None = None) -> widgets.Widget:
    """The dashboard, or what to deploy first when a stack is missing. The page takes the stage (an older
    page's kernel stops acting) and shows the levers as deployed and set now."""
    try:
        missing = [name for name in stacks.STACKS if not stacks.is_deployed(name)]
    except Exception as error:  # e.g. the local cloud is stopped: say so on the page
        return widgets.HTML(error_html(error))
    if missing:
        return widgets.HTML(
            views.message_html(
                f"Deploy {' and '.join(missing)} first: run notebooks 01 and 02, then reload this page.",
                kind="error",
            )
        )
    live_levers.warm_up()  # the third-vendor switch then synthesizes in a second instead of ten
    vendors = list(live_levers.responders())
    dashboard = PresenterDashboard(theme=theme or query_theme(), vendors=vendors, claim=StageClaim(),
                                   runs_folder=runs.runs_dir())
    latency, failing = live_levers.current()
    speeds = {value: label for label, value in SPEEDS.items()}
    dashboard.show_levers(speeds.get(latency or None, "Normal"), failing or NO_FAILURE,
                          third_vendor=any(vendor in vendors for vendor in live_levers.THIRD_VENDOR))
    return dashboard
