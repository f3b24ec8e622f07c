"""The historical domain: one asset per Ergast table and their lake checks."""

from dagster import Definitions

from orchestration.defs.historical.assets import historical_assets
from orchestration.defs.historical.checks import historical_checks

defs = Definitions(assets=historical_assets, asset_checks=historical_checks)
