"""The warehouse's ``raw`` schema (a view per lake table, refreshed whenever a lake table changes) and its upkeep."""


from dagster import AssetExecutionContext, AutomationCondition, MaterializeResult, asset

from orchestration.defs.resources import WAREHOUSE_POOL, UndercutResource
from orchestration.lib.lake_checks import raw_key
from transforms.schemas import TABLES
from transforms.warehouse import build_raw_schema, maintain


@asset(
    group_name="warehouse",
    pool=WAREHOUSE_POOL,
    deps=[raw_key(spec) for spec in TABLES.values()],
    automation_condition=AutomationCondition.eager(),
    kinds={"duckdb"},
    description="Schema `raw` of the warehouse (DuckLake): one view per lake table (Hive partitions as "
                "columns season/round/session).",
)
def warehouse_raw_schema(context: AssetExecutionContext, undercut: UndercutResource) -> MaterializeResult:
    counts = build_raw_schema(undercut.settings.warehouse, undercut.lake)
    context.log.info(f"raw schema: {len(counts)} views, {sum(counts.values())} rows")
    return MaterializeResult(metadata={"catalog": undercut.settings.warehouse.described(),
                                       **{f"rows.{k}": v for k, v in counts.items()}})


WAREHOUSE_RAW_SCHEMA = warehouse_raw_schema.key


@asset(
    group_name="warehouse",
    pool=WAREHOUSE_POOL,
    kinds={"ducklake"},
    description="DuckLake upkeep of the warehouse: small data files merged, snapshots older than 30 days expired "
                "(except those `ops.race_landings` keeps for 'as it stood before race R'), unreferenced files "
                "deleted after a day. Weekly (warehouse_maintenance_schedule) or on demand.",
)
def warehouse_maintenance(context: AssetExecutionContext, undercut: UndercutResource) -> MaterializeResult:
    outcome = maintain(undercut.settings.warehouse)
    context.log.info(", ".join(f"{k}={v}" for k, v in outcome.items()))
    return MaterializeResult(metadata=dict(outcome))
