"""Template of ScatterGatherWithParallelStack: requester task, then one Parallel branch per vendor."""

from __future__ import annotations

import json

from infra_test_support import PARALLEL, flatten_join, resources


def template(synthesized):
    return synthesized.templates[PARALLEL]


def definition(synthesized) -> dict:
    (machine,) = resources(template(synthesized), "AWS::StepFunctions::StateMachine").values()
    return json.loads(flatten_join(machine["Properties"]["DefinitionString"]))


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
    assert parallel["ResultSelector"] == {"quotes.$": "$"}
    assert [branch["StartAt"] for branch in parallel["Branches"]] == [f"Responder{v}" for v in synthesized.vendors]


def test_each_branch_invokes_its_responder_with_the_request_and_keeps_the_quote(synthesized):
    for branch in definition(synthesized)["States"]["Parallel"]["Branches"]:
        (state,) = branch["States"].values()
        assert state["InputPath"] == "$.request"
        assert state["ResultSelector"] == {"quote.$": "States.StringToJson($.Payload.data)"}
        assert state["OutputPath"] == "$.quote"
        assert state["Parameters"]["Payload.$"] == "$"
        assert state["End"] is True
        assert "Lambda.ServiceException" in state["Retry"][0]["ErrorEquals"]


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
