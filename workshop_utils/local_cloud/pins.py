"""The moto extension points the local cloud relies on, checked at install and by a test (moto is pinned)."""

from __future__ import annotations

import inspect
from typing import Any

PINNED_MOTO_VERSION = "5.2.5"

# (module, attribute path, the leading parameter names we call it with)
_SIGNATURES: list[tuple[str, str, list[str]]] = [
    ("moto.awslambda.models", "LambdaFunction.__init__", ["self", "account_id", "spec", "region", "version"]),
    ("moto.awslambda.models", "LambdaFunction.invoke", ["self", "body", "request_headers", "response_headers"]),
    ("moto.awslambda.models", "LambdaFunction.get_configuration", ["self", "on_create"]),
    ("moto.awslambda.models", "LambdaFunction.update_configuration", ["self", "config_updates"]),
    ("moto.awslambda.models", "LambdaBackend.create_function", ["self", "spec"]),
    ("moto.awslambda.models", "LambdaBackend.get_function", ["self", "function_name_or_arn", "qualifier"]),
    ("moto.awslambda.models", "LambdaBackend.delete_function", ["self", "function_name", "qualifier"]),
    ("moto.awslambda.models", "LambdaBackend.publish_version", ["self", "function_name"]),
    ("moto.awslambda.models", "LambdaBackend.invoke",
     ["self", "function_name", "qualifier", "body", "headers", "response_headers"]),
    ("moto.awslambda.models", "LambdaBackend.update_function_code", ["self", "function_name", "qualifier", "body"]),
    ("moto.awslambda.models", "LambdaBackend.update_function_configuration",
     ["self", "function_name", "qualifier", "body"]),
    ("moto.awslambda.models", "LambdaBackend.create_event_source_mapping", ["self", "spec"]),
    ("moto.awslambda.models", "LambdaBackend.get_event_source_mapping", ["self", "uuid"]),
    ("moto.awslambda.models", "LambdaBackend.delete_event_source_mapping", ["self", "uuid"]),
    ("moto.awslambda.models", "LambdaBackend.put_function_event_invoke_config", ["self", "function_name", "config"]),
    ("moto.awslambda.models", "LambdaBackend.update_function_event_invoke_config",
     ["self", "function_name", "config"]),
    ("moto.awslambda.models", "LambdaBackend.reset", ["self"]),
    ("moto.awslambda.models", "EventInvokeConfig.__init__", ["self", "arn", "last_modified", "config"]),
    ("moto.awslambda.models", "LambdaStorage.put_function", ["self", "fn"]),
    ("moto.sns.models", "SNSBackend.subscribe", ["self", "topic_arn", "endpoint", "protocol"]),
    ("moto.sns.models", "SNSBackend.publish", ["self", "message", "arn"]),
    ("moto.sns.models", "Subscription.publish",
     ["self", "message", "message_id", "subject", "message_attributes", "group_id", "deduplication_id",
      "message_structure"]),
    ("moto.sns.models", "Subscription._parse_message_structure", ["self", "message", "protocol"]),
    ("moto.sqs.models", "SQSBackend.get_queue", ["self", "queue_name"]),
    ("moto.sqs.models", "SQSBackend.send_message", ["self", "queue_name", "message_body"]),
    ("moto.sqs.models", "SQSBackend.receive_message",
     ["self", "queue_name", "count", "wait_seconds_timeout", "visibility_timeout", "message_attribute_names"]),
    ("moto.sqs.models", "SQSBackend.delete_message", ["self", "queue_name", "receipt_handle"]),
    ("moto.sqs.models", "SQSBackend.change_message_visibility",
     ["self", "queue_name", "receipt_handle", "visibility_timeout"]),
    ("moto.sqs.models", "Queue.wait_for_messages", ["self", "timeout"]),
    ("moto.logs.models", "LogsBackend.ensure_log_group", ["self", "log_group_name"]),
    ("moto.logs.models", "LogsBackend.ensure_log_stream", ["self", "log_group_name", "log_stream_name"]),
    ("moto.logs.models", "LogsBackend.put_log_events", ["self", "log_group_name", "log_stream_name", "log_events"]),
    ("moto.events.models", "EventsBackend.put_events", ["self", "events"]),
    ("moto.dynamodb.models.table", "Table.query",
     ["self", "hash_key", "range_comparison", "range_objs", "limit", "exclusive_start_key", "scan_index_forward",
      "projection_expressions", "index_name"]),
    # CloudFormation: the per-resource steps and events (cloudformation/resource_map.py, stacks.py)
    ("moto.cloudformation.parsing", "ResourceMap.__getitem__", ["self", "key"]),
    ("moto.cloudformation.parsing", "ResourceMap.create", ["self", "template"]),
    ("moto.cloudformation.parsing", "ResourceMap.update", ["self", "template", "parameters"]),
    ("moto.cloudformation.parsing", "ResourceMap.delete", ["self"]),
    ("moto.cloudformation.parsing", "ResourceMap._delete_resource", ["self", "parsed_resource", "resource_json"]),
    ("moto.cloudformation.parsing", "ResourceMap.build_resource_diff", ["self", "other_template", "parameters"]),
    ("moto.cloudformation.parsing", "parse_and_update_resource",
     ["logical_id", "resource_json", "resources_map", "account_id", "region_name"]),
    ("moto.cloudformation.models", "Event.__init__",
     ["self", "stack_id", "stack_name", "logical_resource_id", "physical_resource_id", "resource_type",
      "resource_status", "resource_status_reason", "resource_properties"]),
    ("moto.cloudformation.models", "Stack.__init__",
     ["self", "stack_id", "name", "template", "parameters", "account_id", "region_name", "notification_arns",
      "tags", "role_arn", "cross_stack_resources", "enable_termination_protection", "timeout_in_mins",
      "stack_policy_body"]),
    ("moto.cloudformation.models", "Stack._add_stack_event", ["self", "resource_status", "resource_status_reason"]),
    ("moto.cloudformation.models", "Stack._create_resource_map", ["self"]),
    ("moto.cloudformation.models", "CloudFormationBackend.create_change_set",
     ["self", "stack_name", "change_set_name"]),
    ("moto.cloudformation.models", "CloudFormationBackend.list_stack_resources", ["self", "stack_name_or_id"]),
    ("moto.cloudformation.models", "CloudFormationBackend.describe_stack_resources",
     ["self", "stack_name", "logical_resource_id"]),
    ("moto.core.responses", "BaseResponse.call_action", ["self"]),
    ("moto.moto_server.werkzeug_app", "DomainDispatcherApplication.__init__", ["self", "create_app"]),
    ("moto.moto_server.werkzeug_app", "DomainDispatcherApplication.get_backend_for_host", ["self", "host"]),
]

