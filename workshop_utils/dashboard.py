"""The presenter dashboard: one button sends the same request through both patterns, shown side by side
and redrawn while each request runs."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import ipywidgets as widgets

from workshop_utils import stacks, views
from workshop_utils.quote_input import QuoteRequest
from workshop_utils.render import quotes_html
from workshop_utils.widgets import error_html


@dataclass
class Counters:
    """What the audience sees tick up: requests sent, quotes received, failures, for one pattern."""

    requests: int = 0
    quotes: int = 0
    failures: int = 0

    def html(self, title: str) -> str:
        cells = "".join(
            f'<div style="text-align:center;padding:4px 14px"><div style="font-size:26px;font-weight:700">{n}</div>'
            f'<div style="font-size:12px">{label}</div></div>'
            for n, label in ((self.requests, "requests"), (self.quotes, "quotes"), (self.failures, "failures"))
        )
        return views.section(title, f'<div class="counters" style="display:flex">{cells}</div>')


def _live_refresh_s() -> float:
    """How often a side redraws while its request runs: often locally; on AWS, within the APIs' rate limits."""
    from workshop_utils import target

    return 0.3 if target.current() == "local" else 3.0


def _parallel_views(definition: dict, history: list[dict]) -> str:
    from workshop_utils.render import state_machine_svg, timeline_svg
    from workshop_utils.timelines import execution_bars

    timeline = timeline_svg({"States": execution_bars(history)})
    return views.section("Timeline", timeline) + views.section("Graph", state_machine_svg(definition, history))


def _parallel_side(request: QuoteRequest, show: Callable[[str], None]) -> tuple[int, bool]:
    """Start the execution and colour its graph state by state until it stops."""
    from workshop_utils.triggers import request_parallel_quote

    running = views.message_html("Running: the state machine calls every vendor and waits for all of them...")
    show(running)
    redraw = Throttle(_live_refresh_s())

    def frame(definition: dict, history: list[dict]) -> None:
        if redraw.due():
            show(running + _parallel_views(definition, history))

    execution = request_parallel_quote(request, watch=frame)
    ok = execution.status == "SUCCEEDED"
    summary = views.message_html(
        f"{execution.status} in {execution.duration_ms:.0f} ms with {len(execution.quotes)} quotes.",
        kind="success" if ok else "error",
    )
    show(summary + _parallel_views(execution.definition, execution.history) + quotes_html(execution.quotes))
    return len(execution.quotes), ok


def _fan_out_view(handle: object) -> str:
    from workshop_utils import aggregates
    from workshop_utils.render import timeline_svg

    return views.section("Fan-out and gather", timeline_svg({"Fan-out": aggregates.invocation_lanes(handle)}))


def _sns_side(request: QuoteRequest, show: Callable[[str], None]) -> tuple[int, bool]:
    """Scatter the request, draw the fan-out as invocations finish, then the aggregate."""
    from workshop_utils import aggregates
    from workshop_utils.triggers import request_sns_quote

    handle = request_sns_quote(request)
    gathering = views.message_html(f"Scattered {handle.uuid}: the requester answered 202 at once; gathering...")
    show(gathering)
    redraw = Throttle(_live_refresh_s())

    def frame() -> None:
        if redraw.due():
            show(gathering + _fan_out_view(handle))

    aggregate = aggregates.wait_for_aggregate(handle, watch=frame)
    complete = aggregate.get("status") == "complete"
    missing = ", ".join(aggregate.get("missing_vendors") or []) or "none"
    summary = views.message_html(
        f"Aggregate {aggregate.get('status')}, missing vendors: {missing}.", kind="success" if complete else "error"
    )
    show(summary + _fan_out_view(handle) + quotes_html(aggregate.get("quotes", [])))
    return len(aggregate.get("quotes", [])), complete


class Throttle:
    """True at most once per `every_s` seconds (the first time at once): redraws without flooding the page."""

    def __init__(self, every_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.every_s = every_s
        self.clock = clock
        self._last: float | None = None

    def due(self) -> bool:
        now = self.clock()
        if self._last is not None and now - self._last < self.every_s:
            return False
        self._last = now
        return True


SIDES = {"parallel": _parallel_side, "sns": _sns_side}


class PresenterDashboard(widgets.VBox):
    """Both patterns side by side with live results and counters; one button drives both."""

    def __init__(self, sides: dict[str, Callable] | None = None):
        self.sides = sides or SIDES
        self.counters = {name: Counters() for name in self.sides}
        self.button = widgets.Button(description="Send to both", button_style="primary", icon="bolt")
        self.days = widgets.BoundedIntText(value=7, min=1, max=365, description="Days")
        self.panels = {name: widgets.HTML() for name in self.sides}
        self.counter_views = {name: widgets.HTML() for name in self.sides}
        titles = {"parallel": "Parallel state (orchestration)", "sns": "SNS scatter-gather (choreography)"}
        columns = [
            widgets.VBox([self.counter_views[name], self.panels[name]], layout={"width": "50%"}) for name in self.sides
        ]
        self.titles = {name: titles.get(name, name) for name in self.sides}
        self.button.on_click(lambda _b: self.send())
        self._redraw_counters()
        super().__init__([widgets.HBox([self.days, self.button]), widgets.HBox(columns)])

    def _redraw_counters(self) -> None:
        for name, counter in self.counters.items():
            self.counter_views[name].value = counter.html(self.titles[name])

    def _run_side(self, name: str, request: QuoteRequest) -> None:
        panel = self.panels[name]

        def show(html_text: str) -> None:
            panel.value = html_text

        self.counters[name].requests += 1
        try:
            quotes, ok = self.sides[name](request, show)
            self.counters[name].quotes += quotes
            self.counters[name].failures += 0 if ok else 1
        except Exception as error:  # one side failing must not hide the other
            self.counters[name].failures += 1
            show(error_html(error))
        self._redraw_counters()

    def send(self) -> None:
        """Send the same request through every side at once and wait for all of them."""
        request = QuoteRequest("XL", int(self.days.value))
        threads = [threading.Thread(target=self._run_side, args=(name, request)) for name in self.sides]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()


def presenter_dashboard() -> widgets.Widget:
    """The dashboard, or what to deploy first when a stack is missing."""
    try:
        missing = [name for name in stacks.STACKS if not stacks.is_deployed(name)]
    except Exception as error:  # e.g. the local cloud is stopped: say so on the page
        return widgets.HTML(error_html(error))
    if missing:
        return widgets.HTML(
            views.message_html(
                f"Deploy {' and '.join(missing)} first: run notebooks 01 and 02 (or `make present` after them).",
                kind="error",
            )
        )
    return PresenterDashboard()
