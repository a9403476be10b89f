"""What the measuring cells show: both patterns under the same load, and the cost per million requests."""

from __future__ import annotations

from workshop_utils.measure import bench, cost
from workshop_utils.ui import cell_output, outcomes, plots, views


def benchmark(rate: float | None, duration_s: float | None) -> dict:
    """Offer both deployed stacks the same open-loop load; plot latencies, say what was measured and what the
    batching window costs; return the summaries."""
    rate = rate or bench.WORKSHOP_RATE
    duration_s = duration_s or bench.WORKSHOP_DURATION_S
    requests = bench.requests_for(rate, duration_s)
    runs = bench.run_patterns(requests, concurrency=bench.SENDERS, rate=rate)
    summaries = {name: run.summary() for name, run in runs.items()}
    figure = plots.latency_figure(
        {name: run.latencies_ms for name, run in runs.items()},
        {name: summary["throughput_rps"] for name, summary in summaries.items()},
    )
    cell_output.message(
        f"Both patterns were offered the same load: {requests} requests, {rate:g} a second for {duration_s:g} s, "
        "each sent on schedule whatever happened to the earlier ones (an open loop, as users arrive). Latency runs "
        "from sending a request to its result: the execution's end (Parallel) or the aggregator's `aggregate:` "
        "line (SNS)."
    )
    cell_output.show(views.section("Latency per request", views.figure_html(figure)))
    rows = outcomes.benchmark_rows(summaries, f"{rate:g}/s for {duration_s:g} s")
    cell_output.show(views.section(f"{requests} requests per pattern, {rate:g} a second", views.rows_html(rows)))
    cell_output.message(bench.aggregator_batching().cost_sentence())
    cell_output.show(views.story_html(outcomes.benchmark_story(summaries)))
    return summaries


def show_costs(vendor_counts: tuple[int, ...]) -> list[dict]:
    """Dollars per million requests against the number of vendors, with the price table behind it."""
    rows = cost.cost_table(list(vendor_counts))
    cell_output.show(views.section("Cost per million requests", views.figure_html(plots.cost_figure(rows))))
    prices = cost.PRICES
    cell_output.show(views.section(f"Prices ({prices.source}, {prices.as_of})", views.rows_html(prices.as_rows())))
    return rows
