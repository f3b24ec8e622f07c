"""One asset per Ergast table (a factory over the declared schemas); season tables are partitioned by season."""


from dagster import AssetExecutionContext, AssetsDefinition, BackfillPolicy, MaterializeResult, asset

from orchestration.defs.historical.partitions import season_partitions
from orchestration.defs.resources import JOLPICA_POOL, UndercutResource, source_pool
from orchestration.defs.sources.assets import ERGAST_REFERENCE, ERGAST_SEASON
from transforms.schemas import HISTORICAL, Partitioning, TableSpec


def historical_asset(spec: TableSpec) -> AssetsDefinition:
    partitioned = spec.partitioning is Partitioning.SEASON

    @asset(
        name=spec.name,
        key_prefix="raw",
        group_name="historical",
        description=spec.description,
        partitions_def=season_partitions if partitioned else None,
        deps=[ERGAST_SEASON if partitioned else ERGAST_REFERENCE],
        # A backfill of many seasons runs as one run that loops over its seasons (cheap per season).
        backfill_policy=BackfillPolicy.single_run() if partitioned else None,
        kinds={"parquet"},
        pool=source_pool(JOLPICA_POOL),
        metadata={"primary_key": list(spec.primary_key), "columns": spec.schema.names},
    )
    def _asset(context: AssetExecutionContext, undercut: UndercutResource) -> MaterializeResult:
        seasons: list[int | None] = [int(k) for k in context.partition_keys] if partitioned else [None]
        rows = 0
        for season in seasons:
            table = undercut.source.historical_table(spec.name, season)
            rows += undercut.lake.write(spec, table, season=season).rows
            context.log.debug(f"{spec.name} season={season}: {table.num_rows} rows")
        context.log.info(f"{spec.name}: wrote {rows} rows over {len(seasons)} partition(s)")
        return MaterializeResult(metadata={"rows": rows, "partitions": len(seasons),
                                           "path": undercut.lake.table_dir(spec)})

    return _asset


historical_assets = [historical_asset(spec) for spec in HISTORICAL]
