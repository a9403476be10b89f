"""A cell whose local cloud stops mid-call ends in one sentence that says how to go on, not a traceback."""

from __future__ import annotations

import pytest
from botocore.exceptions import EndpointConnectionError

from workshop_utils import notebook
from workshop_utils.cloud import target
from workshop_utils.local_cloud import service
from workshop_utils.ui import cloud_stopped, widgets
from workshop_utils.ui.cloud_stopped import STOPPED, LocalCloudStopped, guarded


@pytest.fixture
def cloud(monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """The target as the guard sees it: local (or not), the cloud up (or not)."""
    seen: dict[str, object] = {"target": "local", "healthy": False}
    monkeypatch.setattr(target, "current", lambda: seen["target"])
    monkeypatch.setattr(target, "endpoint_override", lambda: None)
    monkeypatch.setattr(service, "status", lambda **_: service.Status(bool(seen["healthy"]), bool(seen["healthy"])))
    return seen


def lose_the_connection() -> None:
    raise EndpointConnectionError(endpoint_url="http://127.0.0.1:4566/")


def test_a_lost_connection_to_a_stopped_local_cloud_ends_in_the_sentence(cloud) -> None:
    with pytest.raises(LocalCloudStopped) as raised:
        guarded(lose_the_connection)()

    assert str(raised.value) == STOPPED
    assert raised.value._render_traceback_() == [STOPPED]  # what IPython prints instead of a traceback
    assert raised.value.__suppress_context__


def test_a_connection_error_deep_in_the_cause_chain_counts(cloud) -> None:
    def wrapped() -> None:
        try:
            lose_the_connection()
        except EndpointConnectionError as error:
            raise TimeoutError("no quotes") from error

    with pytest.raises(LocalCloudStopped):
        guarded(wrapped)()


@pytest.mark.parametrize("situation", ["cloud still healthy", "target is aws", "not a connection error"])
def test_other_failures_keep_their_own_error(cloud, situation: str) -> None:
    cloud["healthy"] = situation == "cloud still healthy"
    cloud["target"] = "aws" if situation == "target is aws" else "local"

    def fail() -> None:
        if situation == "not a connection error":
            raise ValueError("days must be a number")
        lose_the_connection()

    with pytest.raises(ValueError if situation == "not a connection error" else EndpointConnectionError):
        guarded(fail)()


def test_every_public_function_of_the_notebook_facade_is_guarded() -> None:
    public = [getattr(notebook, name) for name in dir(notebook) if not name.startswith("_")]
    functions = [value for value in public if callable(value) and getattr(value, "__module__", "") == notebook.__name__
                 and not isinstance(value, type)]
    assert functions and all(hasattr(function, "__wrapped__") for function in functions)


def test_a_widget_callback_shows_the_sentence(cloud) -> None:
    try:
        lose_the_connection()
    except EndpointConnectionError as error:
        html = widgets.error_html(error)

    assert "make cloud-start" in html and "Traceback" not in html
    assert cloud_stopped.explain(ValueError("x")).args == ("x",)
