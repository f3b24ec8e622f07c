"""Race-partitioned monitoring assets: car performance scores per team (telemetry or timing) and the drift report
with its retraining decision. The partition is the race weekend (`YYYY-RR`); single-run backfills loop over
`context.partition_keys`."""

from datetime import datetime

from dagster import (
    AssetExecutionContext,
    AssetKey,
    BackfillPolicy,
    MaterializeResult,
    MetadataValue,
    asset,
)

from ml import car_performance, drift
from orchestration.defs.plots import plot_metadata
from orchestration.defs.races.partitions import race_partitions
from orchestration.defs.resources import UndercutResource
from transforms.derived import Publisher
from transforms.sessions import parse_race_key, race_key
from transforms.warehouse import Warehouse, read_frame

GROUP = "monitoring"
CAR_PERFORMANCE_TABLE = "car_performance_scores"
# An inline PNG is copied into every partition's materialisation event: only for runs of a few partitions
# (a weekend refresh); a full backfill links the PNG files instead.
MAX_INLINE_PLOT_PARTITIONS = 3


def race_ids(warehouse: Warehouse, keys: list[str]) -> dict[str, int]:
    """Race key -> Ergast race id for the keys in the calendar."""
    calendar = read_frame(warehouse, "select race_id, season, round from marts.dim_races")
    by_key = {race_key(int(s), int(r)): int(i) for i, s, r in calendar[["race_id", "season", "round"]].to_numpy()}
    return {k: by_key[k] for k in keys if k in by_key}


@asset(
    key=["marts", CAR_PERFORMANCE_TABLE],
    group_name=GROUP,
    kinds={"duckdb", "parquet"},
    partitions_def=race_partitions,
    backfill_policy=BackfillPolicy.single_run(),
    deps=[AssetKey(["marts", "fct_laps"]), AssetKey(["marts", "dim_constructors"]),
          AssetKey(["staging", "stg_fastf1__car_telemetry"]), AssetKey(["staging", "stg_fastf1__circuit_corners"])],
    description="Per team and race: low/medium/high-speed corners, straights and braking (telemetry) or sectors and "
                "speed trap (timing), each 0–100 relative to the field, plus the overall index; radar plots",
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
                                                             f"({latest_scores['score_source'].iloc[0]})")
        metadata |= plot_metadata(figure, settings.home / "plots" / CAR_PERFORMANCE_TABLE / f"{latest}.png",
                                  inline=len(context.partition_keys) <= MAX_INLINE_PLOT_PARTITIONS)
        overall = latest_scores[latest_scores["area"] == car_performance.OVERALL].sort_values("rank")
        metadata["top_teams"] = ", ".join(f"{t} {s:.0f}" for t, s in overall[["team_name", "score"]].head(3).to_numpy())
    return MaterializeResult(metadata=metadata)  # type: ignore[arg-type]


@asset(
    key=["monitoring", "drift_report"],
    group_name=GROUP,
    kinds={"evidently", "duckdb"},
    partitions_def=race_partitions,
    backfill_policy=BackfillPolicy.single_run(),
    deps=[AssetKey(["marts", "predictions_race_entries"]), AssetKey(["features", "race_entry_features"])],
    description="Evidently drift of the weekend's pre-race features and predictions against the finish-position "
                "champion's training rows, the live error of its predictions and the retraining decision: HTML in "
                "$UNDERCUT_HOME/reports/drift_<race>.html, marts.drift_metrics and marts.drift_decisions",
)
def drift_report(context: AssetExecutionContext, undercut: UndercutResource) -> MaterializeResult:
    settings = undercut.settings
    warehouse = settings.warehouse
    reference = drift.reference_rows(warehouse)
    decisions = []
    with Publisher(settings) as publisher:
        for key in context.partition_keys:
            season, round_ = parse_race_key(key)
            current = drift.entry_rows(warehouse, "p.season = ? and p.round = ?", [season, round_])
            # Weekends inside the champion's training data are its reference: comparing them says nothing.
            if current.empty or (current["split"] == drift.TRAIN_SPLIT).all():
                continue
            weekend = drift.weekend_drift(reference, current, key, datetime.now())
            report_path = settings.home / "reports" / f"drift_{key}.html"
            report_path.parent.mkdir(parents=True, exist_ok=True)
            weekend.report.save_html(str(report_path))
            publisher.publish(drift.METRICS_TABLE, weekend.metrics_frame(), race=key)
            publisher.publish(drift.DECISIONS_TABLE, weekend.decision_frame(), race=key)
            decisions.append(weekend.decision)
            context.log.info(f"drift {key}: {weekend.decision.reason}")
    metadata: dict[str, object] = {"weekends_reported": len(decisions),
                                   "retrain_requested": ", ".join(d.race_key for d in decisions if d.retrain)}
    if decisions:
        latest = decisions[-1]
        metadata |= {"latest_race": latest.race_key, "latest_drift_share": latest.drift_share,
                     "latest_live_error_positions": (latest.live_error_positions
                                                     if latest.live_error_positions is not None else "no result yet"),
                     "latest_retrain": latest.retrain, "latest_reason": latest.reason,
                     "latest_report": MetadataValue.path(str(settings.home / "reports" /
                                                             f"drift_{latest.race_key}.html"))}
    return MaterializeResult(metadata=metadata)  # type: ignore[arg-type]


monitoring_assets = [car_performance_scores, drift_report]
