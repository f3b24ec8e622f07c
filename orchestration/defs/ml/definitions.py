"""The ML domain: Feast, training with the promotion gate, prediction tables, `ml_job` and the ML resource."""

from dagster import Definitions

from orchestration.defs.ml.assets import ml_assets, ml_job
from orchestration.defs.ml.checks import ml_checks
from orchestration.defs.ml.resources import MlResource

defs = Definitions(assets=ml_assets, asset_checks=ml_checks, jobs=[ml_job], resources={"ml": MlResource.from_env()})
