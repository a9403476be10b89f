"""Template of ScatterGatherWithParallelStack: requester task, then one Parallel branch per vendor."""

from __future__ import annotations

import json

from infra_test_support import PARALLEL, REPO_ROOT, flatten_join, resources


def template(synthesized):
    return synthesized.templates[PARALLEL]


def definition(synthesized) -> dict:
    (machine,) = resources(template(synthesized), "AWS::StepFunctions::StateMachine").values()
    return json.loads(flatten_join(machine["Properties"]["DefinitionString"]))


def branches(synthesized) -> list[tuple[str, dict]]:
    """(vendor, branch) pairs, in the order of the vendors."""
    return list(zip(synthesized.vendors, definition(synthesized)["States"]["Parallel"]["Branches"], strict=True))


def test_one_standard_state_machine_without_a_fixed_name(synthesized):
    (machine,) = resources(template(synthesized), "AWS::StepFunctions::StateMachine").values()

    assert machine["Properties"]["StateMachineType"] == "STANDARD"
    assert "StateMachineName" not in machine["Properties"]
    assert machine["DeletionPolicy"] == "Delete"


def test_requester_task_turns_the_body_into_the_request(synthesized):
    states = definition(synthesized)["States"]

    assert definition(synthesized)["StartAt"] == "Requester"
    requester = states["Requester"]
    assert requester["Resource"].endswith(":states:::lambda:invoke")
    assert requester["ResultSelector"] == {"request.$": "States.StringToJson($.Payload.body)"}
    assert requester["Next"] == "Parallel"
    assert "Lambda.ServiceException" in requester["Retry"][0]["ErrorEquals"]


def test_parallel_has_one_branch_per_vendor(synthesized):
    parallel = definition(synthesized)["States"]["Parallel"]

    assert parallel["Type"] == "Parallel"
    assert parallel["End"] is True
    assert [branch["StartAt"] for branch in parallel["Branches"]] == [f"Responder{v}" for v in synthesized.vendors]
    assert "Catch" not in parallel and "Retry" not in parallel


def test_the_parallel_output_splits_quotes_and_errors_when_catching(synthesized):
    parallel = definition(synthesized)["States"]["Parallel"]

    if synthesized.catch_failures:
        assert parallel["ResultSelector"] == {"quotes.$": "$[*].quote", "errors.$": "$[*].error"}
    else:  # the sample's shape: the list of branch outputs
        assert parallel["ResultSelector"] == {"quotes.$": "$"}


def test_each_branch_invokes_its_responder_with_the_request_and_keeps_the_quote(synthesized):
    for vendor, branch in branches(synthesized):
        state = branch["States"][f"Responder{vendor}"]
        assert state["InputPath"] == "$.request"
        assert state["ResultSelector"] == {"quote.$": "States.StringToJson($.Payload.data)"}
        assert state["Parameters"]["Payload.$"] == "$"
        assert state["End"] is True
        if synthesized.catch_failures:
            assert "OutputPath" not in state  # the branch yields {"quote": ...}
        else:
            assert state["OutputPath"] == "$.quote"


SERVICE_ERRORS = [
    "Lambda.ClientExecutionTimeoutException",
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
]


def test_each_branch_retries_service_errors_and_an_unavailable_vendor_briefly_when_catching(synthesized):
    for vendor, branch in branches(synthesized):
        (retry,) = branch["States"][f"Responder{vendor}"]["Retry"]
        if not synthesized.catch_failures:  # the sample's branches: CDK's default retry, service errors only
            assert retry["ErrorEquals"] == SERVICE_ERRORS
            assert (retry["IntervalSeconds"], retry["MaxAttempts"], retry["BackoffRate"]) == (2, 6, 2)
            continue
        assert retry["ErrorEquals"] == [*SERVICE_ERRORS, "VendorUnavailableError"]
        assert (retry["IntervalSeconds"], retry["MaxAttempts"], retry["BackoffRate"]) == (1, 2, 2)


