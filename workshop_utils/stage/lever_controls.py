"""The presenter dashboard's levers on the page: stage speed, failing vendor and the third vendor, queued live."""

from __future__ import annotations

import threading

from workshop_utils.cloud import stacks
from workshop_utils.stage import levers as live_levers
from workshop_utils.stage.deploys import DeployProgress
from workshop_utils.stage.page import NO_FAILURE, SPEEDS


class LeverControls:
    """Mixed into the dashboard before its RequestLoop: a lever change or a redeploy waits its turn in the queue
    and applies what the controls say when that turn comes."""

    def _init_levers(self, levers: object) -> None:
        self.levers = levers  # stage.levers, or a fake in tests
        self._quiet = False  # set while the page itself sets the controls: nothing is queued
        self._levers_queued = False
        self._deploy_queued = False

    def _forget_queued(self) -> None:
        self._levers_queued = self._deploy_queued = False

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
