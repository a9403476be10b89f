"""A measured run (both sides' last request) to and from a JSON file: the replay when the live demo fails."""

from __future__ import annotations

import json
import time
from dataclasses import asdict, fields
from pathlib import Path

from workshop_utils.deploy.output_dir import output_dir
from workshop_utils.stage.lanes import Lane, Message
from workshop_utils.stage.render import Counters, SideView

FORMAT = "scatter-gather-stage-run/1"


def runs_dir() -> Path:
    """Where runs are saved: build/stage/runs/ (last.json is always the latest finished request)."""
    return output_dir() / "build" / "stage" / "runs"


def to_json(views: dict[str, SideView]) -> str:
    return json.dumps({"format": FORMAT, "sides": {name: asdict(view) for name, view in views.items()}}, indent=1)


def _view(data: dict) -> SideView:
    known = {f.name for f in fields(SideView)}
    values = {key: value for key, value in data.items() if key in known}
    values["lanes"] = [Lane(**lane) for lane in values.get("lanes", [])]
    values["messages"] = [Message(**message) for message in values.get("messages", [])]
    values["counters"] = Counters(**values.get("counters", {}))
    return SideView(**values)


def from_json(text: str | bytes) -> dict[str, SideView]:
    """The sides of a saved run; a ValueError in one sentence when the file is not one."""
    try:
        data = json.loads(text)
        if data.get("format") != FORMAT:
            raise ValueError
        return {name: _view(view) for name, view in data["sides"].items()}
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        raise ValueError("This file is not a run saved by the dashboard: choose a .json file from "
                         "build/stage/runs/.") from error


def save(views: dict[str, SideView], folder: Path | None = None, *, name: str | None = None) -> Path:
    """Write the run to `folder` (build/stage/runs/) as `name`, or a time-stamped file; returns its path."""
    folder = folder or runs_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (name or time.strftime("run-%Y%m%d-%H%M%S.json"))
    partial = path.with_suffix(".tmp")
    partial.write_text(to_json(views))
    partial.replace(path)
    return path


def load(path: Path) -> dict[str, SideView]:
    return from_json(path.read_text())
