"""The talk's framing as slides inside the dashboard page: P shows them, D or Esc goes back (offline, no extension)."""

from __future__ import annotations

from html import escape

SLIDES = [
    ("Replace a Parallel state with SNS scatter-gather",
     ["One quote request, several car-rental vendors, one answer: scatter-gather.",
      "Left: a Step Functions Parallel state orchestrates the vendors.",
      "Right: a choreography: SNS topic, Lambda destinations, an SQS queue and an aggregator."]),
    ("Who knows the vendors?",
     ["Parallel: the state machine's definition lists every vendor; adding one redeploys the orchestrator.",
      "SNS: a vendor subscribes to the topic; the requester and topic stay, the aggregator learns its name.",
      "The caller waits for the execution on the left; on the right the requester answers at once."]),
    ("When a vendor fails",
     ["Parallel: the branch retries, then its Catch turns the error into a partial answer.",
      "SNS: the other quotes arrive at once; the aggregate times out at the deadline, naming who is missing.",
      "Both need failure handling, of different kinds."]),
    ("Take-away",
     ["Parallel state: one place to look, ordered and complete results.",
      "SNS: vendors join without touching the orchestrator; completeness is the aggregator's job.",
      "Try it offline on your laptop: make lab."]),
]
KEYS = "On the dashboard: S send · 1 2 3 stage speed · F failing vendor · R reset · L replay · P slides"


def slides_html() -> str:
    """Every slide, the first one current; the page's script moves between them (arrows, Page Up/Down)."""
    slides = []
    for index, (title, points) in enumerate(SLIDES):
        items = "".join(f"<li>{escape(point)}</li>" for point in points)
        slides.append(f'<section class="stage-slide{" current" if index == 0 else ""}" data-slide="{index + 1}">'
                      f"<h1>{escape(title)}</h1><ul>{items}</ul>"
                      f'<p class="stage-slide-foot">{index + 1} / {len(SLIDES)} · D or Esc: the dashboard · '
                      f"{escape(KEYS)}</p>"
                      "</section>")
    return f'<div class="stage-slides">{"".join(slides)}</div>'


SLIDES_CSS = """
.stage-slides {display:none}
.stage-root.stage-slides-on > :not(.stage-slides-box):not(.stage-style) {display:none !important}
.stage-root.stage-slides-on .stage-slides {display:block; min-height:90vh}
.stage-slide {display:none; padding:1em 1.5em}
.stage-slide.current {display:block}
.stage-slide h1 {font-size:1.9em; line-height:1.15; margin:0.6em 0 0.8em}
.stage-slide li {font-size:1.5em; margin:0.5em 0}
.stage-slide-foot {color:var(--stage-muted); margin-top:2em}
"""
