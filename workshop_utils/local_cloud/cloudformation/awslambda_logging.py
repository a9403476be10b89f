"""LoggingConfig for Lambda functions (moto 5.2.5 drops it): stored on the function, returned by the API."""

from __future__ import annotations

from typing import Any

from moto.awslambda.models import LambdaFunction

_CLASSES: dict[type, type] = {}


class LoggingConfigMixin:
    """Adds ``LoggingConfig`` to GetFunction/GetFunctionConfiguration and accepts it in updates.

    The function keeps it as ``logging_config`` (the API shape) and ``logs_group_name`` (the attribute
    moto's own runtime writes logs to), so a runtime finds the log group in either.
    """

    logging_config: dict[str, str]
    function_name: str
    logs_group_name: str

    def get_configuration(self, on_create: bool = False) -> dict[str, Any]:
        config = super().get_configuration(on_create)  # type: ignore[misc]
        config["LoggingConfig"] = dict(self.logging_config)
        return config

    def update_configuration(self, config_updates: dict[str, Any]) -> dict[str, Any]:
        if "LoggingConfig" in config_updates:
            set_logging_config(self, config_updates["LoggingConfig"])  # type: ignore[arg-type]
        return super().update_configuration(config_updates)  # type: ignore[misc]


def set_logging_config(function: Any, logging_config: dict[str, Any] | None) -> None:
    """Store ``logging_config`` on ``function`` with AWS's defaults filled in."""
    given = logging_config or {}
    config = {
        "LogFormat": given.get("LogFormat", "Text"),
        "LogGroup": given.get("LogGroup") or f"/aws/lambda/{function.function_name}",
    }
    if config["LogFormat"] == "JSON":
        config["ApplicationLogLevel"] = given.get("ApplicationLogLevel", "INFO")
        config["SystemLogLevel"] = given.get("SystemLogLevel", "INFO")
    function.logging_config = config
    function.logs_group_name = config["LogGroup"]


def supports_logging_config(function: LambdaFunction) -> bool:
    return isinstance(function, LoggingConfigMixin) or "LoggingConfig" in function.get_configuration()


def attach_logging_config(function: LambdaFunction, logging_config: dict[str, Any] | None) -> None:
    """Give ``function`` its LoggingConfig.

    If the function's class does not report LoggingConfig itself, the function becomes an instance of a
    subclass of its own class with :class:`LoggingConfigMixin` first, so whatever class the Lambda backend
    builds (moto's or the local cloud runtime's) keeps its behaviour.
    """
    if not supports_logging_config(function):
        function.__class__ = logging_config_class(type(function))
    if isinstance(function, LoggingConfigMixin):
        set_logging_config(function, logging_config)


def logging_config_class(function_class: type) -> type:
    """The (cached) subclass of ``function_class`` that reports LoggingConfig."""
    if function_class not in _CLASSES:
        _CLASSES[function_class] = type(
            f"{function_class.__name__}WithLoggingConfig", (LoggingConfigMixin, function_class), {}
        )
    return _CLASSES[function_class]
