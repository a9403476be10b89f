"""Stack updates that take a resource out and put it back (a vendor removed, then added again)."""
import json

from botocore.exceptions import ClientError


def _template(*, with_extra: bool) -> str:
    resources = {"Keep": {"Type": "AWS::SQS::Queue"}}
    if with_extra:
        resources["Extra"] = {"Type": "AWS::SQS::Queue"}
    return json.dumps({"Resources": resources})


def _physical_id(cloudformation, stack: str, logical_id: str) -> str:
    resources = cloudformation.describe_stack_resources(StackName=stack)["StackResources"]
    return next(r["PhysicalResourceId"] for r in resources if r["LogicalResourceId"] == logical_id)


def _queue_exists(sqs, url: str) -> bool:
    try:
        sqs.get_queue_attributes(QueueUrl=url)
    except ClientError:
        return False
    return True


def test_a_resource_removed_then_added_again_is_created_anew(aws):
    cloudformation, sqs = aws.client("cloudformation"), aws.client("sqs")
    stack = "ReAddedResourceStack"
    cloudformation.create_stack(StackName=stack, TemplateBody=_template(with_extra=True))
    first = _physical_id(cloudformation, stack, "Extra")

    cloudformation.update_stack(StackName=stack, TemplateBody=_template(with_extra=False))
    assert not _queue_exists(sqs, first)

    cloudformation.update_stack(StackName=stack, TemplateBody=_template(with_extra=True))
    again = _physical_id(cloudformation, stack, "Extra")
    assert _queue_exists(sqs, again), "the re-added queue must exist, not be a stale cached one"

    cloudformation.delete_stack(StackName=stack)
    assert not _queue_exists(sqs, again)
