"""What the clean-up cells show: what is deployed, both stacks destroyed, what is gone and what remains."""

from __future__ import annotations

from workshop_utils.cloud import target
from workshop_utils.cloud.stacks import PARALLEL_STACK, SNS_STACK
from workshop_utils.deploy import cdk
from workshop_utils.render.cleanup import cleanup_table_html
from workshop_utils.teardown import cleanup
from workshop_utils.ui import cell_output, deploy_cells


def inventory() -> cleanup.Inventory:
    """Every resource the workshop stacks deployed, counted from their templates, summed up then by type."""
    taken = cleanup.take_inventory()
    cell_output.message(cleanup.inventory_summary(taken))
    if taken.resources:
        cell_output.show(cleanup_table_html(cleanup.inventory_rows(taken), title="Deployed now, by type"))
    return taken


def destroy_all() -> None:
    """Destroy both stacks, SNS first (nothing depends across them), then the warm synth process."""
    for stack in (SNS_STACK, PARALLEL_STACK):
        deploy_cells.destroy(stack)
    cdk.stop_warm_synth()  # nothing left to synthesize; a later deploy starts it again


def check_nothing_left(deployed: cleanup.Inventory) -> cleanup.CleanupReport:
    """Look every inventoried resource up through its own service's API; the verdict says whether all is gone."""
    report = cleanup.check_gone(deployed)
    cell_output.show(cleanup_table_html(report.rows(), title="After the destroy, by type"))
    ok, sentence = cleanup.report_summary(report)
    cell_output.verdict(ok, sentence)
    return report


def show_what_remains(deployed: cleanup.Inventory, report: cleanup.CleanupReport) -> None:
    """What a destroy leaves on purpose (the KMS key's waiting period, the bootstrap stack), and what ends it."""
    on_local_cloud = target.current() == "local" and not target.endpoint_override()
    rows = cleanup.what_remains(deployed, report, on_aws=not on_local_cloud)
    cell_output.show(cleanup_table_html(rows, title=f"Kept after the destroy on the {target.current()} target"))