def test_a_failed_vendor_is_caught_into_an_error_entry_only_when_catching(synthesized):
    for vendor, branch in branches(synthesized):
        task = branch["States"][f"Responder{vendor}"]
        if not synthesized.catch_failures:
            assert "Catch" not in task
            assert list(branch["States"]) == [f"Responder{vendor}"]
            continue
        assert task["Catch"] == [{"ErrorEquals": ["States.ALL"], "Next": f"Responder{vendor}Failed"}]
        failed = branch["States"][f"Responder{vendor}Failed"]
        assert failed == {
            "Type": "Pass",
            "Parameters": {"error": {"vendor": vendor, "error.$": "$.Error", "cause.$": "$.Cause"}},
            "End": True,
        }


def test_an_invalid_request_fails_the_execution_without_retry_or_catch(synthesized):
    requester = definition(synthesized)["States"]["Requester"]

    assert "Catch" not in requester
    retried = {error for retry in requester["Retry"] for error in retry["ErrorEquals"]}
    assert retried == {"Lambda.ClientExecutionTimeoutException", "Lambda.ServiceException",
                       "Lambda.AWSLambdaException", "Lambda.SdkClientException"}


def test_each_branch_targets_a_different_responder_function(synthesized):
    (machine,) = resources(template(synthesized), "AWS::StepFunctions::StateMachine").values()
    parts = machine["Properties"]["DefinitionString"]["Fn::Join"][1]
    targets = [part["Fn::GetAtt"][0] for part in parts if isinstance(part, dict) and "Fn::GetAtt" in part]

    assert len(targets) == len(set(targets)) == 1 + len(synthesized.vendors)
    assert targets[0].startswith("RequesterFunction")
    assert [t.removeprefix("Responder").split("Function")[0] for t in targets[1:]] == list(synthesized.vendors)


def test_state_machine_logs_everything_to_its_own_log_group(synthesized):
    (machine,) = resources(template(synthesized), "AWS::StepFunctions::StateMachine").values()
    logging = machine["Properties"]["LoggingConfiguration"]

    assert logging["Level"] == "ALL"
    log_group_id = logging["Destinations"][0]["CloudWatchLogsLogGroup"]["LogGroupArn"]["Fn::GetAtt"][0]
    assert template(synthesized)["Resources"][log_group_id]["Properties"]["RetentionInDays"] == 7


def test_one_function_per_vendor_plus_the_requester_and_no_destinations(synthesized):
    functions = resources(template(synthesized), "AWS::Lambda::Function")

    assert len(functions) == 1 + len(synthesized.vendors)
    assert resources(template(synthesized), "AWS::Lambda::EventInvokeConfig") == {}
    vendors = sorted(f["Properties"]["Environment"]["Variables"]["VENDOR"] for f in functions.values()
                     if "Environment" in f["Properties"])
    assert vendors == sorted(synthesized.vendors)


def test_outputs(synthesized):
    outputs = template(synthesized)["Outputs"]

    assert "StatemachineArn" in outputs
    assert {f"ResponderFunctionName{vendor}" for vendor in synthesized.vendors} <= set(outputs)


def test_the_state_machine_role_may_invoke_only_the_stacks_functions(synthesized):
    policies = resources(template(synthesized), "AWS::IAM::Policy")
    (policy,) = [p for key, p in policies.items() if key.startswith("StateMachineRole")]
    invoke = [s for s in policy["Properties"]["PolicyDocument"]["Statement"] if s["Action"] == "lambda:InvokeFunction"]

    arns = [resource for statement in invoke for resource in statement["Resource"]]
    assert all("Fn::GetAtt" in json.dumps(arn) for arn in arns)
    assert len(arns) == 2 * (1 + len(synthesized.vendors))  # each function's ARN and ARN:*


def test_the_retried_error_is_the_name_of_the_responders_outage_exception():
    import ast

    from infra.parallel_stack import VENDOR_UNAVAILABLE

    source = (REPO_ROOT / "lambdas" / "responder" / "vendor_quote.py").read_text()
    classes = {node.name for node in ast.walk(ast.parse(source)) if isinstance(node, ast.ClassDef)}

    # Step Functions reports a Python exception by its class name, which the Retry must match exactly.
    assert VENDOR_UNAVAILABLE in classes
