"""Finishing order, walk-forward: the finish_position model refitted before every race, judged twice per race.

- post-qualifying: the race's real qualifying (position and gaps), against the grid order;
- pre-race: what the product knows for the next race: no qualifying of the race, its order from the qualifying
  model (refitted alongside), the qualifying gaps unknown; against the championship order before the race.

Win and podium probabilities come from drawing finishing orders: each driver's position ~ predicted mean + scale x
spread (the spread by predicted-position band of the *earlier folds'* out-of-sample residuals, as the registered
model's spread_by_band; the scale is picked on the earlier folds' winner log-loss). The first folds therefore need
history: WARM_UP_RACES races before the first judged race are predicted (same walk-forward) but not scored.
Probability baselines: the win / top-3 frequency of each grid slot (championship position) in the training races."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ml import datasets
from ml.evaluation import mean_race_spearman
from ml.models import finish_position, qualifying
from ml.models.positions import features_of, fit_position_model
from ml.walk_forward import PROBABILITY_COLUMNS, Fold, WalkForwardScores
from ml.walk_forward.scoring import FIT_THREADS, before, per_race_table, race_score, refitted, season_means
from transforms.warehouse import Warehouse

if TYPE_CHECKING:
    import xgboost as xgb

SUBJECT = "finishing_order"
WARM_UP_RACES = 12  # enough residuals for the four spread bands, as the model's own validation window
DRAWS = 4000
SPREAD_SCALES = (0.6, 0.8, 1.0, 1.25, 1.5)
PROBABILITY_FLOOR = 1e-3  # a winner no draw had: log-loss capped at ~6.9 rather than infinite
PODIUM = 3
# Per view: the model's qualifying inputs and the naive order it is judged against.
VIEWS = {"post_qualifying": "grid order", "pre_race": "championship order"}
UNKNOWN_BEFORE_QUALIFYING = [datasets.feature_name(f) for f in datasets.POST_QUALIFYING_FEATURES]
UNCALIBRATED_SPREAD_POSITIONS = 4.0  # the first warm-up race's draws, before any residual exists (never scored)


@dataclass(frozen=True)
class Models:
    finish: xgb.XGBRegressor
    qualifying: xgb.XGBRegressor


def _fit(train: pd.DataFrame) -> Models:
    return Models(fit_position_model(train, finish_position.FEATURES, "finish_position", FIT_THREADS),
                  fit_position_model(train[train["actual_qualifying_position"].notna()], qualifying.FEATURES,
                                     "actual_qualifying_position", FIT_THREADS))


def pre_race_inputs(race: pd.DataFrame, quali_model: xgb.XGBRegressor) -> pd.DataFrame:
    """The race's entries as known before qualifying: the qualifying model's order instead of the real one."""
    score = quali_model.predict(features_of(race, qualifying.FEATURES))
    return race.assign(qualifying_position=qualifying.predicted_order(race["race_id"], score),
                       **{column: np.nan for column in UNKNOWN_BEFORE_QUALIFYING})


def naive_order(race: pd.DataFrame, view: str) -> pd.Series:
    return finish_position.grid_order(race) if view == "post_qualifying" else qualifying.championship_order(race)


def drawn_probabilities(mean: np.ndarray, spread: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(P(win), P(top 3)) per driver from DRAWS finishing orders."""
    rng = np.random.default_rng(seed)
    drawn = mean + spread * rng.standard_normal((DRAWS, len(mean)))
    places = drawn.argsort(axis=1).argsort(axis=1)  # 0 = winner
    return (places == 0).mean(axis=0), (places < PODIUM).mean(axis=0)


