"""Race-weekend tables, partitioned by session. One load of a session yields all its timing tables; car
telemetry is a separate asset because loading it costs far more (and not every session has it)."""


from collections.abc import Iterator

from dagster import (
    AssetExecutionContext,
    AssetSpec,
    BackfillPolicy,
    MaterializeResult,
    asset,
    multi_asset,
)

from orchestration.defs.resources import FASTF1_POOL, UndercutResource, source_pool
from orchestration.defs.sources.assets import FASTF1_SESSION
from orchestration.defs.weekend.partitions import session_partitions
from orchestration.lib.lake_checks import raw_key
from transforms.schemas import TABLES, WEEKEND
from transforms.sessions import SessionRef

TIMING_TABLES = [spec for spec in WEEKEND if spec.name != "car_telemetry"]


def _write_sessions(context: AssetExecutionContext, undercut: UndercutResource, names: list[str]) -> dict[str, int]:
    rows = dict.fromkeys(names, 0)
    sessions = [SessionRef.parse(k) for k in context.partition_keys]
    for i, ref in enumerate(sessions, start=1):
        for name in names:
            table = undercut.source.weekend_table(name, ref)
            rows[name] += undercut.lake.write(TABLES[name], table, session=ref).rows
        if i % 25 == 0 or i == len(sessions):
            context.log.info(f"{'/'.join(names)[:60]}: {i}/{len(sessions)} sessions written")
    return rows


@multi_asset(
    specs=[AssetSpec(raw_key(spec), description=spec.description, group_name="weekend", kinds={"parquet"},
                     metadata={"primary_key": list(spec.primary_key), "columns": spec.schema.names},
                     deps=[FASTF1_SESSION])
           for spec in TIMING_TABLES],
    partitions_def=session_partitions,
    backfill_policy=BackfillPolicy.single_run(),
    pool=source_pool(FASTF1_POOL),
    name="session_timing",
)
def session_timing(context: AssetExecutionContext, undercut: UndercutResource) -> Iterator[MaterializeResult]:
    rows = _write_sessions(context, undercut, [spec.name for spec in TIMING_TABLES])
    for spec in TIMING_TABLES:
        yield MaterializeResult(asset_key=raw_key(spec), metadata={"rows": rows[spec.name],
                                                                   "path": undercut.lake.table_dir(spec)})


@asset(
    name="car_telemetry",
    key_prefix="raw",
    group_name="weekend",
    description=TABLES["car_telemetry"].description,
    partitions_def=session_partitions,
    backfill_policy=BackfillPolicy.single_run(),
    pool=source_pool(FASTF1_POOL),
    kinds={"parquet"},
    deps=[FASTF1_SESSION],
)
def car_telemetry(context: AssetExecutionContext, undercut: UndercutResource) -> MaterializeResult:
    rows = _write_sessions(context, undercut, ["car_telemetry"])
    return MaterializeResult(metadata={"rows": rows["car_telemetry"],
                                       "path": undercut.lake.table_dir(TABLES["car_telemetry"])})


weekend_assets = [session_timing, car_telemetry]
