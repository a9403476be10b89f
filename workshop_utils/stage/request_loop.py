"""The presenter dashboard's work queue: clicks and lever changes worked one at a time, both sides on one clock."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import replace

from workshop_utils.cloud.logs import now_ms
from workshop_utils.quotes.request import QuoteRequest
from workshop_utils.stage.claim import StageClaim
from workshop_utils.stage.render import Counters, SideView
from workshop_utils.stage.sides import Outcome
from workshop_utils.ui.widgets import error_html

DOUBLE_CLICK_S = 0.6  # a second click on the same button within this is the same click (a nervous double-click)


class RequestLoop:
    """Mixed into the dashboard over a StagePage: one worker thread takes the queued jobs in turn; a request
    runs each side in its own thread, from the same click, and keeps each side's finished run for a replay."""

    def _init_loop(self, claim: StageClaim | None) -> None:
        self.claim = claim  # None: this dashboard is the only one (a notebook, a test)
        self._clock, self._sleep = time.monotonic, time.sleep
        self._clicked: dict[str, float] = {}
        self._work: queue.Queue = queue.Queue()
        self._generation = 0  # a reset starts a new one: what an older request still reports is dropped
        self._measured: dict[str, SideView] = {}  # each side's last finished request, for a replay

    def _start_worker(self) -> None:
        threading.Thread(target=self._worker, daemon=True, name="stage-worker").start()

    def _redraw(self) -> None:
        self._draw(self._work.qsize())

    def _show(self, name: str, generation: int) -> Callable[..., None]:
        def show(**changes: object) -> None:
            with self._lock:
                if generation != self._generation:  # a reset happened: this request no longer has a panel
                    return
                for key, value in changes.items():
                    setattr(self.views[name], key, value)
                self._redraw()

        return show

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
        click = now_ms()  # the one clock: every time on both sides is measured from here
        with self._lock:  # checked under the lock: a reset between a check and the counting would count anew
            if generation != self._generation:
                return
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

    def _autosave(self) -> None:
        """Hook: keep the finished run somewhere (the replay controls save it for a reload)."""

    def _drop_backlog(self) -> None:
        while True:
            try:
                self._work.get_nowait()
                self._work.task_done()
            except queue.Empty:
                break

    def _forget_queued(self) -> None:
        """Hook: what else a reset forgets along with the backlog (the lever controls' queued changes)."""

    def reset(self) -> None:
        """Clear the counters, the panels and the backlog, in the same kernel (a request in flight is dropped)."""
        with self._lock:
            self._generation += 1
            self._drop_backlog()
            self._forget_queued()
            self.counters = {name: Counters() for name in self.sides}
            self.views = {name: self._fresh_view(name) for name in self.sides}
            self._measured = {}
        self._say("Reset: counters and views cleared.")
        self._redraw()
