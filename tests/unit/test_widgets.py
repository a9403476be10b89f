"""Widget callbacks driven with Button.click() against fake backends."""

import html

import pytest

from workshop_utils.quotes.request import QuoteRequest
from workshop_utils.ui import widgets


def test_clicking_the_button_sends_a_validated_request_and_shows_the_result():
    sent = []
    form = widgets.QuoteForm(
        "parallel", send=lambda r: sent.append(r) or {"ok": r.days_rental}, render=lambda r: f"<b>{r}</b>"
    )
    form.days.value = "4"
    form.button.click()
    assert sent == [QuoteRequest("XL", 4)]
    assert form.result() == {"ok": 4}
    assert "<b>" in form.result_view.value
    assert "Done" in form.status.value and not form.button.disabled


@pytest.mark.parametrize(
    ("days", "typed"),
    [("0", "you typed 0"), ("400", "you typed 400"), ("-3", "you typed -3"), ("abc", 'you typed "abc"'),
     ("", "the box is empty"), ("2.5", "you typed 2.5")],
)
def test_bad_days_are_refused_before_sending_in_the_forms_words(days, typed):
    sent = []
    form = widgets.QuoteForm("sns", send=sent.append, render=str)
    form.days.value = days
    form.button.click()
    assert sent == []
    assert "Not sent. Days must be a whole number from 1 to 365; " in form.status.value
    assert html.escape(typed) in form.status.value
    assert "data.days_rental" not in form.status.value and "InvalidQuoteInput" not in form.status.value
    with pytest.raises(ValueError, match="whole number"):
        form.result()


def test_refused_input_clears_the_previous_result():
    form = widgets.QuoteForm(
        "parallel", send=lambda r: {"quotes": r.days_rental}, render=lambda r: "<table>quotes</table>"
    )
    form.car_type.value, form.days.value = "Van", "5"
    form.button.click()
    assert "quotes" in form.result_view.value and form.result() == {"quotes": 5}
    form.car_type.value, form.days.value = "Economy", "400"
    form.button.click()
    assert form.result_view.value == ""  # the Van's table no longer sits under the refusal
    assert "you typed 400" in form.status.value and "Done" not in form.status.value
    with pytest.raises(ValueError, match="you typed 400"):
        form.result()


def test_a_new_request_replaces_the_previous_result_and_a_failed_one_clears_it():
    answers = iter([{"n": 1}, {"n": 2}])

    def send(_request):
        answer = next(answers, None)
        if answer is None:
            raise RuntimeError("ScatterGatherWithSNSStack is not deployed: run the deploy cell.")
        return answer

    form = widgets.QuoteForm("sns", send=send, render=lambda r: f"<b>result {r['n']}</b>")
    form.button.click()
    form.button.click()
    assert form.result_view.value == "<b>result 2</b>" and form.result() == {"n": 2}
    form.button.click()
    assert form.result_view.value == ""
    with pytest.raises(RuntimeError, match="not deployed"):
        form.result()


def test_a_backend_error_is_shown_in_the_form_not_raised_into_the_kernel():
    def broken(_request):
        raise RuntimeError("ScatterGatherWithSNSStack is not deployed: run the deploy cell.")

    form = widgets.QuoteForm("sns", send=broken, render=str)
    form.button.click()
    assert "run the deploy cell" in form.status.value
    assert "Traceback" not in form.status.value  # a learner error: its sentence only
    with pytest.raises(RuntimeError, match="not deployed"):
        form.result()


def test_an_unexpected_error_keeps_its_traceback_folded_away():
    def broken(_request):
        raise KeyError("surprise")

    form = widgets.QuoteForm("parallel", send=broken, render=str)
    form.button.click()
    assert "<details>" in form.status.value and "KeyError" in form.status.value


def test_unknown_pattern_is_refused():
    with pytest.raises(ValueError, match="Unknown pattern"):
        widgets.QuoteForm("carrier-pigeon")


def test_log_tail_start_stop_and_wait_for(monkeypatch):
    batches = [
        [],
        [{"timestamp": 1, "message": "hello"}],
        [{"timestamp": 1, "message": "hello"}, {"timestamp": 2, "message": "quotes: []"}],
    ]
    calls = []

    def fake_fetch(group, *, start_ms, end_ms=None):
        calls.append(group)
        return batches[min(len(calls) - 1, len(batches) - 1)]

    monkeypatch.setattr(widgets, "fetch_log_events", fake_fetch)
    tail = widgets.LogTail("/aws/lambda/agg", interval_s=0.01)
    tail.start_button.click()
    assert tail.stop_button.disabled is False
    found = tail.wait_for("quotes:", timeout_s=5)
    assert found["message"] == "quotes: []"
    tail.stop_button.click()
    assert tail.start_button.disabled is False and "Stopped" in tail.state.value
    assert "quotes:" in tail.view.value


def test_log_tail_wait_for_times_out_with_advice(monkeypatch):
    monkeypatch.setattr(widgets, "fetch_log_events", lambda group, **kw: [])
    tail = widgets.LogTail("/g", interval_s=0.01)
    with pytest.raises(TimeoutError, match="try again"):
        tail.wait_for("never", timeout_s=0.1)
    assert tail.start_button.disabled is False  # the tail it started is stopped again


def test_deploy_panel_streams_into_its_output_and_reports_success(monkeypatch):
    from workshop_utils.deploy import cdk

    calls = []

    def fake_deploy(stack, context=None):
        calls.append((stack, context))
        print("ScatterGatherWithParallelStack | 3/8 | CREATE_COMPLETE | AWS::Lambda::Function | Requester")
        return {"StatemachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:sm"}

    monkeypatch.setattr(cdk, "deploy", fake_deploy)
    panel = widgets.DeployPanel("ScatterGatherWithParallelStack", context={"recipients": {"Avis": {"base_rate": "1"}}})
    panel.deploy_button.click()
    assert calls == [("ScatterGatherWithParallelStack", {"recipients": {"Avis": {"base_rate": "1"}}})]
    assert panel.outputs["StatemachineArn"].endswith(":sm")
    assert "deployed" in panel.status.value and not panel.deploy_button.disabled
    assert "StatemachineArn" in panel.status.value  # the outputs, shown once, in the panel


def test_deploy_panel_shows_a_failed_deploy_sentence(monkeypatch):
    from workshop_utils.deploy import cdk

    def failing_deploy(stack, context=None):
        raise RuntimeError("`cdk deploy` failed: Function not found; fix the cause, then re-run this cell.")

    monkeypatch.setattr(cdk, "deploy", failing_deploy)
    panel = widgets.DeployPanel("ScatterGatherWithSNSStack")
    panel.deploy_button.click()
    assert panel.outputs is None
    assert "re-run this cell" in panel.status.value
