"""The presenter dashboard: both patterns side by side on one clock, with live levers, a replay and a reset."""

from __future__ import annotations

import os
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from html import escape
from pathlib import Path
from urllib.parse import parse_qs

import ipywidgets as widgets

from workshop_utils.cloud import stacks
from workshop_utils.cloud.logs import now_ms
from workshop_utils.quotes.request import CAR_TYPES, QuoteRequest
from workshop_utils.stage import levers as live_levers
from workshop_utils.stage import runs
from workshop_utils.stage.claim import StageClaim
from workshop_utils.stage.deploys import DeployProgress
from workshop_utils.stage.lanes import replay_frame, replay_messages
from workshop_utils.stage.render import Counters, SideView, axis_end_ms, legend_html, page_css, side_html
from workshop_utils.stage.sides import Outcome, parallel_rows, parallel_side, sns_rows, sns_side
from workshop_utils.stage.slides import slides_html
from workshop_utils.ui import views
from workshop_utils.ui.widgets import error_html

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
DOUBLE_CLICK_S = 0.6  # a second click on the same button within this is the same click (a nervous double-click)


def query_theme() -> str:
    """The theme asked for in the page's address (?theme=dark|light); Voila hands the kernel its query string."""
    asked = parse_qs(os.environ.get("QUERY_STRING", "")).get("theme", ["dark"])[0]
    return asked if asked in ("dark", "light") else "dark"


