"""The SNS stack's wiring as one function: the learner's scaffold, the solution, and the shipped stack."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from aws_cdk import cx_api
from infra_test_support import SNS, THREE_VENDORS, Synthesized, synthesize

from infra.app import build_app
from infra.config import EXERCISES_DIR, EXERCISES_DIR_ENV, WiringConfigError
from workshop_utils.teaching import exercise_files, wiring_exercise

SCAFFOLD_SENTENCES = [
    "The requester has no OnSuccess destination: its result never reaches the topic (✏️ 1).",
    "The responders' OnSuccess destination is not the aggregation queue: their quotes never reach the "
    "aggregator (✏️ 2).",
    "The responders are not subscribed to the topic: no vendor hears of a request (✏️ 3).",
    "The aggregation queue has no event source: the aggregator will never run (✏️ 4).",
]


def _exercises(tmp: Path, wiring_text: str) -> Path:
    folder = tmp / "exercises"
    folder.mkdir()
    (folder / "sns_wiring.py").write_text(wiring_text, encoding="utf-8")
    return folder


def _scaffold() -> str:
    return (EXERCISES_DIR / "sns_wiring.py").read_text(encoding="utf-8")


def _synth_exercise(tmp_path_factory, monkeypatch, name: str, wiring_text: str,
                    context: dict | None = None) -> Synthesized:
    monkeypatch.setenv(EXERCISES_DIR_ENV, str(_exercises(tmp_path_factory.mktemp(f"{name}-src"), wiring_text)))
    return synthesize(tmp_path_factory.mktemp(name), {**(context or {}), "sns_wiring": "exercise"},
                      ("Avis", "Alamo"), 1, 10, True)


def _assert_nag_clean(synthesized: Synthesized) -> None:
    report = json.loads((synthesized.outdir / "validation-report.json").read_text())
    assert [r for r in report["pluginReports"] if r["violations"] or r.get("conclusion") == "failure"] == []
    levels = {message.level for message in synthesized.assembly.get_stack_by_name(SNS).messages}
    assert not levels & {cx_api.SynthesisMessageLevel.ERROR, cx_api.SynthesisMessageLevel.WARNING}


def test_the_solution_is_the_shipped_function_in_the_learners_file():
    solved = exercise_files.wiring_solution(_scaffold())
    shipped = (EXERCISES_DIR.parent / "infra" / "sns_wiring.py").read_text(encoding="utf-8")
    function = shipped[shipped.index("def wire_scatter_gather"):]
    assert function in solved
    assert "on_success=None" not in solved and "✏️" not in solved
    assert solved.startswith('"""Exercise of notebook 02a')  # the learner's header and imports stay


def test_the_unfilled_scaffold_fails_the_check_with_one_sentence_per_missing_piece(monkeypatch, tmp_path):
    monkeypatch.setenv(EXERCISES_DIR_ENV, str(_exercises(tmp_path, _scaffold())))
    report = wiring_exercise.check_here()
    assert report.error is None
    assert report.problems == SCAFFOLD_SENTENCES
    assert not report.passed
    assert not (tmp_path / "exercises" / "__pycache__").exists()  # nothing new in the learner's file browser


def test_a_half_done_wiring_is_told_only_what_is_left(monkeypatch, tmp_path):
    half = _scaffold().replace(
        "on_success=None,  # ✏️ 1", "on_success=destinations.SnsDestination(parts.topic),  # ✏️ 1"
    ).replace(
        "        # ✏️ 3. subscribe",
        "        parts.topic.add_subscription(subscriptions.LambdaSubscription(responder))\n        # ✏️ 3. subscribe",
    )
    monkeypatch.setenv(EXERCISES_DIR_ENV, str(_exercises(tmp_path, half)))
    assert wiring_exercise.check_here().problems == [SCAFFOLD_SENTENCES[1], SCAFFOLD_SENTENCES[3]]


def test_wrong_pieces_are_named(monkeypatch, tmp_path):
    wrong = exercise_files.wiring_solution(_scaffold()).replace(
        "on_success=destinations.SnsDestination(parts.topic)",
        "on_success=destinations.SqsDestination(parts.aggregation_queue)",
    ).replace("batch_size=len(parts.responders)", "batch_size=1")
    monkeypatch.setenv(EXERCISES_DIR_ENV, str(_exercises(tmp_path, wrong)))
    assert wiring_exercise.check_here().problems == [
        "The requester's OnSuccess destination is not the topic: no vendor hears of a request (✏️ 1).",
        "The aggregator's event source takes batches of 1, not one message per vendor (2, len(parts.responders)) "
        "(✏️ 4).",
    ]


def test_the_solution_passes_and_synthesizes_the_shipped_template(two_vendors, tmp_path_factory, monkeypatch):
    solved = _synth_exercise(tmp_path_factory, monkeypatch, "solved", exercise_files.wiring_solution(_scaffold()))
    assert solved.templates[SNS] == two_vendors.templates[SNS]
    _assert_nag_clean(solved)
    assert wiring_exercise.check_here().passed


def test_the_solution_matches_the_shipped_stack_with_three_vendors(three_vendors, tmp_path_factory, monkeypatch):
    context = {
        "recipients": json.dumps(THREE_VENDORS),
        "max_batching_window_seconds": "5",
        "aggregation_deadline_seconds": "7",
        "parallel_catch_failures": "false",
    }
    solved = _synth_exercise(tmp_path_factory, monkeypatch, "solved3", exercise_files.wiring_solution(_scaffold()),
                             context)
    assert solved.templates[SNS] == three_vendors.templates[SNS]


def test_cdk_nag_passes_for_the_unfilled_scaffold(tmp_path_factory, monkeypatch):
    _assert_nag_clean(_synth_exercise(tmp_path_factory, monkeypatch, "scaffold", _scaffold()))


@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        ("def wire_scatter_gather(parts)\n    pass\n", "exercises/sns_wiring.py has a syntax error on line 1"),
        ("import no_such_module\n", "exercises/sns_wiring.py stopped with ModuleNotFoundError"),
        ("def wire(parts):\n    pass\n", "exercises/sns_wiring.py has no function wire_scatter_gather(parts)"),
        ("def wire_scatter_gather(parts):\n    parts.topic.add_subscription(None)\n",
         "Your wire_scatter_gather in exercises/sns_wiring.py raised"),
    ],
)
def test_a_broken_learner_file_is_one_sentence_with_the_way_out(monkeypatch, tmp_path, text, sentence):
    monkeypatch.setenv(EXERCISES_DIR_ENV, str(_exercises(tmp_path, text)))
    with pytest.raises(WiringConfigError) as raised:
        build_app({"sns_wiring": "exercise"}, nag=False)
    message = str(raised.value)
    assert message.startswith(sentence)
    assert message.endswith("or deploy the finished stack with ws.deploy(ws.SNS_STACK).")
    assert "\n" not in message


def test_an_unknown_wiring_is_refused():
    with pytest.raises(WiringConfigError, match="must be finished or exercise, not 'mine'"):
        build_app({"sns_wiring": "mine"}, nag=False)


def test_the_notebooks_check_runs_in_a_fresh_python_and_reads_the_file_as_saved(monkeypatch, tmp_path):
    monkeypatch.setenv(EXERCISES_DIR_ENV, str(_exercises(tmp_path, _scaffold())))
    assert wiring_exercise.check().problems == SCAFFOLD_SENTENCES
    (tmp_path / "exercises" / "sns_wiring.py").write_text("def wire_scatter_gather(parts)\n")
    report = wiring_exercise.check()
    assert report.error is not None and report.error.startswith("exercises/sns_wiring.py has a syntax error on line 1")
