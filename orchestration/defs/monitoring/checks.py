"""Checks over the whole drift tables (they are small): drift shares are shares, decisions are complete."""

from dagster import AssetCheckResult, AssetKey, asset_check

from ml import drift
from orchestration.defs.resources import UndercutResource
from transforms.warehouse import read_frame, table_exists


@asset_check(asset=AssetKey(["monitoring", "drift_report"]),
             description="Drift shares within [0, 1] and every decision recorded with its thresholds")
def drift_decisions_valid(undercut: UndercutResource) -> AssetCheckResult:
    warehouse = undercut.settings.warehouse
    if not table_exists(warehouse, "marts", drift.DECISIONS_TABLE):
        return AssetCheckResult(passed=True, metadata={"decisions": 0})
    row = read_frame(warehouse, f"""
        select count(*) as decisions,
               count(*) filter (where drift_share not between 0 and 1 or drift_share is null) as bad_share,
               count(*) filter (where drift_share_threshold is null or live_error_threshold_positions is null
                                or retrain is null or reason is null) as incomplete
        from marts.{drift.DECISIONS_TABLE}
    """).iloc[0]
    counts = {str(k): int(v) for k, v in row.items()}
    return AssetCheckResult(passed=counts["bad_share"] == 0 and counts["incomplete"] == 0, metadata=counts)


monitoring_checks = [drift_decisions_valid]
