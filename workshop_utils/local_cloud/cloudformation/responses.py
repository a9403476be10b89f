"""CloudFormation API responses of the local cloud: moto's, reading TemplateURLs on the local endpoint too."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlparse

from moto.cloudformation.exceptions import CloudFormationError
from moto.cloudformation.responses import CloudFormationResponse
from moto.core.responses import ActionResult, EmptyResult
from moto.s3.models import s3_backends


def template_location(template_url: str) -> tuple[str, str]:
    """(bucket, key) of a TemplateURL.

    Virtual-hosted AWS URLs (``https://bucket.s3.region.amazonaws.com/key``) name the bucket in the host;
    every other URL is path-style: AWS's ``https://s3.region.amazonaws.com/bucket/key`` and the local
    cloud's own ``http://127.0.0.1:4566/bucket/key``, which is what the CDK CLI sends when
    AWS_ENDPOINT_URL points at the local cloud (moto only understands it for the host ``localhost``).
    """
    parts = urlparse(template_url)
    host = parts.hostname or ""
    path = unquote(parts.path.lstrip("/"))
    if host.endswith("amazonaws.com") and not host.startswith("s3"):
        return host.split(".")[0], path
    bucket, _, key = path.partition("/")
    return bucket, key


class LocalCloudFormationResponse(CloudFormationResponse):
    """moto's CloudFormation responses, with four fixes the CDK CLI needs.

    - Each request holds the backend's lock, answer included (moto reads a stack's Outputs while it
      writes the answer), so it sees a stack between two steps of a change set running meanwhile;
      ExecuteChangeSet then gives its change set a moment to finish, without the lock (see
      ``EXECUTE_GRACE_SECONDS``).
    - TemplateURLs are resolved for any endpoint host (:func:`template_location`).
    - Change sets are looked up by name within the request's StackName (moto ignores it).
    - ``UsePreviousValue`` means the previous *parameter value*: moto substitutes the value it resolved,
      which for an ``AWS::SSM::Parameter::Value`` parameter (the CDK's BootstrapVersion) is the SSM
      parameter's content, then resolves it again as a parameter name and fails. A parameter that was
      never given keeps its template default.
    """

    def call_action(self) -> Any:
        backend = self.cloudformation_backend
        with backend.lock:
            answer = super().call_action()
        backend.wait_for_started_change_set()
        return answer

    def _get_param(self, param_name: str, if_none: Any = None) -> Any:
        value = super()._get_param(param_name, if_none)
        if param_name == "Parameters" and value:
            return self._with_previous_values(value)
        return value

    def _with_previous_values(self, parameters: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if not any(parameter.get("UsePreviousValue") for parameter in parameters):
            return parameters
        try:
            previous = self.cloudformation_backend.get_stack(self._get_param("StackName")).parameters or {}
        except CloudFormationError:
            return parameters
        given = []
        for parameter in parameters:
            key = parameter["ParameterKey"]
            if not parameter.get("UsePreviousValue"):
                given.append(parameter)
            elif key in previous:
                given.append({"ParameterKey": key, "ParameterValue": previous[key]})
        return given

    def describe_change_set(self) -> ActionResult:
        return ActionResult(self.cloudformation_backend.describe_change_set(
            self._get_param("ChangeSetName"), stack_name=self._get_param("StackName")
        ))

    def delete_change_set(self) -> EmptyResult:
        self.cloudformation_backend.delete_change_set(
            self._get_param("ChangeSetName"), stack_name=self._get_param("StackName")
        )
        return EmptyResult()

    def list_change_sets(self) -> ActionResult:
        return ActionResult({"Summaries": self.cloudformation_backend.list_change_sets(
            stack_name=self._get_param("StackName")
        )})

    def _get_stack_from_s3_url(self, template_url: str) -> str:
        bucket, key = template_location(template_url)
        stored = s3_backends[self.current_account][self.partition].get_object(bucket, key)
        return stored.value.decode("utf-8")  # type: ignore[union-attr]