class PresenterDashboard(widgets.VBox):
    """Both patterns side by side on one clock; a queue of clicks and lever changes, worked one at a time."""

    def __init__(self, sides: dict[str, Callable] | None = None, *, levers: object = live_levers,
                 theme: str = "dark", vendors: list[str] | None = None, claim: StageClaim | None = None,
                 runs_folder: Path | None = None) -> None:
        self.sides = sides or SIDES
        self.levers = levers
        self.claim = claim  # None: this dashboard is the only one (a notebook, a test)
        self.runs_folder = runs_folder  # where each finished request is saved as last.json (None: nowhere)
        self._rows = self._idle_rows(vendors or [])
        self._clock, self._sleep = time.monotonic, time.sleep
        self._clicked: dict[str, float] = {}
        self.counters = {name: Counters() for name in self.sides}
        self.views = {name: self._fresh_view(name) for name in self.sides}
        self.panels = {name: widgets.HTML() for name in self.sides}
        self._lock = threading.RLock()
        self._work: queue.Queue = queue.Queue()
        self._generation = 0
        self.button = widgets.Button(description="Send to both", tooltip="Send to both (S)")
        self.button.add_class("stage-send")
        self.car_type = widgets.Dropdown(options=CAR_TYPES, value="XL", description="Car")
        self.days = widgets.BoundedIntText(value=7, min=1, max=365, description="Days")
        self.reset_button = widgets.Button(description="Reset", tooltip="Reset (R)")
        self.reset_button.add_class("stage-reset")
        self.theme = widgets.ToggleButtons(options=["dark", "light"], value=theme)
        self.speed = widgets.Dropdown(options=list(SPEEDS), value="Normal", description="Stage speed")
        self.speed.add_class("stage-speed")
        self.failing = widgets.Dropdown(options=[NO_FAILURE, *(vendors or [])], value=NO_FAILURE,
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
        self._measured: dict[str, SideView] = {}  # each side's last finished request, for a replay
        self._fixed_axis: float | None = None  # a replay keeps the measured request's axis
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
        self.button.on_click(lambda _b: self.send())
        self.reset_button.on_click(lambda _b: self.reset())
        self.replay_button.on_click(lambda _b: self.replay())
        self.save_button.on_click(lambda _b: self.save_run())
        self.replay_file.observe(lambda _c: self._replay_upload(), names="value")
        self.theme.observe(lambda _c: self._apply_theme(), names="value")
        self.speed.observe(lambda _c: self._queue_levers(), names="value")
        self.failing.observe(lambda _c: self._queue_levers(), names="value")
        self.third_vendor.observe(lambda _c: self._queue_deploy(), names="value")
        self._quiet = False
        self._levers_queued = False
        self._deploy_queued = False
        if self.claim is not None:
            self.claim.take()
        self._redraw()
        threading.Thread(target=self._worker, daemon=True, name="stage-worker").start()

    # ------------------------------------------------------------------ drawing
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

    def _redraw(self) -> None:
        """Both panels on one axis: from the click to the latest moment either side has reached."""
        with self._lock:
            ends = [at for view in self.views.values() for at in self._on_axis(view)]
            axis = self._fixed_axis or axis_end_ms(*ends)
            for name, view in self.views.items():
                self.panels[name].value = side_html(view, axis_ms=axis)
            waiting = self._work.qsize()
            self.backlog.value = (
                f'<span class="stage-backlog" data-backlog="{waiting}">Backlog: {waiting} waiting</span>'
            )

    def _show(self, name: str, generation: int) -> Callable[..., None]:
        def show(**changes: object) -> None:
            with self._lock:
                if generation != self._generation:  # a reset happened: this request no longer has a panel
                    return
                for key, value in changes.items():
                    setattr(self.views[name], key, value)
                self._redraw()

        return show

    def _say(self, text: str, kind: str = "info", detail: str = "") -> None:
        title = f' title="{escape(detail)}"' if detail else ""  # the whole story on hover; the line stays short
        self.note.value = f'<p class="stage-note {kind}"{title}>{escape(text)}</p>'

    # ------------------------------------------------------------------ work queue
    def _worker(self) -> None:
        while True:
            job = self._work.get()
            try:
                if self.claim is not None and not self.claim.held():
                    self._drop_backlog()
                    self._say("Another page has the stage now: this one no longer sends anything. "
                              "Close it, or reload it to take the stage back.", "error")
                    continue
                job()
            except Exception as error:  # a lever or a side failing must not stop the next click
                self.note.value = error_html(error)
            finally:
                self._work.task_done()
                self._redraw()

    def wait_idle(self) -> None:
        """Block until every queued click and lever change is done (tests; a notebook cell)."""
        self._work.join()

    def _double_click(self, button: str) -> bool:
        """True for the second click of a double-click on `button` (it is dropped)."""
        now, last = self._clock(), self._clicked.get(button)
        if last is not None and 0 <= now - last < DOUBLE_CLICK_S:
            return True
        self._clicked[button] = now
        return False

    def send(self) -> None:
        """Queue the same request for both sides; the backlog shows clicks waiting behind the current one."""
        if self._double_click("send"):
            return
        request = QuoteRequest(self.car_type.value, int(self.days.value))
        generation = self._generation
        self._work.put(lambda: self._run_request(request, generation))
        self._redraw()

    def _run_request(self, request: QuoteRequest, generation: int) -> None:
        if generation != self._generation:
            return
        click = now_ms()  # the one clock: every time on both sides is measured from here
        with self._lock:
            for name in self.sides:
                self.views[name] = self._fresh_view(name)
                self.counters[name].in_flight += 1
        self._redraw()
        threads = [threading.Thread(target=self._run_side, args=(name, request, click, generation))
                   for name in self.sides]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def _run_side(self, name: str, request: QuoteRequest, click: float, generation: int) -> None:
        show = self._show(name, generation)
        try:
            outcome: Outcome | None = self.sides[name](request, click, show)
            failed, quotes = not outcome.complete, len(outcome.quotes)
        except Exception as error:  # one side failing must not hide the other
            outcome, failed, quotes = None, True, 0
            show(state="failed", status=f"Error: {error}", now_ms=None)
        with self._lock:
            if generation != self._generation:
                return
            counters = self.counters[name]
            counters.in_flight -= 1
            counters.quotes += quotes
            counters.failed += failed
            counters.done += not failed
            view = self.views[name]
            view.end_ms = getattr(outcome, "end_ms", None)
            measured = self._measured[name] = replace(view)
        self._redraw()
        self._autosave()
        if outcome is not None and outcome.follow is not None:
            threading.Thread(target=self._follow, args=(name, outcome, view, measured, generation), daemon=True,
                             name=f"stage-follow-{name}").start()

    def _follow(self, name: str, outcome: Outcome, view: SideView, measured: SideView, generation: int) -> None:
        """What still happens after a side ended (the SNS deadline), drawn on its panel and kept for a replay
        until another click, a replay or a reset takes the panel."""

        # Followed while the panel still shows this request or the run kept for a replay is still this one
        # (a replay takes the panel for a while: what arrives meanwhile must still be in the replayed run).
        def current() -> bool:
            return generation == self._generation and (self.views.get(name) is view
                                                       or self._measured.get(name) is measured)

        def show_later(**changes: object) -> None:
            with self._lock:
                if not current():
                    return
                for key, value in changes.items():
                    if self.views.get(name) is view:
                        setattr(view, key, value)
                    if self._measured.get(name) is measured:
                        setattr(measured, key, value)
            self._redraw()
            self._autosave()

        try:
            outcome.follow(show_later, current)
        except Exception as error:  # the logs going away must not break the page
            self.note.value = error_html(error)

    def _drop_backlog(self) -> None:
        while True:
            try:
                self._work.get_nowait()
                self._work.task_done()
            except queue.Empty:
                break

    def reset(self) -> None:
        """Clear the counters, the panels and the backlog, in the same kernel (a request in flight is dropped)."""
        with self._lock:
            self._generation += 1
            self._drop_backlog()
            self._levers_queued = self._deploy_queued = False
            self.counters = {name: Counters() for name in self.sides}
            self.views = {name: self._fresh_view(name) for name in self.sides}
            self._measured = {}
        self._say("Reset: counters and views cleared.")
        self._redraw()

    # ------------------------------------------------------------------ replay
    def replay(self) -> None:
        """Queue a slow-motion replay of the last request's measured times (nothing is sent again); after a
        reload, the last request saved in build/stage/runs/last.json."""
        if self._double_click("replay"):
            return
        factor = REPLAY_FACTORS[self.replay_factor.value]
        self._work.put(lambda: self._replay(factor))
        self._redraw()

    def _autosave(self) -> None:
        if self.runs_folder is not None and self._measured:
            with self._lock:
                run = {name: replace(view) for name, view in self._measured.items()}
            runs.save(run, self.runs_folder, name="last.json")

    def save_run(self) -> Path | None:
        """Save the last request's measured run to a time-stamped file, to replay after a reload or elsewhere."""
        if not self._measured:
            self._say("Nothing to save yet: click Send to both first.")
            return None
        with self._lock:
            run = {name: replace(view) for name, view in self._measured.items()}
        path = runs.save(run, self.runs_folder or runs.runs_dir())
        self._say(f"Saved: {path}. Replay it with Open run, here or on another machine.", "success")
        return path

    def replay_saved(self, text: str | bytes) -> None:
        """Queue a replay of a saved run (a file's content); it becomes the run Replay last replays."""
        try:
            saved = runs.from_json(text)
        except ValueError as error:
            self._say(str(error), "error")
            return
        factor = REPLAY_FACTORS[self.replay_factor.value]

        def job() -> None:
            with self._lock:
                self._measured = {name: view for name, view in saved.items() if name in self.sides}
            self._replay(factor)

        self._work.put(job)
        self._redraw()

    def _replay_upload(self) -> None:
        for upload in self.replay_file.value:
            self.replay_saved(bytes(upload["content"]))

    def _replay(self, factor: int) -> None:
        if not self._measured and self.runs_folder is not None and (self.runs_folder / "last.json").exists():
            try:
                self._measured = runs.load(self.runs_folder / "last.json")  # the run before a reload
            except ValueError:
                pass
        finals = {name: replace(view, counters=self.counters[name]) for name, view in self._measured.items()
                  if name in self.sides}
        if not finals:
            self._say("Nothing to replay yet: click Send to both first.")
            return
        end = max([final.end_ms or 0.0 for final in finals.values()] +
                  [at for final in finals.values() for at in self._on_axis(final)])
        self._fixed_axis = axis_end_ms(end)
        self._say(f"REPLAY of the last request's measured times, {factor} times slower.")
        started = self._clock()
        try:
            while True:
                at = (self._clock() - started) * 1000 / factor
                with self._lock:
                    for name, final in finals.items():
                        over = at >= (final.end_ms or end)
                        # Its end: the run as it stands now (the deadline's copy may have arrived meanwhile).
                        latest = self._measured.get(name)
                        ended = replace(latest, counters=self.counters[name]) if latest is not None else final
                        self.views[name] = ended if over else replace(
                            final, lanes=replay_frame(final.lanes, at), now_ms=at, state="replay", quotes=[],
                            messages=replay_messages(final.messages, at),
                            missing=[], status=f"REPLAY ×{factor} of measured times · {at / 1000:.2f} s")
                self._redraw()
                if at >= end:
                    break
                self._sleep(0.1)
        finally:
            self._fixed_axis = None
        self._say(f"Replay over: the measured times, shown {factor} times slower.", "success")

    # ------------------------------------------------------------------ levers
    def _queue_levers(self) -> None:
        """Queue one lever change; it applies the levers as they are when its turn comes (changes made while
        it waits, or a double-click, join it instead of queueing another)."""
        if self._quiet:
            return
        busy = self._work.unfinished_tasks > 0
        self._say("Applying the levers after the current request; it keeps its speed..." if busy else
                  "Applying the levers...")
        if not self._levers_queued:
            self._levers_queued = True
            self._work.put(self._apply_current_levers)
        self._redraw()

    def _apply_current_levers(self) -> None:
        self._levers_queued = False
        latency = SPEEDS[self.speed.value]
        failing = None if self.failing.value == NO_FAILURE else self.failing.value
        self._apply_levers(latency, failing)

    def _apply_levers(self, latency: int | None, failing: str | None) -> None:
        changed = self.levers.apply(latency_ms=latency, failing_vendor=failing, on_progress=self._say)
        speed = "cdk.json's latency" if latency is None else f"{latency} ms per vendor"
        self._say(f"Live from the next click: {speed}; failing: {failing or 'none'} ({changed} updated). "
                  "The next deploy restores cdk.json's settings.", "success")

    def show_levers(self, speed: str, failing: str, third_vendor: bool = False) -> None:
        """Set the lever controls to what is deployed and set already, without applying anything."""
        self._quiet = True
        try:
            self.speed.value = speed if speed in SPEEDS else "Normal"
            self.failing.value = failing if failing in self.failing.options else NO_FAILURE
            self.third_vendor.value = third_vendor
        finally:
            self._quiet = False

    def _queue_deploy(self) -> None:
        if self._quiet:
            return
        self._say("Deploying both stacks after the current request...")
        if not self._deploy_queued:  # a double-click (on, off) deploys once, what the box says when its turn comes
            self._deploy_queued = True
            self._work.put(self._deploy_current)
        self._redraw()

    def _deploy_current(self) -> None:
        self._deploy_queued = False
        wanted = self.third_vendor.value
        if wanted == any(vendor in self.failing.options for vendor in live_levers.THIRD_VENDOR):
            self._say(f"Already deployed with{'' if wanted else 'out'} the third vendor.", "success")
            return
        self._deploy(wanted)

    def _deploy(self, third_vendor: bool) -> None:
        progress = DeployProgress(list(stacks.STACKS))
        done = threading.Event()

        def tick() -> None:  # the page's progress line, from the stacks' own events, twice a second
            while not done.wait(0.5):
                self._say(progress.status())

        self._say(progress.status())
        threading.Thread(target=tick, daemon=True, name="stage-deploy-progress").start()
        try:
            self.levers.deploy_vendors(third_vendor, on_line=lambda _line: None, progress=progress)
        finally:
            done.set()
        vendors = list(self.levers.responders())
        self._quiet = True  # the failing vendor is re-applied below, with the new vendors
        try:
            if self.failing.value not in vendors:
                self.failing.value = NO_FAILURE
            self.failing.options = [NO_FAILURE, *vendors]
        finally:
            self._quiet = False
        self._rows = self._idle_rows(vendors)
        took = progress.status().rsplit(" · ", 1)[-1]
        self._apply_levers(SPEEDS[self.speed.value], None if self.failing.value == NO_FAILURE else self.failing.value)
        added = ", ".join(live_levers.THIRD_VENDOR)
        self._say(f"{added} {'added' if third_vendor else 'removed'} in {took}. {progress.headline()}.", "success",
                  detail=progress.summary())


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
