"""Log a trained model to MLflow (params, metrics, signature, input example, plots) and pass it through the gate."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from ml import registry, tracking
from ml.paths import MlPaths

# MLflow, XGBoost and scikit-learn are imported in the functions that use them: each takes ~3-4 s to import.
if TYPE_CHECKING:
    from matplotlib.figure import Figure


@dataclass
class TrainedModel:
    name: str
    estimator: Any
    flavor: Literal["xgboost", "sklearn"]
    valid_x: pd.DataFrame  # the validation features: the gate scores every version on exactly these rows
    score: Callable[[np.ndarray], float]  # validation predictions -> gate metric
    greater_is_better: bool
    params: dict[str, Any]
    metrics: dict[str, float]  # model and baselines side by side
    figures: dict[str, Figure] = field(default_factory=dict)
    documents: dict[str, Any] = field(default_factory=dict)  # JSON artifacts (e.g. the finish-position spread)
    pyfunc_predict_fn: str = "predict"


@dataclass(frozen=True)
class WalkForward:
    """The procedure's walk-forward record the gate judges the version by (ml.procedures)."""

    digest: str
    per_race: pd.DataFrame  # ml.walk_forward.PER_RACE_COLUMNS over the judged races
    metric: str
    higher_is_better: bool
    trained_through_race_id: int  # the latest race with a result in the deployed fit's data
    tie_break: tuple[str, bool] | None = None  # ml.procedures.Procedure.tie_break


def _log_model(trained: TrainedModel, signature: Any) -> Any:
    import mlflow
    import sklearn
    import xgboost as xgb

    # Explicit requirements: MLflow's inference imports the model in a subprocess, seconds per model on two cores.
    requirements = [f"xgboost=={xgb.__version__}", f"scikit-learn=={sklearn.__version__}", f"pandas=={pd.__version__}"]
    common = {"name": "model", "signature": signature, "input_example": trained.valid_x.head(5),
              "registered_model_name": trained.name, "pip_requirements": requirements}
    if trained.flavor == "xgboost":
        return mlflow.xgboost.log_model(trained.estimator, **common)
    return mlflow.sklearn.log_model(trained.estimator, serialization_format="cloudpickle",
                                    pyfunc_predict_fn=trained.pyfunc_predict_fn, **common)


def publish(trained: TrainedModel, paths: MlPaths, walk_forward: WalkForward | None = None) -> registry.GateDecision:
    """Log and register `trained`, then gate it: on its procedure's walk-forward record when given, else on its
    validation rows."""
    import mlflow
    from mlflow.models import infer_signature

    client = tracking.configure(paths)
    experiment = tracking.experiment_id(client, paths, trained.name)
    with mlflow.start_run(experiment_id=experiment, run_name=trained.name):
        mlflow.log_params(trained.params)
        mlflow.log_metrics(trained.metrics)
        for name, figure in trained.figures.items():
            mlflow.log_figure(figure, f"plots/{name}.png")
        for name, document in trained.documents.items():
            mlflow.log_dict(document, f"{name}.json")
        if walk_forward is not None:
            mlflow.set_tag(registry.DIGEST_TAG, walk_forward.digest)
            mlflow.log_text(walk_forward.per_race.to_csv(index=False), registry.PER_RACE_ARTIFACT)
            scored = walk_forward.per_race[walk_forward.per_race["metric"] == walk_forward.metric]
            if scored["value"].notna().any():  # the mean over the judged races (the gate compares common races)
                mlflow.log_metric(f"walk_forward_{walk_forward.metric}", float(scored["value"].mean()))
        predictor = getattr(trained.estimator, trained.pyfunc_predict_fn)
        signature = infer_signature(trained.valid_x.head(100), predictor(trained.valid_x.head(100)))
        info = _log_model(trained, signature)
    version = int(info.registered_model_version)
    if walk_forward is None:
        return registry.gate(client, trained.name, version,
                             lambda model: trained.score(np.asarray(model.predict(trained.valid_x))),
                             trained.greater_is_better)
    client.set_model_version_tag(trained.name, str(version), registry.DIGEST_TAG, walk_forward.digest)
    return registry.walk_forward_gate(client, trained.name, version, walk_forward.digest, walk_forward.per_race,
                                      walk_forward.metric, walk_forward.higher_is_better,
                                      walk_forward.trained_through_race_id, walk_forward.tie_break)
