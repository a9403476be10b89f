"""Numbers the notebooks' prose states come from the same values the code uses."""

import json
import re

from infra.parallel_stack import VENDOR_RETRY_BACKOFF, VENDOR_RETRY_INTERVAL
from workshop_utils.local_cloud.config import RuntimeSettings
from workshop_utils.run_notebooks import NOTEBOOK_DIR


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
