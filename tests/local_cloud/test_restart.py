"""A restart costs one cell: the deployed stacks come back on start, and what a crash lost is named.

Both stacks are deployed once through the CDK CLI (as the notebooks do) to a local cloud of the module's own;
the tests then stop it, kill it and start it again on the same home.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from workshop_utils.cloud import stacks, target
from workshop_utils.deploy import cdk
from workshop_utils.local_cloud import service, state
from workshop_utils.quotes import triggers
from workshop_utils.quotes.request import QuoteRequest
from workshop_utils.ui.cloud_stopped import STOPPED, LocalCloudStopped

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import zip_source  # noqa: E402
from test_aggregator_support import require_cdk_cli, wait_for  # noqa: E402

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
VENDORS = set(json.loads((REPO / "cdk.json").read_text())["context"]["recipients"])
REQUEST = QuoteRequest(car_type="XL", days_rental=4)
WAIT_SECONDS = 120.0
RESTORED = re.compile(r"^Restored (.+) from the last deploy \(\d+\.\d s\)\.$")
EVERY_STACK = {"CDKToolkit", *stacks.STACKS}


def restored(said: list[str]) -> set[str]:
    """The stacks start said it restored (in its one line), or none."""
    found = [match.group(1).split(", ") for line in said if (match := RESTORED.match(line))]
    assert len(found) <= 1, said
    return set(found[0]) if found else set()


class Restartable:
    """The module's local cloud: started, stopped and killed on one home; remembers what each start said."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.said: list[str] = []

    def start(self) -> list[str]:
        self.said = []
        service.start(port=0, home=self.home, progress=self.said.append)
        target.use_target("local")  # a new port: forget the clients of the previous server
        return self.said

    def stop(self) -> None:
        service.stop(home=self.home, progress=None)

    def kill(self) -> None:
        """kill -9 the server, as a crash would (its workers end when their Runtime API goes away)."""
        record = state.read_record(self.home)
        assert record is not None
        os.kill(record.pid, signal.SIGKILL)
        wait_for(lambda: not state.process_alive(record.pid), what="the killed server to be gone", timeout=30)


@pytest.fixture(scope="module")
def own_cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Restartable]:
    require_cdk_cli()
    home = tmp_path_factory.mktemp("restart-home")
    work = tmp_path_factory.mktemp("cdk-restart")
    runner = cdk.CdkRunner()
    runner.assembly, runner.build = work / "cdk.out", work / "build"
    restartable = Restartable(home)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("WORKSHOP_TARGET", "local")
        patch.setenv("LOCAL_CLOUD_HOME", str(home))
        patch.setenv("LOCAL_CLOUD_PORT", "0")
        patch.setattr(cdk, "_runner", runner)  # cdk.deploy() as the notebooks call it, into a cdk.out of our own
        restartable.start()
        try:
            yield restartable
        finally:
            restartable.stop()
            target.reset()


@pytest.fixture(scope="module")
def deployed(own_cloud: Restartable) -> dict[str, dict[str, str]]:
    """`cdk bootstrap`, then both stacks; their outputs by stack."""
    cdk.bootstrap()
    return {stack: cdk.deploy(stack) for stack in stacks.STACKS}


def assert_both_stacks_answer() -> None:
    execution = triggers.request_parallel_quote(REQUEST, timeout_s=WAIT_SECONDS)
    assert execution.status == "SUCCEEDED", (execution.error, execution.cause)
    assert {quote["vendor"] for quote in execution.quotes} == VENDORS
    result = triggers.wait_for_sns_quotes(triggers.request_sns_quote(REQUEST), expected_vendors=len(VENDORS),
                                          timeout_s=WAIT_SECONDS)
    assert {quote["vendor"] for quote in result.quotes} == VENDORS
    assert {quote["uuid"] for quote in result.quotes} == {result.handle.uuid}


def test_after_a_stop_and_a_start_both_stacks_answer_with_no_redeploy(own_cloud, deployed):
    own_cloud.stop()
    said = own_cloud.start()

    assert restored(said) == EVERY_STACK, said
    assert target.is_bootstrapped()
    # the same outputs: the function names, queue URLs and log groups a notebook already holds still work
    assert {stack: stacks.stack_outputs(stack) for stack in stacks.STACKS} == deployed
    assert_both_stacks_answer()


