"""The per-race safety-car model (:mod:`simulation.race_safety_car`), its walk-forward folds and the published
circuit table, on the built home's marts."""

from __future__ import annotations

import pandas as pd
import pytest

from ml.walk_forward import PER_RACE_COLUMNS, PER_SEASON_COLUMNS, folds
from ml.walk_forward.safety_car import fold_predictions, scores_from_predictions
from simulation.climate import read_editions
from simulation.marts import MartTables
from simulation.precompute import safety_car_table
from simulation.race_safety_car import CANDIDATE_COVARIATES, race_covariates, read_covariates
from transforms.warehouse import Warehouse, read_frame

pytestmark = pytest.mark.slow  # the session's built home

FIRST_SEASON = 2016  # enough training races for the tests, a few seconds of covariates


@pytest.fixture(scope="module")
def covariates(warehouse: Warehouse) -> pd.DataFrame:
    return read_covariates(warehouse, FIRST_SEASON, CANDIDATE_COVARIATES)


def test_covariates_of_a_race_do_not_see_it_or_anything_after(warehouse: Warehouse, marts: MartTables,
                                                              covariates: pd.DataFrame) -> None:
    # Recomputed from marts cut at the race's start, the Monaco 2024 inputs are the same as from the full marts.
    races = marts.races
    monaco = races[(races["circuit_id"] == "monaco") & (races["season"] == 2024)].iloc[0]
    start = pd.Timestamp(monaco["race_start_at"])
    cut = races[races["race_start_at"] <= start].assign(
        has_results=lambda r: r["has_results"] & (r["race_start_at"] < start))
    known = set(cut.loc[cut["has_results"], "race_id"])
    sc = marts.fitting.sc_history
    results = marts.fitting.results
    qualifying = read_frame(warehouse, "select race_id, gap_to_pole_pct from marts.fct_qualifying")
    editions = read_editions(warehouse)
    editions = editions[editions["race_start_at"] <= start].copy()
    # The race's own race session and laps are in the future; its qualifying (and its weekend weather) is not.
    editions.loc[editions["race_id"] == monaco["race_id"], ["air_temp_c", "track_temp_c", "humidity_pct",
                                                           "wet_share"]] = None
    from_cut = race_covariates(cut, sc[sc["race_id"].isin(known)], results[results["race_id"].isin(known)],
                               qualifying[qualifying["race_id"].isin(set(cut["race_id"]))], editions, 2024,
                               marts.street_circuits, CANDIDATE_COVARIATES)
    full = covariates.set_index("race_id").loc[monaco["race_id"], CANDIDATE_COVARIATES]
    pd.testing.assert_series_equal(from_cut.set_index("race_id").loc[monaco["race_id"], CANDIDATE_COVARIATES],
                                   full, check_names=False)


def test_walk_forward_folds_fit_on_earlier_races_only(warehouse: Warehouse, covariates: pd.DataFrame) -> None:
    chosen = folds(warehouse, [2024])[:4]
    predictions = fold_predictions(covariates, chosen)
    starts = {f.race_id: f.race_start_at for f in chosen}
    assert len(predictions) == 4
    assert (predictions["trained_until"] < predictions["race_id"].map(starts)).all()
    assert predictions[["model", "global_rate", "circuit_model"]].stack().between(0.05, 0.95).all()
    scores = scores_from_predictions(predictions)
    assert list(scores.per_race.columns) == PER_RACE_COLUMNS
    assert list(scores.per_season.columns) == PER_SEASON_COLUMNS
    assert set(scores.per_season["baseline_name"]) == {"global_rate", "circuit_model"}


def test_published_table_carries_the_race_model(marts: MartTables, covariates: pd.DataFrame) -> None:
    table = safety_car_table(marts, covariates).set_index("circuit_ref")
    for street in ("baku", "marina_bay", "monaco"):
        assert table.loc[street, "sc_probability"] > table.loc["catalunya", "sc_probability"] + 0.05
    # The expected count keeps the circuit's safety cars per SC race: at least one.
    assert (table["expected_sc_count"].to_numpy() >= table["sc_probability"].to_numpy()).all()
    assert table["sc_probability"].between(0.05, 0.95).all()
    assert (table["circuit_sc_probability"] != table["sc_probability"]).any()
