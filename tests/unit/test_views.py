"""Result views and helpers: destination records found in log lines, tables."""

import json

from workshop_utils import views
from workshop_utils.prerequisites import Check
from workshop_utils.stacks import Resource

RECORD = {
    "version": "1.0",
    "requestContext": {"requestId": "r1", "condition": "Success", "approximateInvokeCount": 1},
    "requestPayload": {"data": {"car_type": "XL", "days_rental": 2}},
    "responsePayload": {"statusCode": 200, "body": json.dumps({"data": {"uuid": "u-42"}})},
}


def test_destination_record_is_found_inside_an_sns_event_log_line():
    sns_event = {"Records": [{"EventSource": "aws:sns", "Sns": {"Message": json.dumps(RECORD)}}]}
    line = "[INFO] received event: " + json.dumps(sns_event)
    assert views.destination_record_in(line, "u-42") == RECORD


def test_destination_record_needs_the_uuid_and_json():
    assert views.destination_record_in("received event: " + json.dumps(RECORD), "other") is None
    assert views.destination_record_in("u-42 but no json", "u-42") is None


def test_checks_table_has_green_ticks_red_crosses_and_every_rows_fix():
    page = views.checks_html([Check("Node", True, "v20", "install node"), Check("CDK", False, "missing", "make setup")])
    assert '<b style="color:#1a7f37">✔</b>' in page and '<b style="color:#cf222e">✘</b>' in page
    assert '<span style="color:#59636e">install node</span>' in page  # greyed: not needed now
    assert '<b style="color:#cf222e">make setup</b>' in page


def test_resources_table_and_empty_message():
    assert "Nothing." in views.resources_html([])
    page = views.resources_html([Resource("S", "AWS::SQS::Queue", "<q>")])
    assert "&lt;q&gt;" in page
