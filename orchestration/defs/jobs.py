"""Asset jobs per partitioning (inferred from the selected assets): what the sensors, `undercut run` and
`undercut refresh` launch, and the order the in-process runs walk them in."""

import logging
from collections.abc import Iterator, Sequence
from datetime import datetime

from dagster import AssetSelection, Definitions, define_asset_job

from ml import drift, gate_decisions
from orchestration.defs.dbt.assets import dbt_job
from orchestration.defs.insights.assets import insight_assets
from orchestration.defs.insights.car_scores import car_performance_scores
from orchestration.defs.ml.assets import ml_job, model_assets
from orchestration.defs.monitoring.assets import drift_report
from orchestration.defs.strategy.assets import circuit_safety_car_probability, strategy_assets
from orchestration.lib.lake_checks import raw_key
from transforms.schemas import HISTORICAL, Partitioning
from transforms.settings import Settings

log = logging.getLogger("undercut.run")

reference_job = define_asset_job(
    "reference_job",
    AssetSelection.assets(*[raw_key(s) for s in HISTORICAL if s.partitioning is Partitioning.NONE]),
    description="Unpartitioned reference tables (seasons, circuits, constructors, drivers, status)",
)
historical_job = define_asset_job(
    "historical_job",
    AssetSelection.assets(*[raw_key(s) for s in HISTORICAL if s.partitioning is Partitioning.SEASON]),
    description="Season-partitioned Ergast tables",
)
weekend_job = define_asset_job("weekend_job", AssetSelection.groups("weekend"),
                               description="Session-partitioned race-weekend tables")
warehouse_job = define_asset_job("warehouse_job", AssetSelection.assets("warehouse_raw_schema"),
                                 description="Refresh the warehouse's raw views over the lake")
ml_predict_job = define_asset_job(
    "ml_predict_job", AssetSelection.groups("ml") - AssetSelection.assets(*model_assets),
    description="Feast apply + materialise and the prediction tables from the current champions (no retraining)")

drift_job = define_asset_job(
    "drift_job", AssetSelection.assets(drift_report),
    description="Evidently drift of each weekend's features/predictions vs the champion's training data; the "
                "retraining decision")
safety_car_job = define_asset_job(
    "safety_car_job", AssetSelection.assets(circuit_safety_car_probability),
    description="Per-circuit SC / VSC / red-flag probabilities (unpartitioned: every race's history feeds it)")
race_job = define_asset_job(
    "race_job", AssetSelection.assets(*insight_assets, car_performance_scores,
                                      *[a for a in strategy_assets if a is not circuit_safety_car_probability]),
    description="Everything computed per race: strategy precompute, car performance, insights")

INGEST_JOBS = (reference_job, historical_job, weekend_job, warehouse_job, dbt_job)
# What `undercut run` runs; the order comes from the asset graph (`in_graph_order`), ties in this order.
MAIN_JOBS = (*INGEST_JOBS, ml_job, drift_job, safety_car_job, race_job)


def in_graph_order(defs: Definitions, job_names: Sequence[str]) -> list[str]:
    """`job_names` ordered so that each job runs after every job whose assets its own assets read, directly or
    through assets of other jobs (a topological order of the jobs' asset graph; ties keep the given order)."""
    graph = defs.resolve_asset_graph()
    assets = {name: set(defs.resolve_job_def(name).asset_layer.executable_asset_keys) for name in job_names}
    owner = {key: name for name, keys in assets.items() for key in keys}
    upstream: dict[str, set[str]] = {}
    for name, keys in assets.items():
        ancestors = AssetSelection.assets(*keys).upstream().resolve(graph) - keys
        upstream[name] = {owner[k] for k in ancestors if k in owner} - {name}
    ordered: list[str] = []
    while len(ordered) < len(job_names):
        ready = [n for n in job_names if n not in ordered and upstream[n] <= set(ordered)]
        if not ready:
            raise ValueError(f"jobs read each other's assets in a cycle: {sorted(set(job_names) - set(ordered))}")
        ordered.append(ready[0])
    return ordered


def refresh_sequence(settings: Settings, retrain: str = "weekend") -> Iterator[str]:
    """Jobs of a weekend refresh, in order; lazy, so the retraining choice sees the races the ingest landed and the
    drift decision just made (`retrain`: "weekend" retrains when a race has its result but the models were not
    trained on it yet (this refresh's or an unfinished earlier one's), otherwise follows the drift decision as
    "drift" does; "always" / "never" override both)."""
    started = datetime.now()  # drift decisions carry naive local timestamps
    yield from (job.name for job in INGEST_JOBS)
    landed = gate_decisions.races_not_trained_on(settings.warehouse)
    # the new race is judged on the predictions made before it (the previous run's), against its result
    yield drift_job.name
    decisions = drift.decisions_after(settings.warehouse, started)
    asked = bool(decisions["retrain"].any())
    if asked:
        log.info("refresh: drift decision asks for retraining (%s)", "; ".join(decisions["reason"]))
    if landed:
        log.info("refresh: races with a result the models were not trained on: %s", sorted(landed))
    retrains = (retrain == "always" or (retrain in ("drift", "weekend") and asked)
                or (retrain == "weekend" and bool(landed)))
    yield ml_job.name if retrains else ml_predict_job.name
    yield safety_car_job.name
    yield race_job.name
    yield drift_job.name  # the next race's weekend against the predictions just made


ALL_JOBS = (*MAIN_JOBS, ml_predict_job)
