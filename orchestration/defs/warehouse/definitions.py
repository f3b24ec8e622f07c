"""The warehouse domain: the raw views over the lake and the DuckLake's weekly upkeep."""

from dagster import AssetSelection, DefaultScheduleStatus, Definitions, ScheduleDefinition, define_asset_job

from orchestration.defs.warehouse.assets import warehouse_maintenance, warehouse_raw_schema

warehouse_maintenance_job = define_asset_job("warehouse_maintenance_job", AssetSelection.assets(warehouse_maintenance),
                                             description="Merge small files, expire old snapshots, delete old files")
# Runs by default: it only compacts and expires what no history query needs (Monday 05:00, between race weekends).
warehouse_maintenance_schedule = ScheduleDefinition(job=warehouse_maintenance_job, cron_schedule="0 5 * * 1",
                                                    default_status=DefaultScheduleStatus.RUNNING)

defs = Definitions(assets=[warehouse_raw_schema, warehouse_maintenance], jobs=[warehouse_maintenance_job],
                   schedules=[warehouse_maintenance_schedule])