# (module, function, text its source must contain): behaviour we build on that has no signature to check
_SOURCE_FACTS: list[tuple[str, str, str]] = [
    ("moto.sqs.models", "Queue.add_message", "lambda_event_source_mappings"),  # inline ESM delivery we disable
    ("moto.sqs.models", "Queue.__init__", "self.lambda_event_source_mappings"),
    ("moto.awslambda.models", "LambdaBackend.create_event_source_mapping", "queue.lambda_event_source_mappings["),
    ("moto.awslambda.models", "LambdaBackend.invoke", "fn.invoke(body, headers, response_headers)"),
    ("moto.awslambda.models", "LambdaFunction.__init__", "self.environment_vars"),
    ("moto.awslambda.models", "LambdaFunction._set_function_code", "self.code_bytes"),
    ("moto.awslambda.models", "LambdaStorage.publish_version", "copy.copy("),  # versions keep our class
    ("moto.awslambda.utils", "get_backend", "lambda_backends[account_id][region]"),
    ("moto.sns.models", "Topic.publish", "subscription.publish("),
    ("moto.sns.models", "SNSBackend.subscribe", "Subscription(self.account_id, topic, endpoint, protocol)"),
    ("moto.sns.models", "Subscription.__init__", "self._filter_policy_matcher"),
    ("moto.core.base_backend", "AccountSpecificBackend.__getitem__", "self.backend(region_name"),
    ("moto.core.base_backend", "BackendDict._create_account_specific_backend", "backend=self.backend"),
    ("moto.core.base_backend", "BaseBackend._url_module", "backend_urls_module_name"),
    ("moto.stepfunctions.parser.asl.utils.boto_client", "boto_client_for", "moto_server_port()"),
    ("moto.stepfunctions.responses", "get_backend", "execute_state_machine"),
    ("moto.awslambda.responses", "LambdaResponse.invoke", "X-Amz-Invocation-Type"),
    ("moto.moto_server.werkzeug_app", "DomainDispatcherApplication.get_application", "self.get_backend_for_host("),
    ("moto.dynamodb.models", "DynamoDBBackend.create_table", "table = Table("),
    ("moto.core.responses", "BaseResponse.call_action", "method_names_from_class(self.__class__)"),
    ("moto.sqs.models", "SQSBackend.create_queue", "queue = Queue("),
    ("moto.sqs.models", "Queue.messages", "message.visible and not message.delayed"),
    ("moto.sqs.models", "Queue.approximate_number_of_messages_delayed", "if m.delayed"),
    ("moto.sqs.models", "Queue.approximate_number_of_messages_not_visible", "if not m.visible"),
    ("moto.sqs.models", "Message.visible", "current_time > self.visible_at"),
    ("moto.sqs.models", "Message.delayed", "current_time < self.delayed_until"),
    ("moto.dynamodb.models.table", "Table.query", "for item in self.all_items()"),
    # CloudFormation: where moto's stacks call the resource map we subclass, and how it creates lazily
    ("moto.cloudformation.models", "Stack.create_resources", "self.resource_map.create(self.template_dict)"),
    ("moto.cloudformation.models", "Stack.update", "self.resource_map.update(self.template_dict, parameters)"),
    ("moto.cloudformation.models", "Stack.delete", "self.resource_map.delete()"),
    ("moto.cloudformation.models", "Stack.stack_resources", "self.resource_map.values()"),
    ("moto.cloudformation.models", "Stack._add_stack_event", "self.events.append(event)"),  # our EventLog spaces them
    ("moto.cloudformation.models", "CloudFormationBackend.delete_stack", "stack.delete()"),
    ("moto.cloudformation.models", "CloudFormationBackend.create_change_set", "self.stacks[stack_id] = stack"),
    ("moto.cloudformation.parsing", "ResourceMap.__getitem__", "parse_and_create_resource("),
    ("moto.cloudformation.parsing", "ResourceMap.__init__", "self._parsed_resources"),
    ("moto.cloudformation.parsing", "ResourceMap.load_conditions", "self.lazy_condition_map"),
    ("moto.cloudformation.parsing", "parse_resource", 'resource_json["Properties"] = {}'),  # see build_resource_diff
    ("moto.cloudformation.responses", "CloudFormationResponse.describe_stack_events", "events[::-1]"),
]


