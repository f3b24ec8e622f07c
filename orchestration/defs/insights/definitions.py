"""The insights domain: per-race time lost, race stories and battle forecast."""

from dagster import Definitions

from orchestration.defs.insights.assets import insight_assets
from orchestration.defs.insights.checks import insight_checks

defs = Definitions(assets=insight_assets, asset_checks=insight_checks)
