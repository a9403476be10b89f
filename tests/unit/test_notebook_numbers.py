"""Numbers the notebooks' prose states come from the same values the code uses."""

import json
import re

from infra.parallel_stack import VENDOR_RETRY_BACKOFF, VENDOR_RETRY_INTERVAL
from workshop_utils.local_cloud.config import RuntimeSettings
from workshop_utils.tools.run_notebooks import NOTEBOOK_DIR


def markdown(name: str) -> str:
    cells = json.loads((NOTEBOOK_DIR / name).read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "markdown")


def test_02b_states_the_local_clouds_retry_delays_as_they_double():
    first = RuntimeSettings().retry_delay_seconds
    text = " ".join(markdown("02b_aggregator_and_failures.ipynb").split())
    assert f"retries {first:g} s after the first failure, then {first * 2:g} s after the second" in text


def test_the_parallel_retry_intervals_in_prose_are_the_stacks():
    first = VENDOR_RETRY_INTERVAL.to_seconds()
    text = " ".join(markdown("02b_aggregator_and_failures.ipynb").split())
    assert f"{first:g} s then {first * VENDOR_RETRY_BACKOFF:g} s apart" in text
    assert re.search(rf"after {first:g} s, then {first * VENDOR_RETRY_BACKOFF:g} s",
                     " ".join(markdown("01_parallel_state.ipynb").split()))


GLOSSARY_TERMS = ("approximateInvokeCount", "Batch item failures", "Bootstrap", "Conditional put",
                  "Event source mapping", "Open loop", "p50, p95", "PendingWindowInDays", "Redrive policy",
                  "ResultSelector")


def test_the_glossary_explains_each_term_and_every_notebook_links_it():
    glossary = (NOTEBOOK_DIR / "glossary.md").read_text(encoding="utf-8")
    for term in GLOSSARY_TERMS:
        assert f"**{term}" in glossary, term
    for path in sorted(NOTEBOOK_DIR.glob("[0-9]*.ipynb")):
        assert "](glossary.md)" in markdown(path.name), path.name


def test_the_car_type_is_said_not_to_change_the_price_and_it_does_not():
    from lambdas.responder.vendor_quote import VendorSettings, make_quote

    settings = VendorSettings(vendor="Avis", base_rate=99)
    prices = {make_quote({"data": {"car_type": car, "days_rental": 3}}, settings)["price_quote"]
              for car in ("Compact", "SUV", "XL")}
    assert prices == {297}
    text = " ".join(markdown("01_parallel_state.ipynb").split())
    assert "the car type travels with the request and comes back in every quote, but no vendor prices it" in text
