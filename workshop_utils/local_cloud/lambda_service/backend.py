"""moto's Lambda backend and function, subclassed: invocations run in local workers, SQS mappings are polled."""

from __future__ import annotations

import copy
import importlib
from types import ModuleType
from typing import Any

from moto.awslambda.models import EventInvokeConfig, EventSourceMapping, LambdaBackend, LambdaFunction
from moto.core.exceptions import JsonRESTError

from ..lambda_runtime.functions import FunctionSpec
from ..lambda_runtime.logs import default_log_group
from . import services
from .invoke import handle_invoke


def _logging_config(value: dict[str, Any] | None, function_name: str, current: dict[str, Any] | None = None) -> dict:
    """LoggingConfig as GetFunctionConfiguration reports it; LogGroup defaults to /aws/lambda/<name>."""
    merged = {"LogFormat": "Text", **(current or {}), **(value or {})}
    if not merged.get("LogGroup"):
        merged["LogGroup"] = default_log_group(function_name)
    return merged


class LocalLambdaFunction(LambdaFunction):
    """A moto function that runs in the local runtime instead of Docker and honours LoggingConfig.LogGroup."""

    def __init__(self, account_id: str, spec: dict[str, Any], region: str, version: str | int = 1) -> None:
        super().__init__(account_id, spec, region, version)
        self.logging_config = _logging_config(spec.get("LoggingConfig"), self.function_name)
        self.logs_group_name = self.log_group  # moto's own name for it

    @property
    def log_group(self) -> str:
        return self.logging_config["LogGroup"]

    def get_configuration(self, on_create: bool = False) -> dict[str, Any]:
        configuration = super().get_configuration(on_create)
        configuration["LoggingConfig"] = dict(self.logging_config)
        return configuration

    def update_configuration(self, config_updates: dict[str, Any]) -> dict[str, Any]:
        if "LoggingConfig" in config_updates:
            self.logging_config = _logging_config(
                config_updates["LoggingConfig"], self.function_name, self.logging_config
            )
            self.logs_group_name = self.log_group
        return super().update_configuration(config_updates)

    def invoke(self, body: Any, request_headers: Any, response_headers: Any) -> bytes:
        running = services.current()
        return handle_invoke(self, body, request_headers, response_headers, runtime=running.runtime,
                             submit_event=running.async_invoker.submit)


class LocalLambdaBackend(LambdaBackend):
    """Creates LocalLambdaFunction, stops workers on delete, and replaces moto's inline SQS delivery by pollers."""

    @property
    def _url_module(self) -> ModuleType:  # type: ignore[override]
        # BaseBackend derives the urls module from the class's module; ours answers Invoke with its request id.
        return importlib.import_module(".urls", __package__)

    def create_function(self, spec: dict[str, Any]) -> LambdaFunction:
        function_name = spec.get("FunctionName")
        if function_name is None:
            raise JsonRESTError("InvalidParameterValueException", "Missing FunctionName")
        fn = LocalLambdaFunction(account_id=self.account_id, spec=spec, region=self.region_name, version="$LATEST")
        self._lambdas.put_function(fn)
        if spec.get("Publish"):
            published = self.publish_version(function_name)
            fn = copy.deepcopy(fn)  # report the published version without changing $LATEST
            fn.version = published.version  # type: ignore[union-attr]
        return fn

    def delete_function(self, function_name: str, qualifier: str | None = None) -> None:
        fn = self.get_function(function_name, qualifier)
        base_arn = fn.function_arn if str(fn.version) == "$LATEST" else fn.function_arn.rsplit(":", 1)[0]
        super().delete_function(function_name, qualifier)
        if services.installed():
            if qualifier in (None, ""):
                services.current().runtime.retire(base_arn)
            elif qualifier == "$LATEST":
                services.current().runtime.retire(base_arn, versions=False)
            else:
                services.current().runtime.retire(f"{base_arn}:{qualifier}")

    def update_function_code(self, function_name: str, qualifier: str, body: dict[str, Any]) -> dict[str, Any] | None:
        result = super().update_function_code(function_name, qualifier, body)
        self._refresh_workers(function_name)
        return result

    def update_function_configuration(
        self, function_name: str, qualifier: str, body: dict[str, Any]
    ) -> dict[str, Any] | None:
        result = super().update_function_configuration(function_name, qualifier, body)
        self._refresh_workers(function_name)
        return result

    def _refresh_workers(self, function_name: str) -> None:
        """New code or configuration retires the warm workers now, as a redeploy does in AWS."""
        if services.installed():
            services.current().runtime.refresh(FunctionSpec.from_moto(self.get_function(function_name)))

    def create_event_source_mapping(self, spec: dict[str, Any]) -> EventSourceMapping:
        mapping = super().create_event_source_mapping(spec)
        if mapping.event_source_arn.split(":")[2] == "sqs":
            from moto.sqs.models import sqs_backends

            for queue in sqs_backends[self.account_id][self.region_name].queues.values():
                if queue.queue_arn == mapping.event_source_arn:
                    # moto would invoke inline on every SendMessage; our poller batches instead.
                    queue.lambda_event_source_mappings.pop(mapping.function_arn, None)
            if services.installed():
                services.current().pollers.start(self.account_id, self.region_name, mapping.uuid)
        return mapping

    def delete_event_source_mapping(self, uuid: str) -> EventSourceMapping | None:
        mapping = super().delete_event_source_mapping(uuid)
        if services.installed():
            services.current().pollers.stop(uuid)
        return mapping

    def put_function_event_invoke_config(self, function_name: str, config: dict[str, Any]) -> dict[str, Any]:
        """Put replaces the whole configuration (moto appends, and Get would keep returning the first one)."""
        fn = self.get_function(function_name)
        event_config = EventInvokeConfig(fn.function_arn, fn.last_modified, config)
        fn.event_invoke_config = [event_config]
        return event_config.response()

    def update_function_event_invoke_config(self, function_name: str, config: dict[str, Any]) -> dict[str, Any]:
        """Update changes only the settings it names."""
        fn = self.get_function(function_name)
        current = dict(fn.event_invoke_config[-1].config) if fn.event_invoke_config else {}
        current.update({k: v for k, v in config.items() if k != "FunctionName" and k != "Qualifier"})
        return self.put_function_event_invoke_config(function_name, current)

    def reset(self) -> None:
        if services.installed():
            services.current().pollers.stop_region(self.account_id, self.region_name)
            prefix = f"arn:{self.partition}:lambda:{self.region_name}:{self.account_id}:function:"
            services.current().runtime.retire_matching(lambda key: key.startswith(prefix))
        super().reset()
