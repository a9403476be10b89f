"""ipywidgets for the notebooks: the quote request form, a live log tail and a deploy panel."""

from __future__ import annotations

import html
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets

from workshop_utils.cloud.logs import fetch_log_events, now_ms
from workshop_utils.quotes.request import CAR_TYPES, InvalidQuoteInput, QuoteRequest, parse_quote_form
from workshop_utils.render import log_events_html
from workshop_utils.ui import cloud_stopped, views

# Errors a learner can fix: show their one sentence, not a traceback.
LEARNER_ERRORS: tuple[type[BaseException], ...] = (InvalidQuoteInput, RuntimeError, TimeoutError, ValueError)


def error_html(error: BaseException) -> str:
    """A learner-facing error: the sentence, plus the traceback folded away for unexpected ones."""
    error = cloud_stopped.explain(error)  # the local cloud died during the callback: say so, and how to go on
    if isinstance(error, LEARNER_ERRORS):  # its sentence says what to do; the class name would only be noise
        return views.message_html(str(error), kind="error")
    text = views.message_html(f"{type(error).__name__}: {error}", kind="error")
    trace = html.escape("".join(traceback.format_exception(error)))
    return f"{text}<details><summary>Traceback</summary><pre>{trace}</pre></details>"


def _send_sns(request: QuoteRequest):
    from workshop_utils.quotes.triggers import request_sns_quote, wait_for_sns_quotes

    return wait_for_sns_quotes(request_sns_quote(request))


def _send_parallel(request: QuoteRequest):
    from workshop_utils.quotes.triggers import request_parallel_quote

    return request_parallel_quote(request)


# pattern -> (send a request and return its result as data, turn that result into HTML)
PATTERNS: dict[str, tuple[Callable[[QuoteRequest], Any], Callable[[Any], str]]] = {
    "parallel": (_send_parallel, lambda result: views.parallel_result_html(result)),
    "sns": (_send_sns, lambda result: views.sns_result_html(result)),
}


class QuoteForm(widgets.VBox):
    """Car type, days and a button; the result (or the reason it was refused) shows below."""

    def __init__(
        self,
        pattern: str = "parallel",
        *,
        send: Callable[[QuoteRequest], Any] | None = None,
        render: Callable[[Any], str] | None = None,
    ):
        if pattern not in PATTERNS:
            raise ValueError(f"Unknown pattern {pattern!r}: use one of {sorted(PATTERNS)}.")
        self.pattern = pattern
        default_send, default_render = PATTERNS[pattern]
        self._send, self._render = send or default_send, render or default_render
        self.car_type = widgets.Dropdown(options=CAR_TYPES, value="XL", description="Car type")
        self.days = widgets.Text(value="20", description="Days", placeholder="1 to 365")
        self.button = widgets.Button(description="Request quotes", button_style="primary", icon="paper-plane")
        self.status = widgets.HTML()
        self.result_view = widgets.HTML()
        self.last_result: Any = None
        self.last_error: BaseException | None = None
        self.button.on_click(lambda _button: self.submit())
        form_row = widgets.HBox([self.car_type, self.days, self.button])
        super().__init__([form_row, self.status, self.result_view], layout={"width": "100%"})

    def _clear_result(self) -> None:
        # A new request, sent or refused, replaces the previous one: an old green result under a new
        # refusal would read as the answer to what was just typed.
        self.last_result = None
        self.last_error = None
        self.result_view.value = ""

    def submit(self) -> Any:
        """Validate, send, and show the result; the same as clicking the button. Returns the result data."""
        self._clear_result()
        try:
            request = parse_quote_form(self.car_type.value, self.days.value)
        except InvalidQuoteInput as error:
            self.last_error = error
            self.status.value = views.message_html(f"Not sent. {error}", kind="error")
            return None
        self.button.disabled = True
        self.status.value = views.message_html(
            f"Sending {request.car_type} for {request.days_rental} days through the {self.pattern} pattern..."
        )
        started = time.perf_counter()
        try:
            result = self._send(request)
            self.result_view.value = self._render(result)
            self.last_result = result
            elapsed = (time.perf_counter() - started) * 1000
            self.status.value = views.message_html(
                f"Done in {elapsed:.0f} ms, from the click to the result below: sending the request, waiting for "
                "its result and reading it back.", kind="success")
            return self.last_result
        except Exception as error:  # every callback error must reach the learner, not the kernel log
            self.result_view.value = ""
            self.last_error = error
            self.status.value = error_html(error)
            return None
        finally:
            self.button.disabled = False

    def result(self) -> Any:
        """The last result, or the last error raised again (so an unattended run stops on it)."""
        if self.last_error is not None:
            raise self.last_error
        if self.last_result is None:
            raise RuntimeError("No request sent yet: click Request quotes above, then re-run this cell.")
        return self.last_result


