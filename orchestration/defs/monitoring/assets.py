"""The race-partitioned drift report with its retraining decision. The partition is the race weekend (`YYYY-RR`);
single-run backfills loop over `context.partition_keys`."""

from datetime import datetime

from dagster import (
    AssetExecutionContext,
    AssetKey,
    BackfillPolicy,
    MaterializeResult,
    MetadataValue,
    asset,
)

from ml import drift
from orchestration.defs.races.partitions import race_partitions
from orchestration.defs.resources import UndercutResource
from transforms.derived import Publisher
from transforms.sessions import parse_race_key

GROUP = "monitoring"


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


monitoring_assets = [drift_report]
