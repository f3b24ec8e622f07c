"""Checks over the whole monitoring tables (they are small): scores on their 0–100 scale with one overall index per
team and race; drift shares are shares."""

from dagster import AssetCheckResult, AssetKey, asset_check

from ml import car_performance, drift
from orchestration.defs.monitoring.assets import CAR_PERFORMANCE_TABLE
from orchestration.defs.resources import UndercutResource
from transforms.warehouse import read_frame, table_exists


@asset_check(asset=AssetKey(["marts", CAR_PERFORMANCE_TABLE]),
             description="Scores within 0–100; one overall index per team and race, and the best team of every area "
                         "scores 100")
def car_performance_scale(undercut: UndercutResource) -> AssetCheckResult:
    warehouse = undercut.settings.warehouse
    if not table_exists(warehouse, "marts", CAR_PERFORMANCE_TABLE):
        return AssetCheckResult(passed=False, metadata={"error": "table missing"})
    row = read_frame(warehouse, f"""
        with per_area as (
            select race_key, area, max(score) as best, count(*) as teams from marts.{CAR_PERFORMANCE_TABLE} group by all
        )
        select
            (select count(*) from marts.{CAR_PERFORMANCE_TABLE} where score < 0 or score > 100 or score is null)
                as out_of_scale,
            (select count(*) from per_area where abs(best - 100) > 1e-6) as areas_without_100,
            (select count(*) from (select race_key, constructor_id from marts.{CAR_PERFORMANCE_TABLE}
                                   where area = '{car_performance.OVERALL}' group by all having count(*) <> 1))
                as teams_without_one_overall
    """).iloc[0]
    counts = {str(k): int(v) for k, v in row.items()}
    return AssetCheckResult(passed=not any(counts.values()), metadata=counts)


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


monitoring_checks = [car_performance_scale, drift_decisions_valid]
