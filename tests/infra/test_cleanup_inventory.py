"""The cleanup's inventory covers every resource type both templates deploy (2 and 3 vendors)."""

from __future__ import annotations

from collections import Counter

from infra_test_support import PARALLEL, SNS

from workshop_utils.teardown import cleanup


def deployed_as(template: dict) -> list[dict]:
    """What describe_stack_resources would answer for this template: a physical id per logical id."""
    return [{"LogicalResourceId": key, "PhysicalResourceId": f"phys-{key}"} for key in template["Resources"]]


def test_every_resource_type_of_both_templates_has_a_check(synthesized):
    types = Counter(
        body["Type"] for name in (PARALLEL, SNS) for body in synthesized.templates[name]["Resources"].values()
    )
    print(f"{len(synthesized.vendors)} vendors: {sum(types.values())} resources of {len(types)} types: {dict(types)}")
    assert sorted(t for t in types if t not in cleanup.CHECKS) == []
    # every type the workshop deploys, so a new one cannot slip past the cleanup unchecked
    assert set(types) >= {
        "AWS::Lambda::Function", "AWS::Lambda::EventSourceMapping", "AWS::Lambda::EventInvokeConfig",
        "AWS::Lambda::Permission", "AWS::SNS::Topic", "AWS::SNS::Subscription", "AWS::SNS::TopicPolicy",
        "AWS::SQS::Queue", "AWS::SQS::QueuePolicy", "AWS::StepFunctions::StateMachine", "AWS::DynamoDB::Table",
        "AWS::IAM::Role", "AWS::IAM::Policy", "AWS::KMS::Key", "AWS::Logs::LogGroup",
    }


def test_the_inventory_holds_every_template_resource_with_what_its_check_needs(synthesized):
    for name in (PARALLEL, SNS):
        template = synthesized.templates[name]
        found = cleanup.resources_from(name, template, deployed_as(template))
        assert len(found) == len(template["Resources"])
        inventory = cleanup.Inventory(tuple(found), {name: len(template["Resources"])})
        assert inventory.unknown_types == []
        for resource in found:
            # checks that go through another resource find it among the stack's own physical ids
            for reference in ("FunctionName", "Roles", "Topics", "Queues"):
                if reference in template["Resources"][resource.logical_id].get("Properties", {}):
                    assert resource.ref(reference), (resource.logical_id, reference)
                    assert all(value.startswith(("phys-", "arn:")) for value in resource.ref(reference))
        if name == SNS:  # the one key, and what the notebook says about it, straight from the template
            (key,) = inventory.of_type("AWS::KMS::Key")
            assert key.prop("PendingWindowInDays") == "7" and key.prop("DeletionPolicy") == "Delete"
