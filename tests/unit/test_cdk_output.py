"""What a learner reads of the CDK CLI: recorded workshop output through the learner view."""

from __future__ import annotations

from pathlib import Path

import pytest

from workshop_utils.deploy.output import clock_24h, is_noise, learner_printer, learner_text

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "cdk_output"


def shown(name: str) -> list[str]:
    return learner_text((FIXTURES / name).read_text(encoding="utf-8")).splitlines()


def test_a_workshop_deploy_shows_its_events_under_one_utc_header_and_the_result():
    lines = shown("deploy_workshop.txt")
    assert lines[0] == "Nothing changed since the last synth: reusing cdk.out."
    assert lines[1].startswith("Time (UTC)  Status") and lines[1].endswith("Resource")
    assert lines[2].startswith("18:00:20    CREATE_IN_PROGRESS") and lines[2].endswith("User Initiated")
    assert lines[3].startswith("18:00:20    CREATE_COMPLETE")
    assert lines[4:] == ["✅  ScatterGatherWithParallelStack"]


@pytest.mark.parametrize(
    "hidden",
    ["Supply a stack id", "feature flags", "Synthesis time", "Publishing", "Built ", "changeset",
     "deploying...", "Outputs:", "StatemachineArn =", "Stack ARN:", "arn:aws:cloudformation", "Total time"],
)
def test_notices_bookkeeping_and_the_outputs_block_are_not_shown(hidden):
    text = "\n".join(shown("deploy_workshop.txt") + shown("synth_workshop.txt") + shown("bootstrap_workshop.txt"))
    assert hidden not in text


def test_bootstrap_keeps_what_it_does_and_drops_its_defaults():
    lines = shown("bootstrap_workshop.txt")
    assert lines[0].strip().startswith("⏳  Bootstrapping environment")
    assert lines[-1] == "✅  Environment aws://123456789012/us-east-1 bootstrapped."
    assert not any("Trusted accounts" in line or "execution policy" in line for line in lines)


@pytest.mark.parametrize("fixture", ["deploy_failed.txt", "deploy_failed_aws_style.txt", "synth_failed_recipients.txt"])
def test_errors_and_warnings_are_kept(fixture):
    raw = (FIXTURES / fixture).read_text(encoding="utf-8").splitlines()
    kept = "\n".join(shown(fixture))
    for line in raw:
        if "❌" in line or "‣" in line or line.startswith(("Error", "WARNING", "[Warning")):
            assert line.strip() in kept


def test_destroy_events_have_the_header_too():
    lines = shown("destroy.txt")
    assert lines[0].startswith("Time (UTC)") and "DELETE_COMPLETE" in lines[1]
    assert lines[-1] == "✅  TinyStack: destroyed"


@pytest.mark.parametrize(
    ("cli", "utc"),
    [("5:58:33 PM", "17:58:33"), ("12:01:02 AM", "00:01:02"), ("12:30:00 PM", "12:30:00"), ("1:40:03 am", "01:40:03"),
     ("13:02:03", "13:02:03")],
)
def test_the_clis_twelve_hour_times_read_as_twenty_four_hour(cli, utc):
    assert clock_24h(cli) == utc


def test_the_printer_writes_only_what_is_shown():
    written = []
    show = learner_printer(written.append)
    for line in ("85 feature flags are not configured. Run 'cdk flags --unstable=flags' to learn more.", "",
                 "❌  Deployment failed: boom"):
        show(line)
    assert written == ["❌  Deployment failed: boom"]


def test_unknown_lines_are_kept():
    assert not is_noise("Some new message the CLI prints one day")
