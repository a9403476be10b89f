"""The whole CDK app: hygiene shared by both stacks, cdk-nag, context errors and the real CLI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from aws_cdk import App, cx_api
from infra_test_support import PARALLEL, REPO_ROOT, SNS, resources

from infra.app import build_app, main
from infra.config import RecipientsConfigError, Vendor
from infra.nag import add_nag_checks
from infra.parallel_stack import ParallelScatterGatherStack

STACKS = (PARALLEL, SNS)
FIXED_NAME_PROPERTIES = ("FunctionName", "StateMachineName", "TopicName", "QueueName", "LogGroupName", "RoleName")


@pytest.mark.parametrize("stack", STACKS)
def test_no_custom_resources_and_no_nodejs(synthesized, stack):
    template = synthesized.templates[stack]
    types = {resource["Type"] for resource in template["Resources"].values()}

    assert not [t for t in types if t.startswith("Custom::") or t == "AWS::CloudFormation::CustomResource"]
    assert "Custom::" not in json.dumps(template)
    assert "nodejs" not in json.dumps(template).lower()
    runtimes = {f["Properties"]["Runtime"] for f in resources(template, "AWS::Lambda::Function").values()}
    assert runtimes == {"python3.13"}


@pytest.mark.parametrize("stack", STACKS)
def test_every_function_is_small_and_logs_to_its_own_short_lived_log_group(synthesized, stack):
    template = synthesized.templates[stack]
    functions = resources(template, "AWS::Lambda::Function")
    log_groups = resources(template, "AWS::Logs::LogGroup")

    used = [f["Properties"]["LoggingConfig"]["LogGroup"]["Ref"] for f in functions.values()]
    assert len(set(used)) == len(functions)
    for function in functions.values():
        assert function["Properties"]["MemorySize"] == 128
        assert function["Properties"]["Timeout"] == 10
        assert function["Properties"]["Handler"] == "app.lambda_handler"
    for log_group in log_groups.values():
        assert log_group["Properties"]["RetentionInDays"] == 7
        assert log_group["DeletionPolicy"] == log_group["UpdateReplacePolicy"] == "Delete"
    assert set(used) <= set(log_groups)


@pytest.mark.parametrize("stack", STACKS)
def test_nothing_billable_outlives_the_stack(synthesized, stack):
    template = synthesized.templates[stack]

    for key, resource in template["Resources"].items():
        assert resource.get("DeletionPolicy", "Delete") == "Delete", key


@pytest.mark.parametrize("stack", STACKS)
def test_no_resource_has_a_fixed_name(synthesized, stack):
    # Learners may share an account: names are generated (references to other resources are fine).
    for key, resource in synthesized.templates[stack]["Resources"].items():
        properties = resource.get("Properties", {})
        assert not [name for name in FIXED_NAME_PROPERTIES if isinstance(properties.get(name), str)], key


@pytest.mark.parametrize("stack", STACKS)
def test_roles_carry_no_managed_policies(synthesized, stack):
    for role in resources(synthesized.templates[stack], "AWS::IAM::Role").values():
        assert "ManagedPolicyArns" not in role["Properties"]


@pytest.mark.parametrize("stack", STACKS)
def test_adding_a_vendor_only_adds_resources(two_vendors, three_vendors, stack):
    before = set(two_vendors.templates[stack]["Resources"])
    after = set(three_vendors.templates[stack]["Resources"])

    assert before < after
    assert all("Hertz" in key for key in after - before)


def test_responder_environment_carries_the_vendor_settings(three_vendors):
    functions = resources(three_vendors.templates[SNS], "AWS::Lambda::Function")
    (hertz,) = [f for key, f in functions.items() if key.startswith("ResponderHertz")]

    assert hertz["Properties"]["Environment"]["Variables"] == {
        "VENDOR": "Hertz",
        "BASE_RATE": "110",
        "LATENCY_MS": "250",
        "FAILURE_RATE": "0.5",
    }


def test_assets_hold_only_the_handler_folder(two_vendors):
    asset_dirs = [path for path in two_vendors.outdir.iterdir() if path.name.startswith("asset.")]
    contents = sorted(sorted(p.name for p in path.iterdir()) for path in asset_dirs)

    assert contents == [
        ["aggregate_store.py", "aggregation.py", "app.py", "gathering.py", "quote_records.py"],
        ["app.py", "quote_request.py"],
        ["app.py", "vendor_quote.py"],
    ]


def assert_no_unacknowledged_findings(synthesized) -> None:
    report = json.loads((synthesized.outdir / "validation-report.json").read_text())
    assert [r for r in report["pluginReports"] if r["violations"] or r.get("conclusion") == "failure"] == []
    for stack in STACKS:
        levels = {message.level for message in synthesized.assembly.get_stack_by_name(stack).messages}
        assert not levels & {cx_api.SynthesisMessageLevel.ERROR, cx_api.SynthesisMessageLevel.WARNING}


def test_cdk_nag_finds_nothing_unacknowledged_with_two_vendors(two_vendors):
    assert_no_unacknowledged_findings(two_vendors)


def test_cdk_nag_finds_nothing_unacknowledged_with_three_vendors(three_vendors):
    assert_no_unacknowledged_findings(three_vendors)


def test_cdk_nag_fails_synth_when_findings_are_not_acknowledged(tmp_path):
    app = App(outdir=str(tmp_path))
    ParallelScatterGatherStack(app, vendors=(Vendor("Avis", 99),))
    add_nag_checks(app)

    with pytest.raises(Exception, match="ValidationFailed"):
        app.synth()
    report = json.loads((tmp_path / "validation-report.json").read_text())
    rules = {violation["ruleName"] for plugin in report["pluginReports"] for violation in plugin["violations"]}
    assert "AwsSolutions-L1" in rules


@pytest.mark.parametrize(
    ("recipients", "problem"),
    [
        ("not json", "it is not valid JSON"),
        ({}, "it names no vendor"),
        ({"Avis": {"base_rate": "cheap"}}, "base_rate 'cheap', which is not a positive integer"),
    ],
)
def test_bad_recipients_fail_before_any_stack_is_built(recipients, problem):
    with pytest.raises(RecipientsConfigError, match=problem):
        build_app({"recipients": recipients})


def test_the_entry_point_prints_one_sentence_and_exits_1_on_bad_context(capsys):
    assert main({"recipients": '{"Avis": {"base_rate": "0"}}'}) == 1

    err = capsys.readouterr().err.strip()
    assert err.startswith("Error: The 'recipients' context is invalid: vendor 'Avis' has base_rate '0'")
    assert err.count("\n") == 0 and err.endswith(".")


@pytest.mark.slow
def test_the_cdk_cli_lists_both_stacks(tmp_path):
    cdk = REPO_ROOT / "node_modules" / ".bin" / "cdk"
    if not cdk.exists() or shutil.which("node") is None:
        pytest.skip("the CDK CLI is not installed; run `make setup` first")
    env = {**os.environ, "CDK_DISABLE_VERSION_CHECK": "1"}

    result = subprocess.run(
        [str(cdk), "ls", "--output", str(tmp_path / "cdk.out")],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )

    assert result.returncode == 0, result.stderr
    assert set(result.stdout.split()) >= {PARALLEL, SNS}


def test_repo_root_is_where_cdk_json_lives():
    assert Path(REPO_ROOT, "cdk.json").is_file()