def slot_probabilities(train: pd.DataFrame, train_order: pd.Series, order: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Naive probabilities: how often a driver starting from this slot (grid, championship position) won / made the
    podium in the training races (one pseudo-race of prior per slot), P(win) normalised over the field."""
    slot = train_order.clip(upper=30).round()
    outcome = pd.DataFrame({"slot": slot, "won": train["finish_position"] == 1,
                            "podium": train["finish_position"] <= PODIUM})
    counts = outcome.groupby("slot").agg(n=("won", "size"), won=("won", "sum"), podium=("podium", "sum"))
    prior_win, prior_podium = 1 / 20, PODIUM / 20
    race_slot = order.clip(upper=30).round()
    n = race_slot.map(counts["n"]).fillna(0).to_numpy()
    won = (race_slot.map(counts["won"]).fillna(0).to_numpy() + prior_win) / (n + 1)
    podium = (race_slot.map(counts["podium"]).fillna(0).to_numpy() + prior_podium) / (n + 1)
    return won / won.sum(), podium


def winner_log_loss(p_win: np.ndarray, won: np.ndarray) -> float:
    return float(-np.log(max(float(p_win[won].sum()), PROBABILITY_FLOOR)))


def podium_brier(p_podium: np.ndarray, podium: np.ndarray) -> float:
    return float(np.mean((p_podium - podium) ** 2))


class _History:
    """Out-of-sample predictions of the folds so far, per view: what spread and scale are fitted on."""

    def __init__(self) -> None:
        self.rows: dict[str, list[pd.DataFrame]] = {view: [] for view in VIEWS}
        self.log_loss: dict[tuple[str, int, float], float] = {}  # (view, race, scale) -> winner log-loss

    def spread(self, view: str, predicted: np.ndarray) -> np.ndarray:
        if not self.rows[view]:  # the first warm-up race: no residual yet (it only seeds them)
            return np.full(len(predicted), UNCALIBRATED_SPREAD_POSITIONS)
        earlier = pd.concat(self.rows[view])
        band = finish_position.spread_by_band(earlier["predicted"].to_numpy(), earlier["finish_position"])
        return finish_position.spread_for(predicted, band)

    def scale(self, view: str) -> float:
        """The spread scale with the lowest mean winner log-loss over the earlier folds."""
        races = [frame.iloc[0] for frame in self.rows[view]]

        def loss(scale: float) -> float:
            return float(np.mean([self.log_loss[(view, int(r["race_id"]), scale)] for r in races]))

        return min(SPREAD_SCALES, key=loss)

    def add(self, view: str, race: pd.DataFrame, predicted: np.ndarray, spread: np.ndarray) -> None:
        won = (race["finish_position"] == 1).to_numpy()
        for scale in SPREAD_SCALES:
            p_win, _ = drawn_probabilities(predicted, scale * spread, int(race["race_id"].iloc[0]))
            self.log_loss[(view, int(race["race_id"].iloc[0]), scale)] = winner_log_loss(p_win, won)
        self.rows[view].append(race[["race_id", "finish_position"]].assign(predicted=predicted))


def _warm_up_folds(entries: pd.DataFrame, first: Fold) -> list[Fold]:
    races = entries.drop_duplicates("race_id").sort_values("race_start_at")
    earlier = races[races["race_start_at"] < first.race_start_at].tail(WARM_UP_RACES)
    return [Fold(int(r["race_id"]), int(r["season"]), int(r["round"]), int(r["circuit_id"]),
                 pd.Timestamp(r["race_start_at"])) for r in earlier.to_dict("records")]


def evaluate(warehouse: Warehouse, folds: Sequence[Fold]) -> WalkForwardScores:
    entries = datasets.entry_frame_from_marts(warehouse).rename(columns={"event_timestamp": "race_start_at"})
    entries = entries[entries["finish_position"].notna()]
    judged = {fold.race_id for fold in folds}
    history, rows, probabilities = _History(), [], []
    for fold, fitted in refitted([*_warm_up_folds(entries, folds[0]), *folds], entries, _fit):
        race = entries[entries["race_id"] == fold.race_id]
        train = before(entries, fold)
        inputs = {"post_qualifying": race, "pre_race": pre_race_inputs(race, fitted.model.qualifying)}
        for view, baseline_name in VIEWS.items():
            predicted = fitted.model.finish.predict(features_of(inputs[view], finish_position.FEATURES))
            spread = history.spread(view, predicted)
            if fold.race_id in judged:
                p_win, p_podium = drawn_probabilities(predicted, history.scale(view) * spread, fold.race_id)
                rows += _race_scores(fold, fitted.trained_until, view, baseline_name, race, train, predicted,
                                     p_win, p_podium)
                probabilities.append(_probability_rows(fold, view, race, p_win, p_podium))
            history.add(view, race, predicted, spread)
    per_race = per_race_table(rows)
    return WalkForwardScores(SUBJECT, per_race, season_means(per_race),
                             pd.concat(probabilities, ignore_index=True)[PROBABILITY_COLUMNS])


def _probability_rows(fold: Fold, view: str, race: pd.DataFrame, p_win: np.ndarray,
                      p_podium: np.ndarray) -> pd.DataFrame:
    truth = race["finish_position"].to_numpy()
    return pd.concat([
        pd.DataFrame({"event": f"win_{view}", "probability": p_win, "happened": truth == 1}),
        pd.DataFrame({"event": f"top3_{view}", "probability": p_podium, "happened": truth <= PODIUM}),
    ], ignore_index=True).assign(race_id=fold.race_id, season=fold.season, round=fold.round)


def _race_scores(fold: Fold, trained_until: pd.Timestamp, view: str, baseline_name: str, race: pd.DataFrame,
                 train: pd.DataFrame, predicted: np.ndarray, p_win: np.ndarray,
                 p_podium: np.ndarray) -> list[dict[str, object]]:
    truth = race["finish_position"].astype(float)
    order = naive_order(race, view)
    won, podium = (truth == 1).to_numpy(), (truth <= PODIUM).to_numpy()
    naive_win, naive_podium = slot_probabilities(train, naive_order(train, view), order)
    n = len(race)
    return [
        race_score(fold, trained_until, f"spearman_{view}",
                   mean_race_spearman(race["race_id"], truth, predicted), baseline_name,
                   mean_race_spearman(race["race_id"], truth, order), n, True),
        race_score(fold, trained_until, f"winner_log_loss_{view}", winner_log_loss(p_win, won),
                   f"{baseline_name} slot frequency", winner_log_loss(naive_win, won), 1, False),
        race_score(fold, trained_until, f"top3_brier_{view}", podium_brier(p_podium, podium),
                   f"{baseline_name} slot frequency", podium_brier(naive_podium, podium), n, False),
    ]
