"""The quizzes: a sound question bank, feedback on every click, and a static copy that HTML exports keep."""

from __future__ import annotations

import html

import nbformat
import pytest

from workshop_utils.render._common import inline_markdown, markdown_marks_removed
from workshop_utils.teaching import quiz
from workshop_utils.teaching.quiz_bank import all_quizzes
from workshop_utils.tools.run_notebooks import NOTEBOOK_DIR, write_html

QUESTIONS = all_quizzes()

ALL = [(key, number, question) for key, questions in QUESTIONS.items() for number, question in enumerate(questions)]
IDS = [f"{key}-q{number + 1}" for key, number, _ in ALL]


@pytest.mark.parametrize(("key", "number", "question"), ALL, ids=IDS)
def test_every_question_has_exactly_one_right_answer_and_feedback_for_each_choice(key, number, question):
    assert sum(choice.correct for choice in question.choices) == 1
    assert len(question.choices) >= 3
    assert all(choice.text.strip() and choice.feedback.strip() for choice in question.choices)
    assert len({choice.text for choice in question.choices}) == len(question.choices)
    assert question.prompt.strip() and question.explanation.strip()


def test_every_notebook_but_setup_has_two_to_four_questions():
    for path in NOTEBOOK_DIR.glob("[0-9]*.ipynb"):
        key = path.stem.split("_", 1)[0]
        assert key in QUESTIONS or key == "00", f"{path.name} has no questions"
    assert all(2 <= len(questions) <= 4 for questions in QUESTIONS.values())


@pytest.mark.parametrize(("key", "number", "question"), ALL, ids=IDS)
def test_clicking_check_shows_the_choices_feedback_and_the_explanation(key, number, question):
    widget = quiz.quiz(key).questions[number]
    for index, choice in enumerate(question.choices):
        widget.choices.value = index
        widget.check.click()
        shown = widget.feedback.value
        assert ("✔" in shown) is choice.correct and ("✘" in shown) is not choice.correct
        assert inline_markdown(choice.feedback) in shown
        assert inline_markdown(question.explanation) in shown
        if not choice.correct:
            assert inline_markdown(question.answer.text) in shown


def test_check_without_a_pick_asks_for_one():
    widget = quiz.quiz("01").questions[0]
    widget.check.click()
    assert quiz.PICK_FIRST in widget.feedback.value


def test_backticks_show_as_code():
    assert inline_markdown("run `cdk diff` <now>") == "run <code>cdk diff</code> &lt;now&gt;"


def test_unknown_notebook_says_which_exist():
    with pytest.raises(ValueError, match="pass one of 00, 01"):
        quiz.quiz("42")
    assert quiz.questions_for("03_side_by_side.ipynb") == QUESTIONS["03"]


def test_static_copy_holds_every_question_choice_and_explanation_without_script():
    page = quiz.quiz_html(QUESTIONS["02b"])
    assert "<script" not in page and "http" not in page
    for question in QUESTIONS["02b"]:
        assert inline_markdown(question.prompt) in page
        assert inline_markdown(question.explanation) in page
        for choice in question.choices:
            assert inline_markdown(choice.feedback) in page


def test_displayed_quiz_offers_the_widget_and_the_static_copy():
    bundle = quiz.quiz("03")._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/html"] == quiz.quiz_html(QUESTIONS["03"])


def test_html_copies_show_the_questions_and_explanations_statically(tmp_path):
    widget = quiz.quiz("01")
    cell = nbformat.v4.new_code_cell('ws.quiz("01")')
    cell.outputs = [nbformat.v4.new_output("display_data", data=widget._repr_mimebundle_())]
    notebook = nbformat.v4.new_notebook(cells=[cell])
    # What nbclient stores after a run: with the widget's state at hand, nbconvert would pick the widget view.
    state = {widget.model_id: {"model_name": "VBoxModel", "state": {}}}
    notebook.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": state}}
    page = write_html(notebook, tmp_path / "01.html").read_text()
    text = html.unescape(page)  # nbconvert re-serialises the HTML, with its own escaping
    for question in QUESTIONS["01"]:
        for shown in (question.prompt, question.explanation, *(choice.feedback for choice in question.choices)):
            assert html.unescape(inline_markdown(shown)) in text


def test_each_notebook_asks_its_own_quiz_just_before_its_recap():
    for path in sorted(NOTEBOOK_DIR.glob("[0-9]*.ipynb")):
        key = path.stem.split("_", 1)[0]
        if key not in QUESTIONS or key == "00":
            continue
        cells = nbformat.read(path, as_version=4).cells
        recap = next(i for i, cell in enumerate(cells) if cell.source.startswith("## Recap"))
        assert cells[recap - 1].source.strip() == f'ws.quiz("{key}")', path.name


def test_the_right_answer_is_not_always_in_the_same_place():
    places = [question.choices.index(question.answer) for questions in QUESTIONS.values() for question in questions]
    assert len(set(places)) == 3


def test_emphasis_renders_and_leaves_code_and_arithmetic_alone():
    assert inline_markdown("scatter *and* gather") == "scatter <em>and</em> gather"
    assert inline_markdown("`a*b*c` and 2 * 3 * 4") == "<code>a*b*c</code> and 2 * 3 * 4"
    assert markdown_marks_removed("scatter *and* `gather`") == "scatter and gather"


def test_no_question_shows_raw_markdown_once_rendered():
    for key, _number, question in ALL:
        texts = [question.prompt, question.explanation, *(c.text for c in question.choices),
                 *(c.feedback for c in question.choices)]
        for text in texts:
            rendered = inline_markdown(text)
            assert "`" not in rendered and "*" not in rendered.replace("<em>", "").replace("</em>", ""), (key, text)


def test_feedback_is_cleared_when_another_answer_is_picked():
    widget = quiz.quiz("01").questions[0]
    widget.choices.value = 0
    widget.check.click()
    assert widget.feedback.value
    widget.choices.value = 1
    assert widget.feedback.value == ""
    widget.check.click()
    assert inline_markdown(widget.question.choices[1].feedback) in widget.feedback.value
