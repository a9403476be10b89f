"""Deploy records: what a successful deploy keeps for the restore, what a delete forgets, and the restore order."""

from __future__ import annotations

import json
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from moto.s3.models import s3_backends

from workshop_utils.local_cloud.persistence import deployments
from workshop_utils.local_cloud.persistence.deployments import StackRecord, load_records, record_deployed
from workshop_utils.local_cloud.persistence.restore import RestoreReport, restore_order

ACCOUNT = "210987654321"  # an account of these tests' own in moto's in-process state
BUCKET = "cdk-hnb659fds-assets-210987654321-us-east-1"


@dataclass
class DeployedStack:
    """What record_deployed reads of a moto Stack."""

    name: str
    template_dict: dict[str, Any]
    parameters: dict[str, str] = field(default_factory=lambda: {"BootstrapVersion": "/cdk-bootstrap/version"})
    tags: dict[str, str] = field(default_factory=dict)
    account_id: str = ACCOUNT
    region_name: str = "us-east-1"
    notification_arns: list[str] = field(default_factory=list)
    role_arn: str | None = None

    @property
    def template(self) -> str:
        return json.dumps(self.template_dict)


def function_template(key: str, export: str | None = None, imports: str | None = None) -> dict[str, Any]:
    code = {"S3Bucket": {"Fn::Sub": "cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}"}, "S3Key": key}
    resources: dict[str, Any] = {"Fn": {"Type": "AWS::Lambda::Function", "Properties": {"Code": code}}}
    if imports:
        resources["Fn"]["Properties"]["Role"] = {"Fn::ImportValue": imports}
    outputs = {"Out": {"Value": "x", "Export": {"Name": export}}} if export else {}
    return {"Resources": resources, "Outputs": outputs}


def put_asset(key: str, content: bytes) -> None:
    s3 = s3_backends[ACCOUNT]["aws"]
    if BUCKET not in s3.buckets:
        s3.create_bucket(BUCKET, "us-east-1")
    s3.put_object(BUCKET, key, content)


def test_a_deploy_keeps_template_parameters_and_the_asset_its_function_reads(tmp_path: Path) -> None:
    put_asset("abc123.zip", b"zip bytes")
    put_asset("unrelated.zip", b"another stack's")
    stack = DeployedStack("Functions", function_template("abc123.zip"))

    record_deployed(tmp_path, stack)

    (record,) = load_records(tmp_path)
    assert (record.name, json.loads(record.template), record.parameters) == (
        "Functions", stack.template_dict, stack.parameters)
    assert [(asset["bucket"], asset["key"]) for asset in record.assets] == [(BUCKET, "abc123.zip")]
    assert deployments.asset_content(tmp_path, record.assets[0]) == b"zip bytes"
    for path in tmp_path.rglob("*"):
        assert stat.S_IMODE(path.stat().st_mode) == (0o700 if path.is_dir() else 0o600), path


def test_a_delete_forgets_the_stack_and_the_assets_only_it_used(tmp_path: Path) -> None:
    put_asset("shared.zip", b"shared")
    put_asset("own.zip", b"own")
    kept = DeployedStack("Kept", function_template("shared.zip"))
    gone = DeployedStack("Gone", {"Resources": {
        "A": function_template("shared.zip")["Resources"]["Fn"], "B": function_template("own.zip")["Resources"]["Fn"]}})
    record_deployed(tmp_path, kept)
    record_deployed(tmp_path, gone)

    deployments.forget_deleted(tmp_path, "Gone")

    assert [record.name for record in load_records(tmp_path)] == ["Kept"]
    assert len(list((tmp_path / deployments.ASSETS_FOLDER).iterdir())) == 1


def record(name: str, deployed_at: float, **template: Any) -> StackRecord:
    body = json.dumps(function_template("k.zip", **template))
    return StackRecord(name=name, account_id=ACCOUNT, region="us-east-1", template=body, parameters={},
                       deployed_at=deployed_at)


def test_the_bootstrap_comes_first_then_exporters_before_importers() -> None:
    records = [record("Importer", 1.0, imports="Shared"), record("Exporter", 2.0, export="Shared"),
               record("Other", 3.0), record("CDKToolkit", 4.0)]

    assert [r.name for r in restore_order(records)] == ["CDKToolkit", "Exporter", "Importer", "Other"]


def test_the_report_says_what_came_back_and_what_to_do_about_what_did_not() -> None:
    report = RestoreReport(restored=["CDKToolkit", "A"], failed={"B": "ValidationError: bad"}, seconds=0.42)

    assert report.sentences() == [
        "Restored CDKToolkit, A from the last deploy (0.4 s).",
        "B could not be restored (ValidationError: bad); deploy it again from its notebook (its deploy cell, or "
        "ws.ready_for) before using it.",
    ]
