"""The insights domain: per-race time lost, race stories, battle forecast and car performance scores."""

from dagster import Definitions

from orchestration.defs.insights.assets import insight_assets
from orchestration.defs.insights.car_scores import car_performance_scale, car_performance_scores
from orchestration.defs.insights.checks import insight_checks

defs = Definitions(assets=[*insight_assets, car_performance_scores],
                   asset_checks=[*insight_checks, car_performance_scale])
