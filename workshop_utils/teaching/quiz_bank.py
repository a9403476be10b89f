"""The questions of each notebook's quiz, read from quizzes/<notebook>.yaml and checked as they are read."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

QUIZ_DIR = Path(__file__).parent / "quizzes"
QUESTION_FIELDS = {
    "question": "the text the learner answers",
    "choices": "a list of choices, each with its text and feedback",
    "explanation": "the lesson shown after any answer",
}
CHOICE_FIELDS = {"text": "the answer as the learner reads it", "feedback": "why this answer is right or wrong"}
LETTERS = "abcdefgh"  # how the quiz names the choices, in their order
MOST_CHOICES = len(LETTERS)
_COUNTS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight"}


@dataclass(frozen=True)
class Choice:
    """One answer, and why it is right or wrong (shown when it is checked)."""

    text: str
    feedback: str
    correct: bool = False


@dataclass(frozen=True)
class Question:
    """A multiple-choice question; `explanation` is the lesson, shown after any answer."""

    prompt: str
    choices: tuple[Choice, ...]
    explanation: str

    @property
    def answer(self) -> Choice:
        return next(choice for choice in self.choices if choice.correct)


class QuizFileError(ValueError):
    """A quiz file that cannot be used; the message names the file and the question, and says what to do."""


class _FieldTwice(Exception):
    """A field written twice in one question or choice, on `line`."""

    def __init__(self, field: Any, line: int) -> None:
        super().__init__(field, line)
        self.field, self.line = field, line


# libyaml's parser (in PyYAML's wheels) reads a file in 1 ms instead of 11; the pure-Python one gives the same data.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_SafeLoader):
    """YAML's safe loader, except that a field written twice is an error (YAML itself keeps the last silently)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise _FieldTwice(key, key_node.start_mark.line + 1)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def choice_letter(index: int) -> str:
    """The letter the quiz shows for the choice at `index` (0: a)."""
    return LETTERS[index]


def _text(value: Any, where: str, field: str, what: str) -> str:
    """A field's text, or the sentence that says what it lacks."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise QuizFileError(f"{where}: `{field}` is empty; write {what}.")
    if not isinstance(value, str):
        raise QuizFileError(f"{where}: `{field}` is not text; write it on the indented lines after `{field}: >-`.")
    if value.count("`") % 2:
        raise QuizFileError(f"{where}: `{field}` opens a `code` backtick it never closes; add the closing `.")
    return value


def _fields(entry: Any, where: str, kind: str, fields: dict[str, str], optional: tuple[str, ...] = ()) -> None:
    """Check that a question or a choice is a set of known fields, none missing."""
    if not isinstance(entry, dict):
        raise QuizFileError(f"{where}: write it as fields ({', '.join(fields)}), like the other {kind}s.")
    for field in entry:
        if field not in fields and field not in optional:
            known = ", ".join([*fields, *optional])
            raise QuizFileError(f"{where}: `{field}` is not a field of a {kind}; use {known}.")
    for field, what in fields.items():
        if field not in entry:
            raise QuizFileError(f"{where}: it has no `{field}`; add one ({what}).")


def _choice(entry: Any, where: str) -> Choice:
    _fields(entry, where, "choice", CHOICE_FIELDS, optional=("right",))
    right = entry.get("right", False)
    if not isinstance(right, bool):
        raise QuizFileError(f"{where}: `right` is {right!r}; write `right: true` (no quotes) on the right choice only.")
    texts = {field: _text(entry[field], where, field, what) for field, what in CHOICE_FIELDS.items()}
    return Choice(texts["text"], texts["feedback"], correct=right)


def _question(entry: Any, where: str) -> Question:
    _fields(entry, where, "question", QUESTION_FIELDS)
    prompt = _text(entry["question"], where, "question", QUESTION_FIELDS["question"])
    listed = entry["choices"]
    if not isinstance(listed, list):
        raise QuizFileError(f"{where}: `choices` is not a list; start each choice with `- text:` on a line of its own.")
    if not 2 <= len(listed) <= MOST_CHOICES:
        plural = "s" * (len(listed) != 1)
        raise QuizFileError(f"{where}: it has {len(listed)} choice{plural}; give 2 to {MOST_CHOICES}.")
    choices = tuple(_choice(choice, f"{where}, choice {choice_letter(index)}") for index, choice in enumerate(listed))
    right = [choice_letter(index) for index, choice in enumerate(choices) if choice.correct]
    if not right:
        raise QuizFileError(f"{where}: no choice is marked right; mark exactly one with `right: true`.")
    if len(right) > 1:
        raise QuizFileError(
            f"{where}: {_COUNTS[len(right)]} choices are marked right ({', '.join(right)}); mark exactly one."
        )
    for index, choice in enumerate(choices):
        for other in range(index):
            if choices[other].text == choice.text:
                both = f"{choice_letter(other)} and {choice_letter(index)}"
                raise QuizFileError(f"{where}: choices {both} have the same text; make them differ.")
    explanation = _text(entry["explanation"], where, "explanation", QUESTION_FIELDS["explanation"])
    return Question(prompt, choices, explanation)


def load_quiz(path: Path) -> tuple[Question, ...]:
    """The questions of one quiz file, in its order; QuizFileError says what to fix in it."""
    try:
        written = yaml.load(path.read_text(encoding="utf-8"), Loader=_StrictLoader)
    except UnicodeDecodeError:
        raise QuizFileError(f"{path.name}: it is not UTF-8 text; save it as UTF-8 in your editor.") from None
    except _FieldTwice as twice:
        raise QuizFileError(
            f"{path.name}, line {twice.line}: `{twice.field}` is written twice in one question or choice; keep one."
        ) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = f", line {mark.line + 1}" if mark else ""
        raise QuizFileError(
            f"{path.name}{line}: this is not valid YAML ({error.problem}); indent it like the questions around it, "
            "with each text on the indented lines after its `>-`."
        ) from None
    if not isinstance(written, list) or not written:
        raise QuizFileError(f"{path.name}: it holds no list of questions; start each question with `- question:`.")
    return tuple(_question(entry, f"{path.name}, question {number}") for number, entry in enumerate(written, 1))


def quiz_files() -> dict[str, Path]:
    """Each notebook's quiz file, by the notebook's number ('02b' for 02b_aggregator_and_failures.yaml)."""
    files: dict[str, Path] = {}
    for path in sorted(QUIZ_DIR.glob("*.yaml")):
        key = path.stem.split("_", 1)[0]
        if key in files:
            raise QuizFileError(f"{files[key].name} and {path.name} are both notebook {key}'s quiz; keep one.")
        files[key] = path
    return files


def all_quizzes() -> dict[str, tuple[Question, ...]]:
    """Every shipped quiz, read and checked, by notebook number."""
    return {key: load_quiz(path) for key, path in quiz_files().items()}


def main() -> int:
    """Check every quiz file (a facilitator's edit) and say in one sentence what to fix, or that all is well."""
    try:
        quizzes = all_quizzes()
    except QuizFileError as error:
        print(error)
        return 1
    print(f"All {len(quizzes)} quiz files are valid ({sum(map(len, quizzes.values()))} questions) in {QUIZ_DIR}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
