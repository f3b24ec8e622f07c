"""`undercut status`: the state of the platform without opening the Dagster UI, read from Dagster's own records
(materialisations, failed runs, asset checks; what is stale is what the refresh planner finds due) and from the
warehouse's calendar (the next race, provisional races)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from dagster import AssetKey, DagsterInstance, DagsterRunStatus, RunsFilter
from dagster._core.definitions.assets.graph.base_asset_graph import BaseAssetGraph
from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus

from orchestration.defs.planner import Planner
from transforms.exceptions import WarehouseUnavailableError
from transforms.sessions import race_key
from transforms.settings import Settings
from transforms.warehouse import read_frame


@dataclass
class GroupStatus:
    """Asset-partitions of one asset group (an unpartitioned asset counts as one)."""

    group: str
    assets: int = 0
    partitions: int = 0
    materialised: int = 0
    missing: int = 0
    stale: int = 0  # materialised, but due again: newer source or upstream data, or new code
    failed: int = 0  # the latest attempt failed and nothing materialised since


@dataclass
class PlatformStatus:
    groups: list[GroupStatus]
    failing_checks: list[dict[str, str]]
    last_run: dict[str, str] | None
    last_failed_run: dict[str, str] | None
    next_race: dict[str, Any] | None
    provisional_races: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _failed_partitions(instance: DagsterInstance, key: AssetKey) -> set[str]:
    attempts = instance.event_log_storage.get_latest_asset_partition_materialization_attempts_without_materializations(
        key)
    runs = {run_id for run_id, _ in attempts.values()}
    failed = {r.run_id for r in instance.get_runs(RunsFilter(run_ids=list(runs), statuses=[DagsterRunStatus.FAILURE]))
              } if runs else set()
    return {partition for partition, (run_id, _) in attempts.items() if run_id in failed}


def _group_statuses(instance: DagsterInstance, graph: BaseAssetGraph, planner: Planner) -> list[GroupStatus]:
    groups: dict[str, GroupStatus] = {}
    for key in sorted(graph.materializable_asset_keys):
        node = graph.get(key)
        status = groups.setdefault(node.group_name, GroupStatus(node.group_name))
        status.assets += 1
        if node.partitions_def is None:
            done = instance.get_latest_materialization_event(key) is not None
            status.partitions += 1
            status.materialised += done
            status.missing += not done
            status.stale += done and key in planner.due_assets([key])
            continue
        keys = node.partitions_def.get_partition_keys(dynamic_partitions_store=instance)
        done_keys = instance.get_materialized_partitions(key) & set(keys)
        status.partitions += len(keys)
        status.materialised += len(done_keys)
        status.missing += len(keys) - len(done_keys)
        status.stale += len(set(planner.due_partitions([key], keys)) & done_keys)
        status.failed += len(_failed_partitions(instance, key) & set(keys))
    return sorted(groups.values(), key=lambda g: g.group)


def _failing_checks(instance: DagsterInstance, graph: BaseAssetGraph) -> list[dict[str, str]]:
    latest = instance.event_log_storage.get_latest_asset_check_execution_by_key(list(graph.asset_check_keys))
    failing = []
    for check, record in sorted(latest.items(), key=lambda item: item[0].to_user_string()):
        evaluation = record.event.asset_check_evaluation if record and record.event else None
        if record and (record.status == AssetCheckExecutionRecordStatus.FAILED
                       or (evaluation is not None and not evaluation.passed)):
            failing.append({"check": check.to_user_string(),
                            "severity": evaluation.severity.value if evaluation else "ERROR",
                            "description": (evaluation.description or "") if evaluation else ""})
    return failing


def _run(instance: DagsterInstance, statuses: list[DagsterRunStatus] | None = None) -> dict[str, str] | None:
    records = instance.get_run_records(RunsFilter(statuses=statuses) if statuses else None, limit=1)
    if not records:
        return None
    record = records[0]
    ended = record.end_time or record.start_time or record.create_timestamp.timestamp()
    return {"job": record.dagster_run.job_name, "status": record.dagster_run.status.value,
            "run_id": record.dagster_run.run_id, "at": datetime.fromtimestamp(ended, UTC).isoformat(timespec="seconds")}


def _calendar(settings: Settings) -> tuple[dict[str, Any] | None, list[str]]:
    try:
        races = read_frame(settings.warehouse, "select season, round, race_name, race_start_at, is_next_race, "
                                               "is_provisional from marts.dim_races where is_next_race or is_provisional"
                                               " order by race_start_at")
    except WarehouseUnavailableError:
        return None, []
    provisional = [race_key(int(r.season), int(r["round"])) for _, r in races[races["is_provisional"]].iterrows()]
    upcoming = races[races["is_next_race"]]
    if upcoming.empty:
        return None, provisional
    row = upcoming.iloc[0]
    return {"race_key": race_key(int(row.season), int(row["round"])), "race_name": row.race_name,
            "race_start_at": row.race_start_at.isoformat()}, provisional


def platform_status(settings: Settings, instance: DagsterInstance) -> PlatformStatus:
    from orchestration.definitions import defs
    from orchestration.defs.jobs import race_job

    graph = defs.resolve_asset_graph()
    planner = Planner(instance, graph)
    next_race, provisional = _calendar(settings)
    if next_race is not None:
        due = planner.due_partitions(race_job.selection.resolve(graph), [next_race["race_key"]])
        next_race["precompute_fresh"] = not due
    return PlatformStatus(groups=_group_statuses(instance, graph, planner), failing_checks=_failing_checks(instance, graph),
                          last_run=_run(instance), last_failed_run=_run(instance, [DagsterRunStatus.FAILURE]),
                          next_race=next_race, provisional_races=provisional)


def render(status: PlatformStatus) -> str:
    """The status as a terminal reads it: a table per asset group, then runs, checks and the calendar."""
    header = ("group", "assets", "partitions", "materialised", "missing", "stale", "failed")
    rows = [header, *((g.group, *(str(v) for v in (g.assets, g.partitions, g.materialised, g.missing, g.stale,
                                                     g.failed))) for g in status.groups)]
    widths = [max(len(r[c]) for r in rows) for c in range(len(header))]
    lines = ["  ".join(v.ljust(w) if c == 0 else v.rjust(w) for c, (v, w) in enumerate(zip(r, widths, strict=True)))
             for r in rows]
    for label, run in (("last run", status.last_run), ("last failed run", status.last_failed_run)):
        lines.append(f"{label}: " + (f"{run['job']} {run['status']} at {run['at']} ({run['run_id']})" if run
                                     else "none"))
    race = status.next_race
    lines.append("next race: " + (f"{race['race_key']} {race['race_name']} ({race['race_start_at']}), precompute "
                                  + ("fresh" if race["precompute_fresh"] else "due") if race else "unknown"))
    if status.provisional_races:
        lines.append(f"provisional races (timing in, results not yet): {', '.join(status.provisional_races)}")
    lines.append(f"failing checks: {len(status.failing_checks)}")
    lines += [f"  {c['severity']:<5} {c['check']}: {c['description']}" for c in status.failing_checks]
    return "\n".join(lines)
