"""The DuckDB warehouse's ``raw`` schema: a view per lake table, refreshed whenever a lake table changes."""


from dagster import AssetExecutionContext, AutomationCondition, MaterializeResult, asset

from orchestration.defs.lake_checks import raw_key
from orchestration.defs.resources import WAREHOUSE_POOL, UndercutResource
from transforms.schemas import TABLES
from transforms.warehouse import build_raw_schema, connect


@asset(
    group_name="warehouse",
    pool=WAREHOUSE_POOL,
    deps=[raw_key(spec) for spec in TABLES.values()],
    automation_condition=AutomationCondition.eager(),
    kinds={"duckdb"},
    description="Schema `raw` in $UNDERCUT_HOME/warehouse.duckdb: one view per lake table (Hive partitions as "
                "columns season/round/session).",
)
def warehouse_raw_schema(context: AssetExecutionContext, undercut: UndercutResource) -> MaterializeResult:
    with connect(undercut.settings.warehouse_path, undercut.lake) as con:
        counts = build_raw_schema(con, undercut.lake)
    context.log.info(f"raw schema: {len(counts)} views, {sum(counts.values())} rows")
    return MaterializeResult(metadata={"path": str(undercut.settings.warehouse_path),
                                       **{f"rows.{k}": v for k, v in counts.items()}})
