"""The promotion gate: a new version becomes `champion` only if it beats the current champion on the same
validation data; otherwise it is registered as `challenger`. Downstream always loads `models:/<name>@champion`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

# MLflow is imported in the functions that use it: it takes ~3 s to import.
if TYPE_CHECKING:
    from mlflow import MlflowClient

CHAMPION = "champion"
CHALLENGER = "challenger"

Scorer = Callable[[Any], float]  # a loaded pyfunc model -> its validation score


@dataclass(frozen=True)
class GateDecision:
    model_name: str
    version: int
    alias: str
    candidate_score: float
    champion_version: int | None
    champion_score: float | None

    @property
    def promoted(self) -> bool:
        return self.alias == CHAMPION


def champion_uri(model_name: str) -> str:
    return f"models:/{model_name}@{CHAMPION}"


def champion_version(client: MlflowClient, model_name: str) -> int | None:
    from mlflow.exceptions import MlflowException

    try:
        return int(client.get_model_version_by_alias(model_name, CHAMPION).version)
    except MlflowException:
        return None


def _score_version(model_uri: str, score: Scorer) -> float | None:
    import mlflow
    from mlflow.exceptions import MlflowException

    try:
        return score(mlflow.pyfunc.load_model(model_uri, suppress_warnings=True))  # see ml.predictions.Champion
    except MlflowException:  # e.g. the champion's input schema no longer matches the features: it cannot compete
        return None


def gate(client: MlflowClient, model_name: str, version: int, score: Scorer, greater_is_better: bool) -> GateDecision:
    """Score candidate and champion through the same pyfunc path, then set the candidate's alias."""
    candidate = _score_version(f"models:/{model_name}/{version}", score)
    if candidate is None:
        raise RuntimeError(f"{model_name} v{version} cannot score its own validation data")
    incumbent = champion_version(client, model_name)
    incumbent_score = _score_version(champion_uri(model_name), score) if incumbent is not None else None
    if incumbent_score is None:
        wins = True
    else:  # strictly better: a tie keeps the champion
        wins = candidate > incumbent_score if greater_is_better else candidate < incumbent_score
    alias = CHAMPION if wins else CHALLENGER
    client.set_registered_model_alias(model_name, alias, str(version))
    client.set_model_version_tag(model_name, str(version), "validation_score", f"{candidate:.6f}")
    client.set_model_version_tag(model_name, str(version), "gate",
                                 f"{alias}: {candidate:.4f} vs champion v{incumbent} {incumbent_score}")
    return GateDecision(model_name, version, alias, candidate, incumbent, incumbent_score)


def load_champion(model_name: str) -> Any:
    """The champion as a pyfunc model (framework-agnostic predict)."""
    import mlflow

    return mlflow.pyfunc.load_model(champion_uri(model_name), suppress_warnings=True)
