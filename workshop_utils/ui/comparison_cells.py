"""What the side-by-side cell shows: both timelines on one axis, then each pattern's outcome."""

from __future__ import annotations

from workshop_utils.quotes import timelines
from workshop_utils.quotes.comparison import Comparison
from workshop_utils.render import quotes_html, timeline_svg
from workshop_utils.render._history import task_runs
from workshop_utils.ui import cell_output, outcomes, views


def show_comparison(comparison: Comparison) -> None:
    """Both timelines on one time axis, then each side's outcome, side by side where the width allows."""
    attempts = {name: run.attempts for name, run in task_runs(comparison.parallel.history).items()}
    lanes = {
        "Parallel (Step Functions)": timelines.execution_bars(comparison.parallel.history, attempts=attempts),
        "SNS (choreography)": comparison.sns_lanes,
    }
    cell_output.show(views.section("Timelines, same request (each lane from the start of its own request)",
                                   timeline_svg(lanes)))
    aggregate = comparison.sns_aggregate
    complete = aggregate.get("status") == "complete"
    sns_story = outcomes.sns_story(aggregate, comparison.sns_attempts, comparison.sns_failures)
    sns_side = views.section(
        "SNS scatter-gather",
        views.story_html(sns_story, kind="success" if complete else "error")
        + quotes_html(aggregate.get("quotes", []), empty_text="No quotes: no vendor answered before the deadline."),
    )
    parallel_side = views.section("Parallel state", views.parallel_result_html(comparison.parallel, compact=True))
    cell_output.show(views.columns_html(parallel_side, sns_side))
