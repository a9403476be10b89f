"""The quizzes' files: every shipped one valid; each kind of broken file named in one sentence that says what to do."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from workshop_utils.repo import REPO_ROOT
from workshop_utils.teaching import quiz, quiz_bank
from workshop_utils.tools.run_notebooks import NOTEBOOK_DIR

# A valid file, as a facilitator writes one; each broken case below changes one thing in it.
VALID = """\
- question: >-
    Which piece does the scatter?
  choices:
    - text: >-
        The SNS topic.
      right: true
      feedback: >-
        Right: publishing once reaches every subscriber.
    - text: >-
        The SQS queue.
      feedback: >-
        No: the queue gathers.
  explanation: >-
    Scatter by publish-subscribe, gather by a queue.
"""
SECOND_CHOICE = """\
    - text: >-
        The SQS queue.
      feedback: >-
        No: the queue gathers.
"""
NAME = "02_sns_scatter_gather.yaml"

BROKEN = {
    "two right": (
        VALID.replace("        The SQS queue.\n", "        The SQS queue.\n      right: true\n"),
        f"{NAME}, question 1: two choices are marked right (a, b); mark exactly one.",
    ),
    "none right": (
        VALID.replace("      right: true\n", ""),
        f"{NAME}, question 1: no choice is marked right; mark exactly one with `right: true`.",
    ),
    "right not true or false": (
        VALID.replace("right: true", "right: maybe"),
        f"{NAME}, question 1, choice a: `right` is 'maybe'; write `right: true` (no quotes) on the right choice only.",
    ),
    "a choice without feedback": (
        VALID.replace("      feedback: >-\n        No: the queue gathers.\n", ""),
        f"{NAME}, question 1, choice b: it has no `feedback`; add one (why this answer is right or wrong).",
    ),
    "an empty text": (
        VALID.replace("    - text: >-\n        The SQS queue.\n", "    - text:\n"),
        f"{NAME}, question 1, choice b: `text` is empty; write the answer as the learner reads it.",
    ),
    "a number for a text": (
        VALID.replace("    - text: >-\n        The SQS queue.\n", "    - text: 42\n"),
        f"{NAME}, question 1, choice b: `text` is not text; write it on the indented lines after `text: >-`.",
    ),
    "a question without explanation": (
        VALID.split("  explanation:")[0],
        f"{NAME}, question 1: it has no `explanation`; add one (the lesson shown after any answer).",
    ),
    "a misspelt field": (
        VALID.replace("explanation:", "explaination:"),
        f"{NAME}, question 1: `explaination` is not a field of a question; use question, choices, explanation.",
    ),
    "one choice only": (
        VALID.replace(SECOND_CHOICE, ""),
        f"{NAME}, question 1: it has 1 choice; give 2 to 8.",
    ),
    "choices not a list": (
        VALID.split("  choices:")[0] + "  choices: The SNS topic.\n  explanation: >-\n    Why.\n",
        f"{NAME}, question 1: `choices` is not a list; start each choice with `- text:` on a line of its own.",
    ),
    "a choice that is not fields": (
        VALID.replace(SECOND_CHOICE, "    - The SQS queue.\n"),
        f"{NAME}, question 1, choice b: write it as fields (text, feedback), like the other choices.",
    ),
    "the same choice twice": (
        VALID.replace("The SQS queue.", "The SNS topic."),
        f"{NAME}, question 1: choices a and b have the same text; make them differ.",
    ),
    "an unclosed backtick": (
        VALID.replace("No: the queue gathers.", "No: the `queue gathers."),
        f"{NAME}, question 1, choice b: `feedback` opens a `code` backtick it never closes; add the closing `.",
    ),
    "a field written twice": (
        VALID.replace(SECOND_CHOICE, SECOND_CHOICE + "      feedback: >-\n        Again.\n"),
        f"{NAME}, line 13: `feedback` is written twice in one question or choice; keep one.",
    ),
    "an empty file": (
        "# nothing yet\n",
        f"{NAME}: it holds no list of questions; start each question with `- question:`.",
    ),
    "a question that is not fields": (
        "- Which piece does the scatter?\n",
        f"{NAME}, question 1: write it as fields (question, choices, explanation), like the other questions.",
    ),
}


@pytest.fixture
def quiz_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(quiz_bank, "QUIZ_DIR", tmp_path)
    return tmp_path


def test_every_shipped_file_is_valid_and_named_after_its_notebook():
    quizzes = quiz_bank.all_quizzes()
    notebooks = {path.stem for path in NOTEBOOK_DIR.glob("[0-9]*.ipynb")}
    assert {path.stem for path in quiz_bank.quiz_files().values()} == notebooks
    assert all(quizzes.values())


def test_the_check_command_says_every_file_is_valid(capsys):
    assert quiz_bank.main() == 0
    assert capsys.readouterr().out.startswith(f"All {len(quiz_bank.quiz_files())} quiz files are valid")


def test_a_valid_file_reads_as_written(quiz_dir):
    (quiz_dir / NAME).write_text(VALID)
    [question] = quiz_bank.load_quiz(quiz_dir / NAME)
    assert question.prompt == "Which piece does the scatter?"
    assert [choice.text for choice in question.choices] == ["The SNS topic.", "The SQS queue."]
    assert question.answer.feedback == "Right: publishing once reaches every subscriber."
    assert question.explanation == "Scatter by publish-subscribe, gather by a queue."


@pytest.mark.parametrize(("text", "sentence"), BROKEN.values(), ids=BROKEN.keys())
def test_each_kind_of_broken_file_gets_its_sentence(quiz_dir, text, sentence):
    (quiz_dir / NAME).write_text(text)
    with pytest.raises(quiz_bank.QuizFileError) as raised:
        quiz_bank.load_quiz(quiz_dir / NAME)
    assert str(raised.value) == sentence


def test_invalid_yaml_names_the_line_and_what_to_do(quiz_dir):
    # A colon then a space inside a text not written after `>-`: the commonest slip.
    (quiz_dir / NAME).write_text(VALID.replace("question: >-\n    Which piece", "question: Which: piece"))
    with pytest.raises(quiz_bank.QuizFileError, match=rf"^{NAME}, line 1: this is not valid YAML \(.+\); indent it"):
        quiz_bank.load_quiz(quiz_dir / NAME)


def test_a_file_not_in_utf8_is_named(quiz_dir):
    (quiz_dir / NAME).write_bytes(VALID.replace("The SQS queue.", "La file SQS, évidemment.").encode("latin-1"))
    with pytest.raises(quiz_bank.QuizFileError, match=rf"^{NAME}: it is not UTF-8 text; save it as UTF-8"):
        quiz_bank.load_quiz(quiz_dir / NAME)


def test_two_files_for_one_notebook_are_refused(quiz_dir):
    (quiz_dir / NAME).write_text(VALID)
    (quiz_dir / "02_copy.yaml").write_text(VALID)
    sentence = rf"^02_copy\.yaml and {NAME} are both notebook 02's quiz; keep one\.$"
    with pytest.raises(quiz_bank.QuizFileError, match=sentence):
        quiz_bank.quiz_files()
    assert quiz_bank.main() == 1


def test_an_edit_shows_when_the_cell_runs_again(quiz_dir):
    (quiz_dir / NAME).write_text(VALID)
    assert quiz.quiz("02").questions[0].question.prompt == "Which piece does the scatter?"
    (quiz_dir / NAME).write_text(VALID.replace("Which piece", "What"))
    assert quiz.quiz("02").questions[0].question.prompt == "What does the scatter?"


def test_a_broken_file_shows_its_sentence_in_the_cell_not_a_traceback(quiz_dir):
    (quiz_dir / NAME).write_text(BROKEN["two right"][0])
    shown = quiz.quiz("02")
    assert "two choices are marked right (a, b); mark exactly one." in shown.value
    assert "This quiz cannot be shown." in shown.value


def test_the_package_data_ships_every_quiz_file():
    # `make setup` installs in editable mode; a wheel (a non-editable install) carries only what package-data names.
    settings = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    package_dir = REPO_ROOT / "workshop_utils" / "teaching"
    shipped = {path for pattern in settings["workshop_utils.teaching"] for path in package_dir.glob(pattern)}
    assert set(quiz_bank.quiz_files().values()) <= shipped
