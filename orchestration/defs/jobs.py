"""Asset jobs per partitioning: what the calendar sensor and `undercut run` launch."""

from dagster import AssetSelection, define_asset_job

from orchestration.defs.dbt.assets import dbt_job
from orchestration.defs.historical.partitions import season_partitions
from orchestration.defs.lake_checks import raw_key
from orchestration.defs.weekend.partitions import session_partitions
from transforms.schemas import HISTORICAL, Partitioning

reference_job = define_asset_job(
    "reference_job",
    AssetSelection.assets(*[raw_key(s) for s in HISTORICAL if s.partitioning is Partitioning.NONE]),
    description="Unpartitioned reference tables (seasons, circuits, constructors, drivers, status)",
)
historical_job = define_asset_job(
    "historical_job",
    AssetSelection.assets(*[raw_key(s) for s in HISTORICAL if s.partitioning is Partitioning.SEASON]),
    partitions_def=season_partitions,
    description="Season-partitioned Ergast tables",
)
weekend_job = define_asset_job("weekend_job", AssetSelection.groups("weekend"), partitions_def=session_partitions,
                               description="Session-partitioned race-weekend tables")
warehouse_job = define_asset_job("warehouse_job", AssetSelection.groups("warehouse"),
                                 description="Refresh the DuckDB warehouse views")

MAIN_SEQUENCE = (reference_job, historical_job, weekend_job, warehouse_job, dbt_job)
