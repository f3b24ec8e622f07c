"""The promotion gates: a new version becomes `champion` only if it beats the current champion, otherwise it is
registered as `challenger`. Downstream always loads `models:/<name>@champion`.

- `walk_forward_gate` (every model with a walk-forward evaluator): candidate and champion are judged by their
  procedures' per-race walk-forward tables (artefact PER_RACE_ARTIFACT of the version's run) on the races both
  cover; a changed procedure must be strictly better there, the same procedure (tag DIGEST_TAG) is promoted since
  its new version has seen more races.
- `gate` (pit_strategy_clusters): both versions scored through the same pyfunc path on one fixed validation window."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

# MLflow is imported in the functions that use it: it takes ~3 s to import.
if TYPE_CHECKING:
    from mlflow import MlflowClient

CHAMPION = "champion"
CHALLENGER = "challenger"
DIGEST_TAG = "procedure_digest"
TRAINED_THROUGH_TAG = "trained_through_race_id"  # the latest race with a result the deployed fit saw
PER_RACE_ARTIFACT = "walk_forward/per_race.csv"

Scorer = Callable[[Any], float]  # a loaded pyfunc model -> its validation score


@dataclass(frozen=True)
class GateDecision:
    model_name: str
    version: int
    alias: str
    candidate_score: float
    champion_version: int | None
    champion_score: float | None
    reason: str = ""
    metric: str = ""
    common_races: int | None = None  # walk-forward: the races both scores are averaged over
    procedure_digest: str | None = None
    champion_procedure_digest: str | None = None

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
    reason = "no scorable champion" if incumbent_score is None else "fixed validation window, strictly better wins"
    return GateDecision(model_name, version, alias, candidate, incumbent, incumbent_score, reason, "validation")


def walk_forward_record(client: MlflowClient, model_name: str, version: int) -> tuple[str | None, pd.DataFrame | None]:
    """A version's procedure digest and per-race walk-forward table (None, None: it predates the walk-forward gate)."""
    import tempfile

    registered = client.get_model_version(model_name, str(version))
    digest = registered.tags.get(DIGEST_TAG)
    if digest is None or not registered.run_id:
        return None, None
    with tempfile.TemporaryDirectory() as folder:
        path = client.download_artifacts(registered.run_id, PER_RACE_ARTIFACT, folder)
        table = pd.read_csv(path, parse_dates=["trained_until"])
    return digest, table


def latest_of_procedure(client: MlflowClient, model_name: str, digest: str) -> int | None:
    """The newest version of the same procedure, if any: its folds need no refit."""
    same = [int(v.version) for v in client.search_model_versions(f"name='{model_name}'")
            if v.tags.get(DIGEST_TAG) == digest]
    return max(same) if same else None


def trained_through(client: MlflowClient, model_name: str, version: int) -> int | None:
    """The latest race with a result the version's deployed fit saw (None: it predates the tag)."""
    race_id = client.get_model_version(model_name, str(version)).tags.get(TRAINED_THROUGH_TAG)
    return None if race_id is None else int(race_id)


def common_race_scores(candidate: pd.DataFrame, champion: pd.DataFrame, metric: str) -> tuple[float, float, int]:
    """(candidate, champion, races): each table's mean `metric` over the races both tables score."""
    ours = candidate[candidate["metric"] == metric].set_index("race_id")["value"].dropna()
    theirs = champion[champion["metric"] == metric].set_index("race_id")["value"].dropna()
    common = ours.index.intersection(theirs.index)
    return float(ours[common].mean()), float(theirs[common].mean()), len(common)


def walk_forward_gate(client: MlflowClient, model_name: str, version: int, digest: str, per_race: pd.DataFrame,
                      metric: str, higher_is_better: bool, trained_through_race_id: int,
                      tie_break: tuple[str, bool] | None = None) -> GateDecision:
    """Judge the candidate (tagged with its digest, its per-race table logged) against the champion's record, set
    its alias and record the decision and both scores as version tags. `tie_break` (metric, higher_is_better)
    decides between procedures whose `metric` ties on the common races."""
    incumbent = champion_version(client, model_name)
    champion_digest, champion_table = (walk_forward_record(client, model_name, incumbent) if incumbent is not None
                                       else (None, None))
    candidate = float(per_race.loc[per_race["metric"] == metric, "value"].mean())
    incumbent_score: float | None = None
    common: int | None = None
    if champion_table is not None:
        candidate, incumbent_score, common = common_race_scores(per_race, champion_table, metric)
    if incumbent is None:
        wins, reason = True, "no champion yet"
    elif champion_table is None:
        wins, reason = True, f"champion v{incumbent} predates the walk-forward gate"
    elif champion_digest == digest:
        # no new race: an identical fit, kept out of service so the predictions are not all redone for nothing
        wins = trained_through(client, model_name, incumbent) != trained_through_race_id
        reason = f"same procedure, {'fitted on more races' if wins else 'no new race'}"
    elif not common:
        wins, reason = False, "changed procedure, no race in common with the champion's walk-forward"
    else:  # strictly better on the common races: a tie keeps the champion unless `tie_break` says otherwise
        assert incumbent_score is not None
        wins = candidate > incumbent_score if higher_is_better else candidate < incumbent_score
        reason = f"changed procedure, {'better' if wins else 'not better'} on {common} common races"
        if tie_break is not None and math.isclose(candidate, incumbent_score, rel_tol=1e-12, abs_tol=1e-12):
            tie_metric, tie_higher_is_better = tie_break
            ours, theirs, _ = common_race_scores(per_race, champion_table, tie_metric)
            wins = ours > theirs if tie_higher_is_better else ours < theirs
            reason = (f"changed procedure, {metric} equal, {tie_metric} {'better' if wins else 'not better'} "
                      f"({ours:.4f} vs {theirs:.4f}) on {common} common races")
    alias = CHAMPION if wins else CHALLENGER
    client.set_registered_model_alias(model_name, alias, str(version))
    tags = {"gate": f"{alias}: {reason}", TRAINED_THROUGH_TAG: str(trained_through_race_id),
            "walk_forward_metric": metric, "walk_forward_score": f"{candidate:.6f}", "champion_version": str(incumbent),
            "champion_walk_forward_score": str(incumbent_score), "common_races": str(common)}
    for key, value in tags.items():
        client.set_model_version_tag(model_name, str(version), key, value)
    return GateDecision(model_name, version, alias, candidate, incumbent, incumbent_score, reason, metric, common,
                        digest, champion_digest)


def load_champion(model_name: str) -> Any:
    """The champion as a pyfunc model (framework-agnostic predict)."""
    import mlflow

    return mlflow.pyfunc.load_model(champion_uri(model_name), suppress_warnings=True)


def load_native(model_name: str, version: int) -> Any:
    """A version's own estimator (XGBoost / scikit-learn object), not the pyfunc wrapper."""
    import mlflow

    return mlflow.pyfunc.load_model(f"models:/{model_name}/{version}", suppress_warnings=True).get_raw_model()
