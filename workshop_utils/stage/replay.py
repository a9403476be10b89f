"""The presenter dashboard's replay: the last request's measured times redrawn slowly, saved runs kept and opened."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from workshop_utils.stage import runs
from workshop_utils.stage.lanes import replay_frame, replay_messages
from workshop_utils.stage.page import REPLAY_FACTORS
from workshop_utils.stage.render import axis_end_ms


class ReplayControls:
    """Mixed into the dashboard before its RequestLoop: Replay, Save run and Open run, queued like any click."""

    def _init_replay(self, runs_folder: Path | None) -> None:
        self.runs_folder = runs_folder  # where each finished request is saved as last.json (None: nowhere)

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
