"""Tests for the architecture diagram drawn from describe_stack_resources()."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from workshop_utils.render import architecture_svg
from workshop_utils.render.architecture import classify, short_name, vendor_from

QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/ScatterGatherWithSNSStack-AggregationQueue-AbC"


def resource(logical_id, resource_type, physical_id=None):
    return {"LogicalResourceId": logical_id, "ResourceType": resource_type,
            "PhysicalResourceId": physical_id or f"ScatterGatherWithSNSStack-{logical_id[:24]}-xYz123",
            "ResourceStatus": "CREATE_COMPLETE", "StackName": "ScatterGatherWithSNSStack"}


def sns_stack(vendors):
    items = [
        resource("RequesterFunctionServiceRole1A2B3C4D", "AWS::IAM::Role"),
        resource("RequesterFunction5E6F7A8B", "AWS::Lambda::Function"),
        resource("RequesterFunctionEventInvokeConfig1A2B3C4D", "AWS::Lambda::EventInvokeConfig"),
        resource("RequesterLogGroup1A2B3C4D", "AWS::Logs::LogGroup"),
        resource("ScatterTopic1A2B3C4D", "AWS::SNS::Topic", "arn:aws:sns:us-east-1:123456789012:Scatter-xyz"),
        resource("AggregationQueue1A2B3C4D", "AWS::SQS::Queue", QUEUE_URL),
        resource("AggregationQueueDLQ1A2B3C4D", "AWS::SQS::Queue", QUEUE_URL + "-dlq"),
        resource("AggregationQueuePolicy1A2B3C4D", "AWS::SQS::QueuePolicy"),
        resource("AggregatorFunction1A2B3C4D", "AWS::Lambda::Function"),
        resource("AggregatorFunctionSqsEventSource1A2B3C4D", "AWS::Lambda::EventSourceMapping"),
        resource("EncryptionKey1A2B3C4D", "AWS::KMS::Key"),
    ]
    for vendor in vendors:
        items += [
            resource(f"Responder{vendor}FunctionServiceRoleDefaultPolicy1A2B3C4D", "AWS::IAM::Policy"),
            resource(f"Responder{vendor}Function9F8E7D6C", "AWS::Lambda::Function"),
            resource(f"Responder{vendor}FunctionAllowInvokeScatterTopic1A2B3C4D", "AWS::Lambda::Permission"),
            resource(f"Responder{vendor}FunctionScatterTopic1A2B3C4D", "AWS::SNS::Subscription"),
        ]
    return items


def parallel_stack(vendors):
    items = [
        resource("RequesterFunction5E6F7A8B", "AWS::Lambda::Function"),
        resource("StateMachineRole1A2B3C4D", "AWS::IAM::Role"),
        resource("StateMachine2E01A3A5", "AWS::StepFunctions::StateMachine",
                 "arn:aws:states:us-east-1:123456789012:stateMachine:StateMachine2E01A3A5-AbC"),
    ]
    items += [resource(f"Responder{v}Function9F8E7D6C", "AWS::Lambda::Function") for v in vendors]
    return items


def nodes(svg: str) -> list[ET.Element]:
    root = ET.fromstring(svg)
    assert root.tag == "svg" and root.get("viewBox")
    return [g for g in root.iter("g") if "resource" in (g.get("class") or "").split()]


def roles(svg: str) -> list[str]:
    return [g.get("data-role") for g in nodes(svg)]


@pytest.mark.parametrize("vendors", [["Avis", "Alamo"], ["Avis", "Alamo", "Hertz"]])
def test_sns_stack_shows_one_responder_per_vendor_and_the_flow(vendors):
    svg = architecture_svg(sns_stack(vendors), "ScatterGatherWithSNSStack")
    found = roles(svg)
    assert found.count("responder") == len(vendors)
    assert sorted(found) == sorted(["requester", "topic", "queue", "dlq", "aggregator"] + ["responder"] * len(vendors))
    assert [g.get("data-vendor") for g in nodes(svg) if g.get("data-role") == "responder"] == vendors


def test_sns_stack_is_drawn_top_to_bottom_in_flow_order():
    svg = architecture_svg(sns_stack(["Avis", "Alamo"]), "ScatterGatherWithSNSStack")
    tops = {}
    for g in nodes(svg):
        tops.setdefault(g.get("data-role"), float(g.find("rect").get("y")))
    assert tops["requester"] < tops["topic"] < tops["responder"] < tops["queue"] < tops["aggregator"]
    assert tops["dlq"] == tops["queue"]  # beside its queue
    links = [g for g in ET.fromstring(svg).iter("g") if g.get("class") == "link"]
    # entry->requester, requester->topic, topic->2 responders, 2 responders->queue, queue->aggregator, queue->dlq
    assert len(links) == 8
    labels = {t.text for g in links for t in g.iter("text")}
    assert {"on success", "subscription", "batches", "dead letters"} <= labels


def test_parallel_stack_draws_responders_inside_the_state_machine():
    svg = architecture_svg(parallel_stack(["Avis", "Alamo", "Hertz"]), "ScatterGatherWithParallelStack")
    found = nodes(svg)
    machine = next(g for g in found if g.get("data-role") == "state-machine")
    frame = machine.find("rect")
    fx, fy, fw, fh = (float(frame.get(k)) for k in ("x", "y", "width", "height"))
    inside = [g for g in found if g.get("data-role") in ("requester", "responder")]
    assert [g.get("data-role") for g in inside].count("responder") == 3
    for g in inside:
        rect = g.find("rect")
        x, y = float(rect.get("x")), float(rect.get("y"))
        assert fx < x and x + float(rect.get("width")) < fx + fw
        assert fy < y and y + float(rect.get("height")) < fy + fh
    assert any(g.get("class") == "parallel-lane" for g in ET.fromstring(svg).iter("g"))


def test_resources_outside_the_diagram_are_ignored_and_urls_never_shown():
    svg = architecture_svg(sns_stack(["Avis"]), "ScatterGatherWithSNSStack")
    assert "http://" not in svg and "https://" not in svg
    assert "ScatterGatherWithSNSStack-AggregationQueue-AbC" not in svg  # the stack prefix is dropped
    assert "AggregationQueue-AbC" in svg
    assert not any("Policy" in (g.get("data-logical-id") or "") for g in nodes(svg))


def test_empty_resources_give_a_valid_svg_with_a_message():
    svg = architecture_svg([], "Missing<Stack>")
    root = ET.fromstring(svg)
    text = "".join(root.itertext())
    assert "Missing<Stack>" in text and "nothing to show" in text
    assert root.get("width") and root.get("height")


@pytest.mark.parametrize(("logical_id", "vendor"), [
    ("ResponderAvisFunction1A2B3C4D", "Avis"),
    ("RespondersAvisFunctionABCDEF12", "Avis"),
    ("ResponderSixtFunctionDEADBEEF", "Sixt"),
    ("responderalamo", "alamo"),
    ("AvisResponder1A2B3C4D", "Avis"),
    ("ScatterGatherResponderHertzResponderFunctionABCD1234", "Hertz"),
])
def test_vendor_is_read_from_the_logical_id(logical_id, vendor):
    assert vendor_from(logical_id) == vendor


def test_vendor_falls_back_to_the_function_name_and_unnamed_responders_are_numbered():
    assert vendor_from("Responder1A2B3C4D", "Stack-ResponderAlamoFunction1A2B-AbCdEf123456") == "Alamo"
    found = classify([resource("Responder1A2B3C4D", "AWS::Lambda::Function", "fn-1"),
                      resource("Responder5E6F7A8B", "AWS::Lambda::Function", "fn-2")])
    assert [r.vendor for r in found] == ["#1", "#2"]


def test_short_name_shortens_arns_and_urls():
    assert short_name("arn:aws:sns:us-east-1:123456789012:MyTopic") == "MyTopic"
    assert short_name("arn:aws:states:us-east-1:123456789012:stateMachine:Machine-1") == "Machine-1"
    assert short_name(QUEUE_URL) == "ScatterGatherWithSNSStack-AggregationQueue-AbC"