def test_the_cdk_cli_sees_a_restored_stack_as_deployed(own_cloud, deployed):
    lines: list[str] = []
    outputs = cdk.deploy(stacks.SNS_STACK, on_line=lines.append)

    assert outputs == deployed[stacks.SNS_STACK]
    assert any("no changes" in line for line in lines), lines[-5:]


def test_a_stack_destroyed_before_a_restart_stays_destroyed(own_cloud, deployed):
    cdk.destroy(stacks.PARALLEL_STACK)
    try:
        own_cloud.stop()
        said = own_cloud.start()

        assert restored(said) == {"CDKToolkit", stacks.SNS_STACK}, said
        assert not stacks.is_deployed(stacks.PARALLEL_STACK)
    finally:
        cdk.deploy(stacks.PARALLEL_STACK)  # for the tests after this one


def test_a_kill_during_a_burst_names_the_unfinished_requests_on_the_next_start(own_cloud, deployed):
    client = target.client("lambda")
    role = target.client("iam").create_role(RoleName="restart-test-role", AssumeRolePolicyDocument="{}")
    slow = "slow-to-answer"
    client.create_function(
        FunctionName=slow, Runtime="python3.11", Handler="app.handler", Role=role["Role"]["Arn"],
        Code={"ZipFile": zip_source("import time\ndef handler(event, context):\n    time.sleep(20)\n")},
    )
    requester = stacks.stack_outputs(stacks.SNS_STACK)["RequesterFunctionName"]
    burst = [f"burst-{number}" for number in range(100)]
    for uuid in burst:
        client.invoke(FunctionName=requester, InvocationType="Event",
                      Payload=json.dumps(REQUEST.payload(uuid=uuid)).encode())
    stuck = [f"stuck-{number}" for number in range(3)]  # 20 s each: surely unfinished at the kill
    for uuid in stuck:
        client.invoke(FunctionName=slow, InvocationType="Event", Payload=json.dumps({"uuid": uuid}).encode())
    own_cloud.kill()

    said = own_cloud.start()

    (lost,) = [line for line in said if "never finished" in line]
    assert lost.count(". ") == 0 and lost.endswith(".")  # one sentence
    assert f"3 asynchronous invocations of {slow} ({', '.join(stuck)})" in lost
    total = int(lost.split(" ", 1)[0])
    named = re.findall(r"\b(?:burst|stuck)-\d+\b", lost)
    assert set(named) <= set(burst) | set(stuck) and len(named) == len(set(named))
    assert total >= len(named)  # responders' events are counted too, named by their request ids
    assert restored(said) == EVERY_STACK, said
    assert_both_stacks_answer()
    # said once: the start after this one has nothing lost to report
    own_cloud.stop()
    assert not any("never finished" in line for line in own_cloud.start())


def test_a_cell_whose_local_cloud_dies_mid_call_ends_in_one_sentence(own_cloud, deployed):
    from workshop_utils import notebook

    handle = triggers.request_sns_quote(REQUEST)
    killer = threading.Timer(0.3, own_cloud.kill)  # the aggregate takes a batching window: the cell is still waiting
    killer.start()
    with pytest.raises(LocalCloudStopped) as raised:
        notebook.wait_for_aggregate(handle)
    killer.join()

    assert raised.value._render_traceback_() == [STOPPED]  # what the notebook shows: no traceback
    said = own_cloud.start()
    assert restored(said) == EVERY_STACK, said


def test_a_stack_that_cannot_be_restored_is_named_with_what_to_do(own_cloud, deployed):
    record_file = own_cloud.home / "persist" / "stacks" / f"{stacks.PARALLEL_STACK}.json"
    record = json.loads(record_file.read_text())
    record["parameters"]["BootstrapVersion"] = "/no/such/parameter"  # its creation now fails, as a broken one would
    record_file.write_text(json.dumps(record))
    own_cloud.stop()

    said = own_cloud.start()

    (failed,) = [line for line in said if "could not be restored" in line]
    assert failed.startswith(f"{stacks.PARALLEL_STACK} could not be restored (")
    assert failed.endswith("deploy it again from its notebook (its deploy cell, or ws.ready_for) before using it.")
    assert restored(said) == {"CDKToolkit", stacks.SNS_STACK}
    assert not stacks.is_deployed(stacks.PARALLEL_STACK)  # removed, so its notebook's deploy starts clean
    assert set(cdk.deploy(stacks.PARALLEL_STACK)) == set(deployed[stacks.PARALLEL_STACK])  # the redeploy works
    assert stacks.is_deployed(stacks.PARALLEL_STACK)
