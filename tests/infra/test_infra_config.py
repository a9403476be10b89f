"""Parsing and validating the CDK context (pure, no jsii)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from infra.config import (
    DEFAULT_AGGREGATION_DEADLINE_SECONDS,
    DEFAULT_MAX_BATCHING_WINDOW_SECONDS,
    DEFAULT_PARALLEL_CATCH_FAILURES,
    DEFAULT_RECIPIENTS,
    BatchingWindowConfigError,
    CatchFailuresConfigError,
    ConfigError,
    DeadlineConfigError,
    RecipientsConfigError,
    Vendor,
    WorkshopConfig,
    load_config,
    parse_batching_window,
    parse_catch_failures,
    parse_deadline,
    parse_recipients,
)

CDK_JSON = Path(__file__).resolve().parents[2] / "cdk.json"


def test_defaults_match_cdk_json():
    context = json.loads(CDK_JSON.read_text())["context"]

    assert context["recipients"] == DEFAULT_RECIPIENTS
    assert context["max_batching_window_seconds"] == DEFAULT_MAX_BATCHING_WINDOW_SECONDS == 1
    assert context["aggregation_deadline_seconds"] == DEFAULT_AGGREGATION_DEADLINE_SECONDS == 10
    assert context["parallel_catch_failures"] is DEFAULT_PARALLEL_CATCH_FAILURES is True


def test_cdk_json_runs_the_app_module_with_the_venv_python():
    assert json.loads(CDK_JSON.read_text())["app"] == ".venv/bin/python -m infra.app"


def test_default_recipients_give_two_vendors_in_order():
    assert parse_recipients(DEFAULT_RECIPIENTS) == (Vendor("Avis", 99), Vendor("Alamo", 120))


def test_recipients_may_arrive_as_a_json_string():
    assert parse_recipients(json.dumps(DEFAULT_RECIPIENTS)) == parse_recipients(DEFAULT_RECIPIENTS)


def test_optional_latency_and_failure_rate():
    vendors = parse_recipients({"Hertz": {"base_rate": 110, "latency_ms": "250", "failure_rate": "0.5"}})

    assert vendors == (Vendor("Hertz", 110, latency_ms=250, failure_rate=0.5),)
    assert vendors[0].environment() == {
        "VENDOR": "Hertz",
        "BASE_RATE": "110",
        "LATENCY_MS": "250",
        "FAILURE_RATE": "0.5",
    }


@pytest.mark.parametrize("rate", [0, 1, "0", "1.0", 0.25])
def test_failure_rate_bounds_are_accepted(rate):
    assert 0 <= parse_recipients({"A": {"base_rate": "1", "failure_rate": rate}})[0].failure_rate <= 1


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("{not json", "it is not valid JSON"),
        ("", "it is not valid JSON"),
        ("[1, 2]", "it must be a JSON object of vendors, not list"),
        (["Avis"], "it must be a JSON object of vendors, not list"),
        (42, "not int"),
        ({}, "it names no vendor"),
        ("{}", "it names no vendor"),
        ({"Avis Budget": {"base_rate": "99"}}, "vendor name 'Avis Budget' must be 1 to 40 letters or digits"),
        ({"Avis-1": {"base_rate": "99"}}, "vendor name 'Avis-1'"),
        ({"": {"base_rate": "99"}}, "vendor name ''"),
        ({"Ävis": {"base_rate": "99"}}, "vendor name 'Ävis'"),
        ({"A" * 41: {"base_rate": "99"}}, "must be 1 to 40 letters or digits"),
        ({"Avis": "99"}, "vendor 'Avis' must map to an object"),
        ({"Avis": {}}, "vendor 'Avis' has no base_rate"),
        ({"Avis": {"base_rate": "abc"}}, "vendor 'Avis' has base_rate 'abc', which is not a positive integer"),
        ({"Avis": {"base_rate": "0"}}, "base_rate '0', which is not a positive integer"),
        ({"Avis": {"base_rate": -5}}, "base_rate -5, which is not a positive integer"),
        ({"Avis": {"base_rate": 9.5}}, "base_rate 9.5"),
        ({"Avis": {"base_rate": True}}, "base_rate True"),
        ({"Avis": {"base_rate": None}}, "base_rate None"),
        ({"Avis": {"base_rate": "1", "latency_ms": -1}}, "latency_ms -1, which is not an integer >= 0"),
        ({"Avis": {"base_rate": "1", "latency_ms": "soon"}}, "latency_ms 'soon'"),
        ({"Avis": {"base_rate": "1", "failure_rate": 1.5}}, "failure_rate 1.5, which is not a number from 0 to 1"),
        ({"Avis": {"base_rate": "1", "failure_rate": "nan"}}, "failure_rate 'nan'"),
        ({"Avis": {"base_rate": "1", "failure_rate": True}}, "failure_rate True"),
        ({"Avis": {"base_rate": "1", "rate": 2}}, "vendor 'Avis' has unknown key(s) ['rate']"),
    ],
)
def test_invalid_recipients_fail_with_one_sentence_saying_what_and_how(value, problem):
    with pytest.raises(RecipientsConfigError) as raised:
        parse_recipients(value)

    message = str(raised.value)
    assert message.startswith("The 'recipients' context is invalid: ")
    assert problem in message
    assert message.endswith("""-c recipients='{"Avis": {"base_rate": "99"}, "Alamo": {"base_rate": "120"}}'.""")
    assert "\n" not in message


@pytest.mark.parametrize(("value", "seconds"), [(0, 0), (1, 1), ("5", 5), (300, 300)])
def test_batching_window_accepts_0_to_300_seconds(value, seconds):
    assert parse_batching_window(value) == seconds


@pytest.mark.parametrize("value", [-1, 301, "1.5", 1.5, True, None, "soon"])
def test_batching_window_rejects_other_values(value):
    with pytest.raises(BatchingWindowConfigError, match=r"^The 'max_batching_window_seconds' context must be a whole"):
        parse_batching_window(value)


def test_load_config_uses_defaults_for_missing_context():
    expected = WorkshopConfig(vendors=parse_recipients(DEFAULT_RECIPIENTS), max_batching_window_seconds=1,
                              aggregation_deadline_seconds=10, parallel_catch_failures=True)

    assert load_config({}.get) == expected


def test_load_config_reads_every_key():
    config = load_config({"recipients": '{"Sixt": {"base_rate": "80"}}', "max_batching_window_seconds": "3",
                          "aggregation_deadline_seconds": "4", "parallel_catch_failures": "false"}.get)

    assert config == WorkshopConfig(vendors=(Vendor("Sixt", 80),), max_batching_window_seconds=3,
                                    aggregation_deadline_seconds=4, parallel_catch_failures=False)


@pytest.mark.parametrize(("value", "window", "seconds"), [(10, 1, 10), ("3", 1, 3), (1, 0, 1), (900, 300, 900)])
def test_deadline_accepts_whole_seconds_above_the_batching_window_up_to_900(value, window, seconds):
    assert parse_deadline(value, window) == seconds


@pytest.mark.parametrize(("value", "window"), [(0, 0), (1, 1), (5, 10), (901, 1), ("2.5", 1), (True, 0), ("soon", 1)])
def test_deadline_rejects_other_values_with_a_valid_example(value, window):
    with pytest.raises(DeadlineConfigError) as raised:
        parse_deadline(value, window)

    message = str(raised.value)
    assert message.startswith("The 'aggregation_deadline_seconds' context must be a whole number of seconds greater")
    example = int(message.rsplit("=", 1)[1].rstrip("."))
    assert parse_deadline(example, window) == example


def test_a_deadline_not_above_the_batching_window_is_refused_by_load_config():
    with pytest.raises(DeadlineConfigError, match=r"greater than 'max_batching_window_seconds' \(20\)"):
        load_config({"max_batching_window_seconds": 20}.get)


@pytest.mark.parametrize(("value", "catch"), [(True, True), (False, False), ("true", True), ("False", False)])
def test_catch_failures_accepts_booleans_and_their_strings(value, catch):
    assert parse_catch_failures(value) is catch


@pytest.mark.parametrize("value", ["yes", 1, 0, "", None])
def test_catch_failures_rejects_other_values(value):
    with pytest.raises(CatchFailuresConfigError, match=r"must be true or false, not .*; .* -c parallel_catch_failures"):
        parse_catch_failures(value)


def test_more_than_ten_vendors_need_a_batching_window():
    recipients = {f"V{index}": {"base_rate": "1"} for index in range(11)}

    with pytest.raises(BatchingWindowConfigError, match="at least 1 when there are more than 10 vendors"):
        load_config({"recipients": recipients, "max_batching_window_seconds": 0}.get)
    assert len(load_config({"recipients": recipients}.get).vendors) == 11


def test_config_errors_are_value_errors():
    assert issubclass(RecipientsConfigError, ConfigError)
    assert issubclass(BatchingWindowConfigError, ConfigError)
    assert issubclass(DeadlineConfigError, ConfigError)
    assert issubclass(CatchFailuresConfigError, ConfigError)
    assert issubclass(ConfigError, ValueError)
