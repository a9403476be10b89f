"""Matplotlib figures for the side-by-side notebook: data in, a Figure out (nothing shown or saved here)."""
from __future__ import annotations

from matplotlib.figure import Figure

# Blue against orange (and purple for Express): told apart on screen, on a projector and by colour-blind eyes.
COLOURS = {"parallel": "#1f6feb", "sns": "#e8590c", "parallel_standard": "#1f6feb",
           "parallel_express": "#8250df", "sns_cost": "#e8590c"}  # fmt: skip
LABELS = {"parallel": "Parallel state", "sns": "SNS scatter-gather", "parallel_standard": "Parallel, Standard",
          "parallel_express": "Parallel, Express", "sns_cost": "SNS"}  # fmt: skip


def latency_figure(latencies_ms: dict[str, list[float]], throughput_rps: dict[str, float]) -> Figure:
    """Both patterns' latency distributions as histograms on the same axes, throughput in the legend."""
    figure = Figure(figsize=(8, 3.6), layout="constrained")
    axes = figure.subplots()
    every = [value for values in latencies_ms.values() for value in values]
    bins = 30 if every else 1
    span = (min(every), max(every)) if every else (0, 1)
    for pattern, values in latencies_ms.items():
        label = f"{LABELS.get(pattern, pattern)} ({throughput_rps.get(pattern, 0):.1f} req/s, n={len(values)})"
        axes.hist(values, bins=bins, range=span, alpha=0.6, label=label, color=COLOURS.get(pattern))
    axes.set_xlabel("end-to-end latency (ms)")
    axes.set_ylabel("requests")
    axes.set_title("Latency per request, same requests through both patterns")
    axes.legend()
    return figure


def cost_figure(rows: list[dict]) -> Figure:
    """Dollars per million requests against the number of vendors, one line per pattern (log scale)."""
    figure = Figure(figsize=(8, 3.6), layout="constrained")
    axes = figure.subplots()
    vendors = [row["vendors"] for row in rows]
    for pattern in [key for key in rows[0] if key != "vendors"] if rows else []:
        key = "sns_cost" if pattern == "sns" else pattern
        axes.plot(vendors, [row[pattern] for row in rows], marker="o", label=LABELS.get(key, pattern),
                  color=COLOURS.get(key))  # fmt: skip
    axes.set_yscale("log")
    axes.set_xlabel("vendors")
    axes.set_ylabel("$ per million requests")
    axes.set_title("Cost per million quote requests (us-east-1, 128 MB, 100 ms)")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend()
    return figure
