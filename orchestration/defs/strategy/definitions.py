"""The strategy domain: safety-car probabilities and the per-race strategy precompute."""

from dagster import Definitions

from orchestration.defs.strategy.assets import strategy_assets
from orchestration.defs.strategy.checks import strategy_checks

defs = Definitions(assets=strategy_assets, asset_checks=strategy_checks)
