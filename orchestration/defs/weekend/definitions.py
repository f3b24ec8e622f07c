"""The weekend domain: session tables, their lake checks and the calendar sensor that registers new sessions."""

from dagster import Definitions

from orchestration.defs.weekend.assets import weekend_assets
from orchestration.defs.weekend.checks import weekend_checks
from orchestration.defs.weekend.sensors import calendar_sensor

defs = Definitions(assets=weekend_assets, asset_checks=weekend_checks, sensors=[calendar_sensor])
