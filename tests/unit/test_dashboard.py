"""The presenter dashboard's callbacks, driven with Button.click() against fake pattern sides."""
from workshop_utils.dashboard import PresenterDashboard


def test_one_click_sends_the_same_request_to_both_sides_and_counts():
    seen = []

    def parallel(request, show):
        seen.append(("parallel", request))
        show("<p>parallel done</p>")
        return 2, True

    def sns(request, show):
        seen.append(("sns", request))
        show("<p>sns partial</p>")
        return 1, False

    dashboard = PresenterDashboard({"parallel": parallel, "sns": sns})
    dashboard.days.value = 3
    dashboard.button.click()
    assert sorted(name for name, _ in seen) == ["parallel", "sns"]
    assert {request.days_rental for _, request in seen} == {3}
    assert (dashboard.counters["parallel"].requests, dashboard.counters["parallel"].quotes) == (1, 2)
    assert (dashboard.counters["sns"].quotes, dashboard.counters["sns"].failures) == (1, 1)
    assert "parallel done" in dashboard.panels["parallel"].value
    assert ">2<" in dashboard.counter_views["parallel"].value


def test_a_side_that_raises_counts_a_failure_and_shows_why():
    def broken(request, show):
        raise RuntimeError("ScatterGatherWithSNSStack is not deployed: run notebook 02.")

    dashboard = PresenterDashboard({"parallel": lambda r, show: (2, True), "sns": broken})
    dashboard.send()
    assert dashboard.counters["sns"].failures == 1
    assert "run notebook 02" in dashboard.panels["sns"].value
    assert dashboard.counters["parallel"].failures == 0
