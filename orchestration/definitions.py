"""The undercut Dagster code location: every domain's definitions merged into one."""

from datetime import timedelta

from dagster import AssetSelection, Definitions, FreshnessPolicy

from orchestration.defs.dbt.assets import dbt_defs
from orchestration.defs.historical.assets import historical_assets
from orchestration.defs.historical.checks import historical_checks
from orchestration.defs.incidents.sensors import incident_sensor
from orchestration.defs.insights.assets import insight_assets
from orchestration.defs.insights.checks import insight_checks
from orchestration.defs.jobs import ALL_JOBS
from orchestration.defs.ml.assets import ml_defs
from orchestration.defs.monitoring.assets import monitoring_assets
from orchestration.defs.monitoring.checks import monitoring_checks
from orchestration.defs.monitoring.sensors import monitoring_sensors
from orchestration.defs.races.sensors import race_refresh_sensor
from orchestration.defs.resources import UndercutResource
from orchestration.defs.strategy.assets import strategy_assets
from orchestration.defs.strategy.checks import strategy_checks
from orchestration.defs.warehouse.assets import warehouse_raw_schema
from orchestration.defs.weekend.assets import weekend_assets
from orchestration.defs.weekend.checks import weekend_checks
from orchestration.defs.weekend.sensors import calendar_sensor

# What a race weekend delivers is stale after a week and overdue after two (race weekends are at most two weeks
# apart in season; the summer break shows as overdue, truthfully).
PRECOMPUTE_FRESHNESS = FreshnessPolicy.time_window(fail_window=timedelta(days=14), warn_window=timedelta(days=8))

defs = Definitions.merge(
    Definitions(assets=historical_assets, asset_checks=historical_checks),
    Definitions(assets=weekend_assets, asset_checks=weekend_checks, sensors=[calendar_sensor]),
    Definitions(assets=[warehouse_raw_schema]),
    dbt_defs,
    ml_defs,
    Definitions(assets=insight_assets, asset_checks=insight_checks),
    Definitions(assets=monitoring_assets, asset_checks=monitoring_checks, sensors=monitoring_sensors),
    Definitions(assets=strategy_assets, asset_checks=strategy_checks),
    Definitions(sensors=[incident_sensor, race_refresh_sensor]),
    Definitions(jobs=list(ALL_JOBS), resources={"undercut": UndercutResource.from_env()}),
).map_resolved_asset_specs(
    func=lambda spec: spec.replace_attributes(freshness_policy=PRECOMPUTE_FRESHNESS),
    selection=AssetSelection.assets(*strategy_assets, *monitoring_assets, *insight_assets),
)
