"""What the set-up cells show: a notebook made ready, the prerequisites, the target, the local cloud started."""

from __future__ import annotations

import os

from workshop_utils.cloud import target
from workshop_utils.deploy import cdk
from workshop_utils.teaching import readiness
from workshop_utils.teaching.prerequisites import check_all
from workshop_utils.ui import cell_output, deploy_cells, views


def show_readiness(needs: readiness.Needs, deploy_on_aws: bool, hint: str) -> None:
    """Bring the target to `needs`, saying each step, then what was done (`hint`: how to deploy on AWS)."""
    if needs.stacks or needs.deploys_itself:  # a notebook that deploys: its context changes then take seconds
        cdk.warm_up()  # in the background
    report = readiness.ready(needs, deploy_on_aws=deploy_on_aws, how_to_deploy=hint, say=cell_output.message)
    cell_output.message(report.summary(), kind="success")


def show_prerequisites() -> None:
    """Show the prerequisites table, with the fix for each red row."""
    cell_output.show(views.checks_html(check_all(include_local_cloud=target.current() == "local")))


def use_target(name: str, *, endpoint_url: str | None) -> None:
    """Choose the target, and say where it is."""
    target.use_target(name, endpoint_url=endpoint_url)
    info = target.describe()
    own_cloud = info.name == target.LOCAL and not info.custom_endpoint
    where = info.endpoint or ("your local cloud, not running yet" if own_cloud else "AWS endpoints")
    cell_output.message(f"Target: {info.name} ({where}, {info.region}).")


def start_local_cloud() -> None:
    """Start the local cloud if it is not running (idempotent), say where it listens and what it restored."""
    from workshop_utils.local_cloud import service
    from workshop_utils.local_cloud.config import default_port

    already = service.status().healthy
    # LOCAL_CLOUD_PORT forces a port (`make lab PORT=...`; 0 picks a free one); unset: the default, or a free port
    # when another user's local cloud has it. Its own progress lines would only repeat the message below.
    forced = os.environ.get("LOCAL_CLOUD_PORT", "").strip()
    status = service.start(port=int(forced) if forced.isdigit() else None, progress=lambda _message: None)
    how = "was already running" if already else "started"
    moved = "" if forced or status.port == default_port() else (
        f" Port {default_port()} was taken (another user's local cloud?), so yours listens on {status.port};"
        " the notebooks find it by themselves."
    )
    cell_output.message(
        f"The local cloud {how} at {status.endpoint_url} (pid {status.pid}), and answers API calls.{moved}",
        kind="success",
    )
    if not already:  # what came back from the last deploys, and what a crash lost
        from workshop_utils.local_cloud.config import home_dir
        from workshop_utils.local_cloud.persistence.startup import start_report

        for line in start_report(home_dir(), status.pid):
            cell_output.message(line)


def stop_local_cloud() -> None:
    """Stop the local cloud and every Lambda worker it started (nothing to do on another target)."""
    from workshop_utils.local_cloud import service

    cdk.stop_warm_synth()  # the workshop is over, whatever the target: its synth process goes too
    if target.current() != "local" or target.endpoint_override():
        cell_output.message(f"Nothing to stop: the target is {target.current()}, not the local cloud.")
        return
    service.stop()
    cell_output.message("Local cloud stopped; nothing of it is left running.", kind="success")


def check_target() -> None:
    """Check the target, bootstrap it if needed, and say where the stacks will deploy."""
    info = target.check()
    deploy_cells.bootstrap()
    cell_output.message(f"Ready to deploy to {info.name}: account {info.account}, {info.region}.", kind="success")
