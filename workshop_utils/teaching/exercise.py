"""The Aggregator exercise: check a learner's completeness condition, on edge cases and on the deployed stack."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

Condition = Callable[[set[str], set[str]], bool]

# The model answer, shown folded by 02b and typed into the exercise cell by the headless run (`make run`).
SOLUTION_SOURCE = """\
# ✏️ EXERCISE: return True when the request is complete.
def is_complete(expected_vendors: set[str], answered_vendors: set[str]) -> bool:
    # Complete when every expected vendor has answered; an unexpected extra answer changes nothing.
    return expected_vendors <= answered_vendors
"""
# The tag of the notebook cell the learner writes the condition in.
EXERCISE_TAG = "exercise:completeness"

# (expected vendors, vendors that answered, complete?) and why each case matters.
EDGE_CASES: list[tuple[set[str], set[str], bool, str]] = [
    ({"Avis", "Alamo"}, {"Avis", "Alamo"}, True, "every expected vendor answered"),
    ({"Avis", "Alamo"}, {"Avis"}, False, "one vendor is still missing"),
    ({"Avis", "Alamo"}, set(), False, "nobody answered yet"),
    ({"Avis", "Alamo"}, {"Avis", "Hertz"}, False, "two answers, but one is from a vendor we did not expect"),
    ({"Avis", "Alamo"}, {"Avis", "Alamo", "Hertz"}, True, "an extra vendor does not make a request incomplete"),
]


@dataclass
class ExerciseResult:
    """What the check found: passed, not attempted yet, or the cases that failed."""

    attempted: bool = True
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.attempted and not self.failures


def check_edge_cases(condition: Condition) -> ExerciseResult:
    """Run the condition on the edge cases; a NotImplementedError means the learner has not written it yet."""
    result = ExerciseResult()
    for expected, answered, want, why in EDGE_CASES:
        try:
            got = condition(set(expected), set(answered))
        except NotImplementedError:
            return ExerciseResult(attempted=False)
        except Exception as error:  # the learner's code: report, do not crash the check
            result.failures.append(f"expected {sorted(expected)}, answered {sorted(answered)}: raised {error!r}")
            continue
        if bool(got) != want:
            result.failures.append(
                f"expected {sorted(expected)}, answered {sorted(answered)}: returned {got}, should be {want} ({why})"
            )
    return result


def check_against_aggregate(
    condition: Condition, *, expected: set[str], answered: set[str], status: str
) -> ExerciseResult:
    """Compare the condition with what the deployed aggregator decided for one real request."""
    result = ExerciseResult()
    if bool(condition(set(expected), set(answered))) != (status == "complete"):
        result.failures.append(
            f"the deployed aggregator marked a request {status} with answers from {sorted(answered)}, "
            f"but your condition says {'complete' if status != 'complete' else 'incomplete'}"
        )
    if answered:
        fewer = set(sorted(answered)[1:])
        if condition(set(expected), fewer):
            result.failures.append(f"with only {sorted(fewer)} of {sorted(expected)} your condition says complete")
    return result
