"""Predictions from the champions, written to the warehouse as `marts.predictions_*`.

Every race entry since datasets.FIRST_TRAINING_SEASON gets a prediction (backtesting; `split` says whether the race
was in the champion's training or validation data) and so does the next race, whose features come from the online
store. There the qualifying model's predicted order stands in for the not-yet-run qualifying."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ml import datasets, explain, registry, tracking
from ml.models import finish_position, pit_strategy, qualifying
from ml.models.positions import features_of
from ml.paths import MlPaths
from ml.training import validation_split
from transforms.derived import replace_table

# MLflow is imported in the methods that use it: it takes ~3 s to import.
if TYPE_CHECKING:
    import xgboost as xgb
    from mlflow import MlflowClient

ENTRY_TABLE = "predictions_race_entries"
CONTRIBUTION_TABLE = "predictions_contributions"
PIT_STRATEGY_TABLE = "predictions_pit_strategy"


class Champion:
    """A model's current champion: native model (for pred_contribs), version and the run's documents."""

    def __init__(self, client: MlflowClient, model_name: str) -> None:
        import mlflow

        version = client.get_model_version_by_alias(model_name, registry.CHAMPION)
        self.name = model_name
        self.version = int(version.version)
        self.run_id = str(version.run_id)
        # pinned to the version the alias resolved to, so model, version and documents always belong together
        # suppress_warnings also skips MLflow's check of the logged requirements against the installed packages:
        # ~5 s per load, and the models are logged from this same environment
        self.model: Any = mlflow.pyfunc.load_model(f"models:/{model_name}/{self.version}",
                                                   suppress_warnings=True).get_raw_model()

    @property
    def features(self) -> list[str]:
        """The inputs this version was trained on: an older champion may predate a newer feature."""
        return [str(f) for f in self.model.feature_names_in_]

    def document(self, name: str) -> Any:
        import mlflow

        return mlflow.artifacts.load_dict(f"runs:/{self.run_id}/{name}.json")


def long_contributions(model: Champion, keys: pd.DataFrame, inputs: pd.DataFrame,
                       booster: xgb.Booster | None = None) -> pd.DataFrame:
    """One row per prediction (keys) and feature: its contribution to the booster's raw output (+ `bias`).
    `booster`: the trees inside a wrapped champion (default: the champion's own booster)."""
    wide = explain.contributions(booster or model.model.get_booster(), inputs)
    wide.columns = [c.removeprefix(explain.CONTRIB_PREFIX) for c in wide.columns]
    # melted on its own: a key may also be a feature (lap_number)
    long = wide.reset_index(drop=True).melt(var_name="feature", value_name="contribution", ignore_index=False)
    long = keys.reset_index(drop=True).loc[long.index].reset_index(drop=True).join(long.reset_index(drop=True))
    return long.assign(model_name=model.name, model_version=model.version)


def race_entry_predictions(paths: MlPaths) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(per-driver predictions, long table of feature contributions) for past races and the next race."""
    client = tracking.configure(paths)
    quali_model, finish_model = Champion(client, qualifying.NAME), Champion(client, finish_position.NAME)
    split = validation_split(paths)
    past = datasets.entry_frame(paths)
    upcoming = datasets.next_race_entries(paths).dropna(axis="columns", how="all")  # outcomes: not run yet
    entries = pd.concat([past[~past["is_next_race"]], upcoming], ignore_index=True)
    entries["split"] = np.select(
        [entries["is_next_race"], entries["race_id"].isin(split.valid_race_ids)], ["next", "valid"], "train")

    quali_inputs = features_of(entries, quali_model.features)
    entries["predicted_qualifying_score"] = quali_model.model.predict(quali_inputs)
    entries["predicted_qualifying_position"] = qualifying.predicted_order(entries["race_id"],
                                                                          entries["predicted_qualifying_score"])
    # Qualifying is known before every past race, and before the next one once it has qualified (a refresh after
    # qualifying); until then the next race runs on the predicted order.
    known = entries["qualifying_position"].notna()
    entries["qualifying_position"] = entries["qualifying_position"].astype("Float64").fillna(
        entries["predicted_qualifying_position"].where(entries["is_next_race"]))
    entries["qualifying_source"] = np.where(known | ~entries["is_next_race"], "actual", "predicted")

    finish_inputs = features_of(entries, finish_model.features)
    mean = finish_model.model.predict(finish_inputs)
    entries["predicted_finish_position_mean"] = mean
    entries["predicted_finish_position_std"] = finish_position.spread_for(mean, finish_model.document("spread_by_band"))
    entries["predicted_finish_rank"] = entries.groupby("race_id")["predicted_finish_position_mean"].rank(
        method="first")
    entries["qualifying_model_version"] = quali_model.version
    entries["finish_model_version"] = finish_model.version

    keys = entries[["race_id", "driver_id"]]
    contributions = pd.concat([long_contributions(quali_model, keys, quali_inputs),
                               long_contributions(finish_model, keys, finish_inputs)], ignore_index=True)
    columns = ["race_id", "season", "round", "driver_id", "constructor_id", "split", "qualifying_source",
               "predicted_qualifying_position", "predicted_finish_position_mean", "predicted_finish_position_std",
               "predicted_finish_rank", "actual_qualifying_position", "grid", "finish_position",
               "qualifying_model_version", "finish_model_version"]
    return entries[columns].sort_values(["race_id", "predicted_finish_rank"]), contributions


def pit_strategy_predictions(paths: MlPaths) -> pd.DataFrame:
    """The champion's strategy type for every driver-race with pit stops."""
    champion = Champion(tracking.configure(paths), pit_strategy.NAME)
    names = champion.document("strategy_names")
    stops = datasets.pit_strategy_frame(paths)
    clusters = np.asarray(champion.model.predict(pit_strategy.model_inputs(stops))).astype(int)
    return stops.assign(strategy_cluster=clusters, strategy_type=[names[str(c)] for c in clusters],
                        model_version=champion.version)


def write_race_entry_predictions(paths: MlPaths) -> dict[str, int]:
    entries, contributions = race_entry_predictions(paths)
    return {ENTRY_TABLE: replace_table(paths.warehouse, ENTRY_TABLE, entries),
            CONTRIBUTION_TABLE: replace_table(paths.warehouse, CONTRIBUTION_TABLE, contributions)}


def write_pit_strategy_predictions(paths: MlPaths) -> dict[str, int]:
    strategies = pit_strategy_predictions(paths)
    return {PIT_STRATEGY_TABLE: replace_table(paths.warehouse, PIT_STRATEGY_TABLE, strategies)}
