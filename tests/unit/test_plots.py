"""The side-by-side notebook's figures: one axes each, a series per pattern, labelled."""
from workshop_utils.measure import cost
from workshop_utils.ui import plots


def test_latency_figure_has_both_patterns_on_one_axes():
    figure = plots.latency_figure({"parallel": [50, 60, 70], "sns": [200, 250]}, {"parallel": 20.0, "sns": 9.5})
    (axes,) = figure.axes
    labels = [text.get_text() for text in axes.get_legend().get_texts()]
    assert labels == ["Parallel state (20.0 req/s, n=3)", "SNS scatter-gather (9.5 req/s, n=2)"]
    assert axes.get_xlabel() == "end-to-end latency (ms)"


def test_cost_figure_draws_one_line_per_pattern_against_vendors():
    figure = plots.cost_figure(cost.cost_table([1, 2, 3]))
    (axes,) = figure.axes
    assert len(axes.get_lines()) == 3
    assert list(axes.get_lines()[0].get_xdata()) == [1, 2, 3]
    assert axes.get_yscale() == "log"


def test_the_two_patterns_colours_are_far_apart():
    def rgb(colour: str) -> tuple[int, ...]:
        return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))

    parallel, sns = rgb(plots.COLOURS["parallel"]), rgb(plots.COLOURS["sns"])
    assert sum(abs(a - b) for a, b in zip(parallel, sns, strict=True)) > 300