class LogTail(widgets.VBox):
    """A live view of a log group, polled in a background thread until stopped."""

    def __init__(self, log_group: str, *, interval_s: float = 1.0, title: str | None = None):
        self.log_group = log_group
        self.interval_s = interval_s
        self.events: list[dict] = []
        self.since_ms = now_ms() - 60_000
        self.start_button = widgets.Button(description="Start tail", icon="play")
        self.stop_button = widgets.Button(description="Stop tail", icon="stop", disabled=True)
        self.state = widgets.HTML(views.message_html(f"Not tailing {log_group}."))
        self.view = widgets.HTML()
        self._title = title or log_group
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.start_button.on_click(lambda _b: self.start())
        self.stop_button.on_click(lambda _b: self.stop())
        super().__init__([widgets.HBox([self.start_button, self.stop_button]), self.state, self.view])

    def refresh(self) -> list[dict]:
        """Fetch the log group once and redraw; returns every event seen so far."""
        self.events = fetch_log_events(self.log_group, start_ms=self.since_ms)
        self.view.value = log_events_html(self.events[-200:], title=self._title)
        return self.events

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.refresh()
            except Exception as error:  # keep the tail alive; show why the last poll failed
                self.state.value = error_html(error)
            self._stop.wait(self.interval_s)

    def start(self) -> None:
        """Start polling in the background (idempotent)."""
        if self._thread and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=f"tail {self.log_group}", daemon=True)
        self._thread.start()
        self.start_button.disabled, self.stop_button.disabled = True, False
        self.state.value = views.message_html(f"Tailing {self.log_group} every {self.interval_s:g} s.")

    def stop(self) -> None:
        """Stop polling and wait for the thread to finish."""
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)
        self.start_button.disabled, self.stop_button.disabled = False, True
        self.state.value = views.message_html(f"Stopped tailing {self.log_group}.")

    def wait_for(self, *texts: str, timeout_s: float = 30.0) -> dict:
        """Block until a log line containing every one of `texts` arrives (tailing meanwhile); returns it."""
        started_here = not (self._thread and self._thread.is_alive())
        if started_here:
            self.start()
        deadline = time.monotonic() + timeout_s
        try:
            while time.monotonic() < deadline:
                found = next((e for e in self.refresh() if all(t in e["message"] for t in texts)), None)
                if found:
                    return found
                time.sleep(min(self.interval_s, 0.25))
        finally:
            if started_here:
                self.stop()
        raise TimeoutError(
            f"No line containing {' and '.join(map(repr, texts))} reached {self.log_group} in {timeout_s:.0f} s: "
            "check that the request was sent and the stack is deployed, then try again."
        )


class DeployPanel(widgets.VBox):
    """A button that deploys (or destroys) a stack, with the CDK CLI's output streamed below."""

    def __init__(self, stack: str, *, context: dict | None = None):
        self.stack = stack
        self.context = context
        self.deploy_button = widgets.Button(description=f"Deploy {stack}", button_style="success", icon="cloud-upload")
        self.status = widgets.HTML()
        self.output = widgets.Output(layout={"max_height": "320px", "overflow": "auto", "border": "1px solid #d0d7de"})
        self.deploy_button.on_click(lambda _b: self.deploy())
        self.outputs: dict | None = None
        super().__init__([self.deploy_button, self.status, self.output])

    def deploy(self) -> dict | None:
        """Run `cdk deploy` for the stack, streaming into the panel; returns the stack outputs."""
        from workshop_utils.deploy import cdk

        self.deploy_button.disabled = True
        self.status.value = views.message_html(f"Deploying {self.stack}...")
        try:
            with self.output:
                self.outputs = cdk.deploy(self.stack, context=self.context)
            # the CLI's own Outputs block is left out of the stream: they are shown here, once
            outputs_table = views.rows_html([{"output": k, "value": v} for k, v in sorted(self.outputs.items())])
            self.status.value = views.message_html(f"{self.stack} deployed.", kind="success") + outputs_table
            return self.outputs
        except Exception as error:
            self.status.value = error_html(error)
            return None
        finally:
            self.deploy_button.disabled = False
