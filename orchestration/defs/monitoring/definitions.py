"""The monitoring domain: the drift report and the retraining sensor."""

from dagster import Definitions

from orchestration.defs.monitoring.assets import monitoring_assets
from orchestration.defs.monitoring.checks import monitoring_checks
from orchestration.defs.monitoring.sensors import monitoring_sensors

defs = Definitions(assets=monitoring_assets, asset_checks=monitoring_checks, sensors=monitoring_sensors)
