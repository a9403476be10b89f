"""The wiring read from the synthesized templates is the stacks' design, edge for edge, both ways (2 and 3 vendors).

The expectations are written from the design (DESIGN.md, infra/*_stack.py), not from the reader's output.
"""

from __future__ import annotations

from infra_test_support import PARALLEL, SNS

from infra.sns_stack import DEADLINE_BATCH_SIZE, MAX_RECEIVE_COUNT
from infra.sns_wiring import REQUESTER_RETRY_ATTEMPTS, RESPONDER_RETRY_ATTEMPTS
from workshop_utils.render import architecture_svg
from workshop_utils.wiring import from_template


def expected_sns(vendors: tuple[str, ...], window: int, deadline: int) -> list[str]:
    deadline_queue = f"Deadline queue (delay {deadline} s)"
    assert REQUESTER_RETRY_ATTEMPTS == 0 and RESPONDER_RETRY_ATTEMPTS == 2  # as the labels below say
    edges = [
        "Requester -> Scatter topic: on success",
        "Requester -> Failed-invocations queue: on failure, no retry",
        f"Scatter topic -> {deadline_queue}: subscription, delay {deadline} s",
        f"Aggregation queue -> Aggregator: event source: batch {len(vendors)}, window {window} s",
        f"{deadline_queue} -> Aggregator: event source: batch {DEADLINE_BATCH_SIZE}, no window",
        f"Aggregation queue -> Dead-letter queue: redrive after {MAX_RECEIVE_COUNT} receives",
        f"{deadline_queue} -> Dead-letter queue: redrive after {MAX_RECEIVE_COUNT} receives",
        "Aggregator -> Aggregates table: reads and writes",
    ]
    for vendor in vendors:
        edges += [
            f"Scatter topic -> Responder · {vendor}: subscription",
            f"Responder · {vendor} -> Aggregation queue: on success",
            f"Responder · {vendor} -> Failed-invocations queue: on failure, after 2 retries",
        ]
    return sorted(edges)


def expected_parallel(vendors: tuple[str, ...]) -> list[str]:
    return sorted(["State machine -> Requester: step 1: task"]
                  + [f"State machine -> Responder · {vendor}: step 2: Parallel branch" for vendor in vendors])


def test_the_sns_stacks_wiring_is_exactly_its_design(synthesized):
    wiring = from_template(synthesized.templates[SNS], SNS)
    found, expected = wiring.described(), expected_sns(synthesized.vendors, synthesized.batching_window,
                                                       synthesized.deadline)
    assert sorted(set(found) - set(expected)) == []  # nothing drawn that the stack does not wire
    assert sorted(set(expected) - set(found)) == []  # nothing the stack wires left out
    assert len(found) == len(expected)
    assert sorted(n.vendor for n in wiring.nodes if n.role == "responder") == sorted(synthesized.vendors)


def test_the_parallel_stacks_wiring_is_its_state_machines_tasks(synthesized):
    wiring = from_template(synthesized.templates[PARALLEL], PARALLEL)
    assert wiring.described() == expected_parallel(synthesized.vendors)
    assert {n.role for n in wiring.nodes} == {"state-machine", "requester", "responder"}


def test_the_diagram_of_each_stack_draws_one_arrow_per_edge(synthesized):
    for stack in (SNS, PARALLEL):
        wiring = from_template(synthesized.templates[stack], stack)
        svg = architecture_svg(wiring)
        assert svg.count('<g class="link"') == len(wiring.edges)
        assert svg.count('<g class="resource"') == len(wiring.nodes)
