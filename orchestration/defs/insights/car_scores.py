"""Car performance scores per team and race weekend (from qualifying or practice laps, race laps as the fallback;
telemetry where the session has it, timing otherwise) with radar plots, and the check that keeps them on their 0–100
scale. The partition is the race weekend (`YYYY-RR`)."""

from dagster import (
    AssetCheckResult,
    AssetExecutionContext,
    AssetKey,
    BackfillPolicy,
    MaterializeResult,
    asset,
    asset_check,
)

from insights import car_performance
from orchestration.defs.races.partitions import race_partitions
from orchestration.defs.resources import UndercutResource
from orchestration.lib.keys import race_ids
from orchestration.lib.plots import plot_metadata
from transforms.derived import Publisher
from transforms.warehouse import read_frame, table_exists

GROUP = "insights"
CAR_PERFORMANCE_TABLE = "car_performance_scores"
# An inline PNG is copied into every partition's materialisation event: only for runs of a few partitions
# (a weekend refresh); a full backfill links the PNG files instead.
MAX_INLINE_PLOT_PARTITIONS = 3


@asset(
    key=["marts", CAR_PERFORMANCE_TABLE],
    group_name=GROUP,
    kinds={"duckdb", "parquet"},
    partitions_def=race_partitions,
    backfill_policy=BackfillPolicy.single_run(),
    deps=[AssetKey(["marts", "fct_laps"]), AssetKey(["marts", "dim_constructors"]),
          AssetKey(["staging", "stg_fastf1__session_laps"]), AssetKey(["intermediate", "int_fastf1_drivers"]),
          AssetKey(["staging", "stg_fastf1__car_telemetry"]), AssetKey(["staging", "stg_fastf1__circuit_corners"])],
    description="Per team and race weekend, from qualifying or practice laps (race laps, fuel-corrected, as the "
                "fallback): low/medium/high-speed corners, straights and braking (telemetry) or sectors and speed "
                "trap (timing), each 0–100 relative to the field, plus the overall index; radar plots",
)
def car_performance_scores(context: AssetExecutionContext, undercut: UndercutResource) -> MaterializeResult:
    settings = undercut.settings
    ids = race_ids(settings.warehouse, context.partition_keys)
    scores = car_performance.race_scores(settings.warehouse, ids.values())
    by_race = dict(tuple(scores.groupby("race_id")))
    rows = 0
    plotted: list[str] = []
    with Publisher(settings) as publisher:
        for key, race_id in ids.items():
            race = by_race.get(race_id)
            if race is None:  # no timed laps yet (the next race)
                continue
            rows += publisher.publish(CAR_PERFORMANCE_TABLE, race, race=key).rows
            if race["score_source"].iloc[0] == car_performance.TELEMETRY:
                plotted.append(key)
    scored = [k for k, i in ids.items() if i in by_race]
    context.log.info(f"car performance: {len(scored)}/{len(ids)} races scored, telemetry for {plotted}")
    metadata: dict[str, object] = {"rows": rows, "races_scored": len(scored), "telemetry_races": ", ".join(plotted)}
    if scored:
        latest = scored[-1]
        latest_scores = by_race[ids[latest]]
        figure = car_performance.radar_figure(latest_scores, f"Car performance {latest} "
                                                             f"({latest_scores['session_code'].iloc[0]} "
                                                             f"{latest_scores['score_source'].iloc[0]})")
        metadata |= plot_metadata(figure, settings.home / "plots" / CAR_PERFORMANCE_TABLE / f"{latest}.png",
                                  inline=len(context.partition_keys) <= MAX_INLINE_PLOT_PARTITIONS)
        overall = latest_scores[latest_scores["area"] == car_performance.OVERALL].sort_values("rank")
        metadata["top_teams"] = ", ".join(f"{t} {s:.0f}" for t, s in overall[["team_name", "score"]].head(3).to_numpy())
    return MaterializeResult(metadata=metadata)  # type: ignore[arg-type]




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
