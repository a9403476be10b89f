"""Check-your-understanding quizzes: ipywidgets multiple choice with explained feedback, and a static HTML copy."""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets

from workshop_utils.render._common import inline_markdown, markdown_marks_removed
from workshop_utils.teaching.quiz_bank import Question, QuizFileError, choice_letter, load_quiz, quiz_files

_FONT = "font-family:system-ui,sans-serif"  # the widget's own text keeps the theme's colour (light or dark)
_INK = "color:#1f2328"  # on the static copy's own white background
_RIGHT = ("#1a7f37", "#dafbe1")
_WRONG = ("#9a6700", "#fff8c5")  # amber, not red: a wrong answer is part of learning, not an error
PICK_FIRST = "Pick an answer first, then click Check."


def questions_for(notebook: str) -> tuple[Question, ...]:
    """The questions of a notebook ('03' or '03_side_by_side'), read from its file at each call (edits show)."""
    key = notebook.rsplit("/", 1)[-1].removesuffix(".ipynb").split("_", 1)[0]
    files = quiz_files()
    if key not in files:
        raise ValueError(f"No quiz for notebook {notebook!r}: pass one of {', '.join(files)}.")
    return load_quiz(files[key])


# ---------------------------------------------------------------- pure renderers


def feedback_html(question: Question, picked: int | None) -> str:
    """What the learner reads after clicking Check with choice `picked` (None: nothing picked yet)."""
    if picked is None:
        return f'<div style="{_FONT};padding:4px 0">{html.escape(PICK_FIRST)}</div>'
    choice = question.choices[picked]
    fg, bg = _RIGHT if choice.correct else _WRONG
    lines = [f"<b>{'✔' if choice.correct else '✘'}</b> {inline_markdown(choice.feedback)}"]
    if not choice.correct:
        answer = question.choices.index(question.answer)
        lines.append(f"The answer is {choice_letter(answer)}: <i>{inline_markdown(question.answer.text)}</i>")
    lines.append(inline_markdown(question.explanation))
    body = "<br>".join(lines)
    return (
        f'<div class="quiz-feedback" style="{_FONT};color:{fg};background:{bg};border-radius:6px;'
        f'padding:6px 10px;margin:4px 0">{body}</div>'
    )


def _prompt_html(number: int, question: Question) -> str:
    # Lettered lines, which wrap; the widget's buttons carry only the letters (a radio button's label is one
    # line high and would overlap the next one when it wraps).
    choices = "".join(
        f'<div style="margin:2px 0 2px 12px"><b>{choice_letter(index)}.</b> {inline_markdown(choice.text)}</div>'
        for index, choice in enumerate(question.choices)
    )
    return f'<div style="{_FONT}"><b>{number}. {inline_markdown(question.prompt)}</b>{choices}</div>'


def _static_question(number: int, question: Question) -> str:
    reasons = "".join(
        f"<li>{choice_letter(index)}. {'✔' if choice.correct else '✘'} {inline_markdown(choice.feedback)}</li>"
        for index, choice in enumerate(question.choices)
    )
    return (
        f'<div style="margin:8px 0">{_prompt_html(number, question)}'
        f'<details><summary style="cursor:pointer">Answer and explanation</summary>'
        f'<ul style="margin:4px 0;list-style:none;padding-left:12px">{reasons}</ul>'
        f"<div>{inline_markdown(question.explanation)}</div></details></div>"
    )


def quiz_html(questions: tuple[Question, ...], title: str = "Questions on this notebook") -> str:
    """The quiz as static HTML (no script): every question, its choices, and the answers behind a <details>."""
    body = "".join(_static_question(number, question) for number, question in enumerate(questions, 1))
    return (
        f'<div class="workshop-quiz" style="{_FONT};{_INK};background:#ffffff;border:1px solid #d0d7de;'
        f'border-radius:8px;padding:10px 14px;margin:6px 0"><h4 style="margin:2px 0 8px">'
        f"{html.escape(title)}</h4>{body}</div>"
    )


# ---------------------------------------------------------------- widgets


class QuestionWidget(widgets.VBox):
    """One question: its choices, a button per choice letter, a Check button, and the feedback below."""

    def __init__(self, number: int, question: Question) -> None:
        self.question = question
        self.prompt = widgets.HTML(_prompt_html(number, question))
        self.choices = widgets.ToggleButtons(
            options=[(choice_letter(index), index) for index in range(len(question.choices))],
            value=None,
            tooltips=[markdown_marks_removed(choice.text) for choice in question.choices],
            style=widgets.ToggleButtonsStyle(button_width="48px"),
        )
        self.check = widgets.Button(description="Check", button_style="primary", tooltip="Check your answer")
        self.feedback = widgets.HTML("")
        self.check.on_click(lambda _button: self.show_feedback())
        # Feedback speaks of the choice that was checked: picking another clears it until Check is clicked.
        self.choices.observe(lambda _change: setattr(self.feedback, "value", ""), names="value")
        answer_row = widgets.HBox([self.choices, self.check], layout=widgets.Layout(align_items="center"))
        super().__init__([self.prompt, answer_row, self.feedback], layout=widgets.Layout(margin="0 0 8px 0"))

    def show_feedback(self) -> None:
        self.feedback.value = feedback_html(self.question, self.choices.value)


class Quiz(widgets.VBox):
    """A notebook's questions; displayed, it also carries the static copy that HTML exports show."""

    def __init__(self, questions: tuple[Question, ...], title: str = "Questions on this notebook") -> None:
        self.questions = [QuestionWidget(number, question) for number, question in enumerate(questions, 1)]
        self.static_html = quiz_html(questions, title)
        heading = widgets.HTML(f'<h4 style="{_FONT};margin:2px 0 4px">{html.escape(title)}</h4>')
        super().__init__([heading, *self.questions])

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        # JupyterLab renders the widget view; nbconvert, without the widget's state, falls back to text/html.
        bundle = super()._repr_mimebundle_(**kwargs)
        bundle["text/html"] = self.static_html
        return bundle


def file_problem_html(problem: QuizFileError) -> str:
    """What the quiz cell shows instead of the questions when their file cannot be used: the sentence to fix it."""
    fg, bg = _WRONG
    return (
        f'<div class="quiz-file-problem" style="{_FONT};color:{fg};background:{bg};border-radius:6px;'
        f'padding:6px 10px;margin:4px 0"><b>This quiz cannot be shown.</b> {html.escape(str(problem))}</div>'
    )


def quiz(notebook: str) -> Quiz | widgets.HTML:
    """The quiz widget of a notebook ('01', '02b', ...), or the sentence that says what to fix in its file."""
    try:
        return Quiz(questions_for(notebook))
    except QuizFileError as problem:
        return widgets.HTML(file_problem_html(problem))
