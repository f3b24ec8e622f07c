"""Asset jobs per partitioning (inferred from the selected assets): what the calendar sensor and `undercut run` launch."""

from dagster import AssetSelection, define_asset_job

from orchestration.defs.dbt.assets import dbt_job
from orchestration.defs.lake_checks import raw_key
from orchestration.defs.ml.assets import ml_job
from transforms.schemas import HISTORICAL, Partitioning

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
warehouse_job = define_asset_job("warehouse_job", AssetSelection.groups("warehouse"),
                                 description="Refresh the DuckDB warehouse views")

MAIN_SEQUENCE = (reference_job, historical_job, weekend_job, warehouse_job, dbt_job, ml_job)
