"""Car performance scores on the built warehouse: which session a weekend is scored on, telemetry (2025 AUS, CHN, NED
race laps) and timing scores, and a team whose cars retired early (Ferrari at Zandvoort 2025)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from insights import car_performance
from transforms.warehouse import Warehouse, read_frame

TELEMETRY_RACES = {1145: "2025 Australian GP", 1146: "2025 Chinese GP", 1159: "2025 Dutch GP"}
MONZA_2023 = 1112  # Red Bull won all but one race of 2023; Verstappen and Pérez finished 1–2 here
AUSTRALIA_2025, CHINA_2025, ZANDVOORT_2025 = 1145, 1146, 1159
FERRARI = 6


@pytest.fixture(scope="module")
def warehouse(built_home: Path) -> Warehouse:
    return Warehouse.at(built_home)


@pytest.fixture(scope="module")
def scores(warehouse: Warehouse) -> pd.DataFrame:
    return car_performance.race_scores(warehouse, [*TELEMETRY_RACES, MONZA_2023])


@pytest.fixture(scope="module")
def since_2021(warehouse: Warehouse) -> pd.DataFrame:
    """Overall indices of every race weekend since qualifying laps exist (2021), with the pole-sitter's team."""
    races = read_frame(warehouse, "select race_id from marts.dim_races where season >= 2021 and has_results")
    overall = car_performance.race_scores(warehouse, races["race_id"])
    overall = overall[overall["area"] == car_performance.OVERALL]
    pole = read_frame(warehouse, "select race_id, constructor_id as pole_team from marts.fct_qualifying "
                                 "where qualifying_position = 1")
    return overall.merge(pole, on="race_id")


def winning_team(warehouse: Warehouse, race_id: int) -> int:
    frame = read_frame(warehouse, "select constructor_id from marts.fct_results where race_id = ? and position = 1",
                       [race_id])
    return int(frame["constructor_id"].iloc[0])


def race_session_scores(warehouse: Warehouse, race_id: int) -> pd.DataFrame:
    laps = car_performance.best_laps(warehouse, [race_id])
    return car_performance.session_scores(warehouse, laps[laps["session_code"] == car_performance.RACE], True)


def test_weekends_are_scored_on_qualifying_where_it_was_timed(scores: pd.DataFrame) -> None:
    session = scores.groupby("race_id")["session_code"].agg(set)
    assert session[AUSTRALIA_2025] == {"Q"}
    assert session[CHINA_2025] == {"SQ"}  # a sprint weekend whose qualifying laps the archive lacks
    assert session[ZANDVOORT_2025] == {car_performance.RACE}  # no qualifying laps in the archive: the fallback
    q = scores[(scores["race_id"] == AUSTRALIA_2025) & (scores["area"] == car_performance.OVERALL)]
    assert len(q) == 10 and q["laps_used"].between(1, 2).all()  # each driver's fastest lap


def test_pole_sitters_team_ranks_near_the_top_on_qualifying_laps(since_2021: pd.DataFrame) -> None:
    on_qualifying = since_2021[since_2021["session_code"] == "Q"]
    pole_team = on_qualifying[on_qualifying["constructor_id"] == on_qualifying["pole_team"]]
    assert on_qualifying["race_id"].nunique() >= 40
    assert (pole_team["rank"] <= 3).mean() >= 0.85


def test_a_team_that_retired_early_is_scored_on_fuel_corrected_laps(scores: pd.DataFrame) -> None:
    # Hamilton crashed on lap 23 and Leclerc retired on lap 53: their fastest laps carried far more fuel than the
    # late-race laps of the cars that finished. Measured laps put Ferrari last (0); fuel-corrected, mid-field or better.
    overall = scores[(scores["race_id"] == ZANDVOORT_2025) & (scores["area"] == car_performance.OVERALL)]
    ferrari = overall[overall["constructor_id"] == FERRARI].iloc[0]
    assert ferrari["score"] > 20.0 and ferrari["rank"] <= 5


@pytest.mark.parametrize("race_id", sorted(TELEMETRY_RACES))
def test_race_winning_car_ranks_top_three_from_telemetry(warehouse: Warehouse, race_id: int) -> None:
    race = race_session_scores(warehouse, race_id)
    assert set(race["score_source"]) == {car_performance.TELEMETRY}
    assert set(race["area"]) == {*car_performance.TELEMETRY_AREAS, car_performance.OVERALL}
    overall = race[race["area"] == car_performance.OVERALL]
    assert len(overall) == 10  # every team of the 2025 grid
    winner_rank = overall.loc[overall["constructor_id"] == winning_team(warehouse, race_id), "rank"]
    assert winner_rank.tolist() and winner_rank.tolist()[0] <= 3, TELEMETRY_RACES[race_id]
    # The areas cover most of a lap: corners, straights and braking zones (the rest is part-throttle transitions).
    covered = race[race["area"] != car_performance.OVERALL].groupby("constructor_id")["lap_share"].sum()
    assert covered.between(0.6, 1.0).all()


def test_scores_span_the_field_from_0_to_100(scores: pd.DataFrame) -> None:
    per_area = scores.groupby(["race_id", "area"])["score"].agg(["min", "max"])
    assert ((per_area["max"] - 100.0).abs() < 1e-9).all() and (per_area["min"].abs() < 1e-9).all()


def test_timing_scores_for_a_race_without_telemetry(scores: pd.DataFrame) -> None:
    race = scores[scores["race_id"] == MONZA_2023]
    assert set(race["score_source"]) == {car_performance.TIMING}
    assert set(race["area"]) == {*car_performance.TIMING_AREAS, car_performance.OVERALL}
    overall = race[race["area"] == car_performance.OVERALL].sort_values("rank")
    assert overall["team_name"].iloc[0] == "Red Bull"
    assert overall["score"].iloc[0] == pytest.approx(100.0)
    # Sector shares of the lap add up to the whole lap; the speed trap carries no lap time of its own.
    shares = race.groupby("area")["lap_share"].first()
    assert shares[["sector1", "sector2", "sector3"]].sum() == pytest.approx(1.0)
    assert shares["top_speed"] == 0.0
