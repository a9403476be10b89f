"""Live levers: the vendors' latency and failure set through each responder's configuration, or a redeploy."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from workshop_utils.cloud import stacks, target
from workshop_utils.deploy.context import default_recipients
from workshop_utils.stage.deploys import DeployProgress

THIRD_VENDOR = {"Hertz": {"base_rate": "105"}}
_OUTPUT_PREFIX = "ResponderFunctionName"


def responders() -> dict[str, list[str]]:
    """Each vendor's responder functions in both stacks: {"Avis": [parallel's, sns's], ...}."""
    found: dict[str, list[str]] = {}
    for stack in stacks.STACKS:
        for key, value in stacks.stack_outputs(stack).items():
            if key.startswith(_OUTPUT_PREFIX):
                found.setdefault(key[len(_OUTPUT_PREFIX):], []).append(value)
    return found


def deployed_recipients() -> dict[str, dict]:
    """cdk.json's vendors, or those of the dashboard's last deploy (with the third vendor)."""
    recipients = default_recipients()
    if set(responders()) - set(recipients):
        recipients |= THIRD_VENDOR
    return recipients


def _wait_until_updated(lambda_client, function: str, timeout_s: float = 60) -> None:
    # AWS applies a configuration change asynchronously; a second change before it is done is refused.
    give_up = time.monotonic() + timeout_s
    while time.monotonic() < give_up:
        if lambda_client.get_function_configuration(FunctionName=function).get("LastUpdateStatus") != "InProgress":
            return
        time.sleep(0.5)
    raise TimeoutError(f"{function}'s configuration is still updating after {timeout_s:.0f} s: "
                       "wait a minute, then set the lever again.")


def apply(*, latency_ms: int | None, failing_vendor: str | None,
          on_progress: Callable[[str], None] = lambda _text: None) -> int:
    """Set LATENCY_MS (None: each vendor's cdk.json value) and FAILURE_RATE (1 for the failing vendor, else its
    cdk.json value) on every responder of both stacks; returns how many functions changed."""
    recipients = deployed_recipients()
    client = target.client("lambda")
    changed = 0
    for vendor, functions in responders().items():
        settings = recipients.get(vendor, {})
        wanted = {
            "LATENCY_MS": str(latency_ms if latency_ms is not None else int(settings.get("latency_ms", 0))),
            "FAILURE_RATE": "1.0" if vendor == failing_vendor else str(float(settings.get("failure_rate", 0))),
        }
        for function in functions:
            environment = client.get_function_configuration(FunctionName=function).get("Environment", {})
            variables = dict(environment.get("Variables", {}))
            if all(variables.get(key) == value for key, value in wanted.items()):
                continue
            on_progress(f"Setting {vendor}: latency {wanted['LATENCY_MS']} ms, failure rate "
                        f"{wanted['FAILURE_RATE']} on {function}...")
            client.update_function_configuration(FunctionName=function, Environment={"Variables": variables | wanted})
            _wait_until_updated(client, function)
            changed += 1
    return changed


def current() -> tuple[int, str | None]:
    """The latency (ms) and failing vendor now set on the responders (from the first function of each)."""
    client = target.client("lambda")
    latency, failing = 0, None
    for vendor, functions in responders().items():
        variables = client.get_function_configuration(FunctionName=functions[0]).get("Environment", {})
        variables = variables.get("Variables", {})
        latency = max(latency, int(float(variables.get("LATENCY_MS", "0"))))
        if float(variables.get("FAILURE_RATE", "0")) >= 1:
            failing = vendor
    return latency, failing


def deploy_vendors(third_vendor: bool, on_line: Callable[[str], None],
                   progress: DeployProgress | None = None) -> None:
    """Deploy both stacks with cdk.json's vendors, plus the third one when asked: one synth (in the kernel's warm
    synth process), then both stacks side by side, their events fed to `progress` (seconds on the local cloud)."""
    from workshop_utils.deploy import cdk

    context = {"recipients": default_recipients() | (THIRD_VENDOR if third_vendor else {})}
    runner = cdk.CdkRunner(display="none")  # the page shows its own progress line; no widget under the page
    runner.ensure_bootstrapped(on_line=on_line)
    progress = progress or DeployProgress(list(stacks.STACKS))
    runner.synth(context, on_line=on_line)
    progress.phase = "deploying"
    failures: list[Exception] = []

    def deploy(stack: str) -> None:
        try:
            runner.deploy(stack, context, on_line=lambda line: (progress.line(stack, line), on_line(line)))
            progress.finish(stack)
        except Exception as error:  # the other stack's deploy goes on; the first failure is raised below
            failures.append(error)

    # The two stacks share nothing but the assembly they read: deploying them side by side halves the wait.
    threads = [threading.Thread(target=deploy, args=(stack,), name=f"deploy-{stack}") for stack in stacks.STACKS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]


def warm_up() -> None:
    """Get the kernel's warm synth ready in the background, so the third-vendor switch synthesizes in a second."""
    from workshop_utils.deploy import cdk

    cdk.warm_up()
