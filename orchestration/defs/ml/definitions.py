"""The ML domain: Feast, training with the promotion gate, prediction tables, `ml_job` and the ML resource; the
walk-forward evaluation with its own job and weekly schedule."""

from dagster import Definitions

from orchestration.defs.ml.assets import ml_assets, ml_job
from orchestration.defs.ml.checks import ml_checks
from orchestration.defs.ml.evaluation import walk_forward_evaluation, walk_forward_job, walk_forward_schedule
from orchestration.defs.ml.resources import MlResource

defs = Definitions(assets=[*ml_assets, walk_forward_evaluation], asset_checks=ml_checks,
                   jobs=[ml_job, walk_forward_job], schedules=[walk_forward_schedule],
                   resources={"ml": MlResource.from_env()})
