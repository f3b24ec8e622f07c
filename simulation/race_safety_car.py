"""P(at least one safety car) per race: the circuit's shrunk SC rate (:mod:`simulation.safety_car`) corrected by
what is known before the start, in a regularised logistic regression fitted on the races before.

Inputs of a race, each computed from what was known before its start (see :func:`race_covariates`):

* ``circuit_logit``: logit of the circuit's shrunk, recency-weighted SC probability fitted on the earlier races;
* ``rain_probability``: the circuit's climate lifted by the weekend's own qualifying/sprint rain
  (:mod:`simulation.climate`); the all-circuit rate before weather records exist (2018);
* ``qualifying_spread_pct``: standard deviation of the qualifying gaps to pole (within 107 %): a spread field
  means more lapping, more mixed-pace battles;
* ``lap1_retirements``: the circuit's shrunk mean number of cars out on lap 1 (start incidents);
* ``street``: walls close to the track (``marts.dim_circuits.is_street_circuit``);
* ``season_trend``: the season, per decade from 2015: race control's SC practice changed over the years.

These are the CANDIDATE_COVARIATES; the model uses COVARIATES, the subset that lowered the walk-forward Brier on
the 2023-2024 folds. SC occurrence is close to a coin flip given any of them (correlations with "had an SC" over
2005-2025: street 0.19, circuit rate 0.12, season 0.10, rain 0.06, lap-1 retirements -0.06, spread -0.02).
The regression is fitted on every race from FIRST_TRAINING_SEASON up to the day before, recency-weighted like the
circuit rates (same half-life), on standardised inputs with an L2 penalty of strength 1 / L2_C.
The expected SC count keeps the circuit's count per SC race, so count and P(>=1) move together.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from simulation.climate import climate_table, read_editions, weekend_rain_probability
from simulation.marts import load_marts
from simulation.safety_car import SC, race_outcomes, recency_weight, records_start, shrunk_sc_probability
from transforms.warehouse import Warehouse, read_frame

FIRST_TRAINING_SEASON = 2005  # qualifying gaps are complete from 2003; two seasons build the circuit rates
L2_C = 0.1
LAP1_PRIOR_RACES = 5.0  # pseudo-races of the all-circuit lap-1 retirement mean
MAX_QUALIFYING_GAP_PCT = 7.0  # the 107 % rule: slower laps are incidents or no-times, not pace
CANDIDATE_COVARIATES = ["circuit_logit", "rain_probability", "qualifying_spread_pct", "lap1_retirements", "street",
                        "season_trend"]
# Chosen on the 2023-2024 walk-forward folds (ml/walk_forward/safety_car.py); the others did not lower the Brier.
COVARIATES = ["circuit_logit", "street"]


def _logit(p: np.ndarray | pd.Series | float) -> np.ndarray:
    q = np.clip(np.asarray(p, dtype=float), 1e-3, 1 - 1e-3)
    return np.asarray(np.log(q / (1 - q)))


def qualifying_spread(qualifying: pd.DataFrame) -> pd.Series:
    """Per race_id: std of ``gap_to_pole_pct`` over the drivers within MAX_QUALIFYING_GAP_PCT of pole."""
    within = qualifying[qualifying["gap_to_pole_pct"].between(0.0, MAX_QUALIFYING_GAP_PCT)]
    return within.groupby("race_id")["gap_to_pole_pct"].std()


def lap1_retirements(results: pd.DataFrame) -> pd.Series:
    """Per race_id: cars that started (grid > 0) and completed no lap."""
    started = results[results["grid"].fillna(0) > 0]
    return (started["laps_completed"].fillna(0) <= 0).groupby(started["race_id"]).sum().astype(float)


def _circuit_lap1_rate(history: pd.DataFrame, circuit_id: str, season: int) -> float:
    """Recency-weighted lap-1 retirements per race at the circuit, shrunk toward all circuits."""
    w = recency_weight(history["season"], season)
    overall = float(np.average(history["lap1"], weights=w)) if len(history) else 0.0
    own = (history["circuit_id"] == circuit_id).to_numpy()
    return float(((history["lap1"].to_numpy() * w)[own].sum() + LAP1_PRIOR_RACES * overall)
                 / (w[own].sum() + LAP1_PRIOR_RACES))


def race_covariates(races: pd.DataFrame, periods: pd.DataFrame, results: pd.DataFrame, qualifying: pd.DataFrame,
                    editions: pd.DataFrame, first_season: int, street_circuits: frozenset[str],
                    columns: Sequence[str] = COVARIATES) -> pd.DataFrame:
    """One row per race of ``races`` from ``first_season`` (columns race_id, season, circuit_id (ref),
    circuit_key, race_start_at, has_results): the covariates named in ``columns`` (of CANDIDATE_COVARIATES),
    ``circuit_sc_probability`` and ``has_sc`` (NaN where the race has no result), each input computed from the
    races that started before it. Rain and lap-1 retirements cost a pass over history per race: only on request.

    ``periods``: fct_safety_car_periods (circuit_id = ref); ``results``: race_id, grid, laps_completed;
    ``qualifying``: race_id, gap_to_pole_pct; ``editions``: :func:`simulation.climate.read_editions`."""
    held = races[races["has_results"].fillna(False).astype(bool)]
    outcomes = race_outcomes(periods, held)
    outcome_start = outcomes["race_id"].map(held.drop_duplicates("race_id").set_index("race_id")["race_start_at"])
    sc_start = records_start(periods, SC)
    lap1 = held.assign(lap1=held["race_id"].map(lap1_retirements(results)).fillna(0.0))
    rows = []
    for race in races[races["season"] >= first_season].to_dict("records"):
        start, circuit_id, circuit_key = race["race_start_at"], race["circuit_id"], race["circuit_key"]
        rates = shrunk_sc_probability(outcomes[(outcome_start < start).to_numpy()], sc_start,
                                      int(race["season"]))
        row = {"race_id": race["race_id"], "circuit_sc_probability": float(rates.get(circuit_id, rates.mean()))}
        if "rain_probability" in columns:
            climate = climate_table(editions[editions["race_start_at"] < start])
            rain = climate["rain_probability"].to_dict().get(circuit_key,
                                                             climate.attrs["overall"]["rain_probability"])
            weekend = editions.loc[editions["race_id"] == race["race_id"], "weekend_wet_share"]
            row["rain_probability"] = weekend_rain_probability(float(np.nan_to_num(rain)),
                                                               weekend.iloc[0] if len(weekend) else None)
        if "lap1_retirements" in columns:
            row["lap1_retirements"] = _circuit_lap1_rate(lap1[lap1["race_start_at"] < start], circuit_id,
                                                         int(race["season"]))
        rows.append(row)
    chosen = races[races["season"] >= first_season]
    out = chosen[["race_id", "season", "circuit_id", "race_start_at"]].merge(pd.DataFrame(rows), on="race_id")
    out["circuit_logit"] = _logit(out["circuit_sc_probability"])
    out["qualifying_spread_pct"] = races["race_id"].map(qualifying_spread(qualifying))[chosen.index].to_numpy()
    out["street"] = out["circuit_id"].isin(street_circuits).astype(float)
    out["season_trend"] = (out["season"] - 2015) / 10.0
    out["has_sc"] = out["race_id"].map(outcomes.set_index("race_id")["has_sc"].astype(float))
    return out


def fit_predict(covariates: pd.DataFrame, targets: pd.DataFrame, predict_from: pd.Timestamp,
                columns: list[str] = COVARIATES, c: float = L2_C) -> np.ndarray:
    """P(>=1 SC) for each row of ``targets`` (``columns`` and ``season``), the regression fitted on the races of
    ``covariates`` with results that started before ``predict_from``. Missing inputs take the training median."""
    from sklearn.linear_model import LogisticRegression

    train = covariates[(covariates["race_start_at"] < predict_from) & covariates["has_sc"].notna()]
    fill = train[columns].median()
    x_train, x_target = train[columns].fillna(fill), targets[columns].fillna(fill)
    mean, sd = x_train.mean(), x_train.std(ddof=0).replace(0.0, 1.0)
    model = LogisticRegression(C=c)
    model.fit((x_train - mean) / sd, train["has_sc"].astype(int),
              sample_weight=recency_weight(train["season"], int(targets["season"].max())))
    return np.asarray(model.predict_proba((x_target - mean) / sd)[:, 1])


def with_race_model(circuits: pd.DataFrame, covariates: pd.DataFrame, season: int, predict_from: pd.Timestamp,
                    street_circuits: frozenset[str]) -> pd.DataFrame:
    """The circuit table (:func:`simulation.safety_car.circuit_safety_car_table`, circuit_id = ref) with the
    regression's P(>=1 SC) for a race of ``season`` at each circuit as ``sc_probability`` (the circuit's own
    shrunk rate kept as ``circuit_sc_probability``) and ``expected_sc_count`` scaled with it (SCs per SC race
    unchanged). Weekend inputs are unknown for a circuit in general and take the training medians."""
    targets = pd.DataFrame({
        "season": season,
        "circuit_logit": _logit(circuits["sc_probability"]),
        "street": circuits["circuit_id"].isin(street_circuits).astype(float),
        "season_trend": (season - 2015) / 10.0,
    }).reindex(columns=["season", *CANDIDATE_COVARIATES])
    probability = fit_predict(covariates, targets, predict_from)
    per_sc_race = circuits["expected_sc_count"] / circuits["sc_probability"].clip(lower=1e-3)
    out = circuits.assign(circuit_sc_probability=circuits["sc_probability"], sc_probability=probability.round(4),
                          expected_sc_count=(probability * per_sc_race).round(4))
    return out


def read_covariates(warehouse: Warehouse, first_season: int = FIRST_TRAINING_SEASON,
                    columns: Sequence[str] = COVARIATES) -> pd.DataFrame:
    """:func:`race_covariates` (``columns``) of every race of the calendar from ``first_season``, from the marts."""
    tables = load_marts(warehouse, lap_seasons=0)
    qualifying = read_frame(warehouse, "select race_id, driver_id, gap_to_pole_pct from marts.fct_qualifying "
                            "order by race_id, driver_id")
    return race_covariates(tables.races, tables.fitting.sc_history, tables.fitting.results, qualifying,
                           read_editions(warehouse), first_season, tables.street_circuits, columns)