def _resolve(module_name: str, path: str) -> Any:
    import importlib

    target: Any = importlib.import_module(module_name)
    for part in path.split("."):
        target = getattr(target, part)
    if isinstance(target, property):
        target = target.fget
    return target


def check_extension_points() -> list[str]:
    """Every way moto moved under us, one sentence each; empty when all is where we expect it."""
    problems = []
    for module_name, path, expected in _SIGNATURES:
        try:
            parameters = list(inspect.signature(_resolve(module_name, path)).parameters)
        except (ImportError, AttributeError, TypeError, ValueError) as error:
            problems.append(f"{module_name}.{path} is missing ({error})")
            continue
        if parameters[: len(expected)] != expected:
            problems.append(f"{module_name}.{path} takes {parameters}, expected it to start with {expected}")
    for module_name, path, needle in _SOURCE_FACTS:
        try:
            source = inspect.getsource(_resolve(module_name, path))
        except (ImportError, AttributeError, TypeError, OSError) as error:
            problems.append(f"{module_name}.{path} is missing ({error})")
            continue
        if needle not in source:
            problems.append(f"{module_name}.{path} no longer contains {needle!r}")
    try:
        from moto.awslambda.models import lambda_backends
        from moto.core.config import default_user_config
        from moto.sns.models import sns_backends

        for backend_dict in (lambda_backends, sns_backends):
            if not isinstance(getattr(backend_dict, "backend", None), type):
                problems.append(f"BackendDict for {backend_dict.service_name} has no backend class attribute")
        for section in ("lambda", "stepfunctions"):
            if section not in default_user_config:
                problems.append(f"moto's default_user_config has no {section!r} section")
    except ImportError as error:
        problems.append(f"moto is not importable ({error})")
    return problems


def moto_version() -> str:
    import moto

    return str(moto.__version__)
