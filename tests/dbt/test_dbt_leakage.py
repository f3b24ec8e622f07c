"""Point-in-time tests of the feature marts.

Each feature row for race R must be computable from what existed before R started. We rebuild the project on a copy
of the raw data cut at R's start (calendar and reference tables kept, R's qualifying and sprint kept because they are
run before the race; R's race results, laps, pit stops, standings, SC history and everything later removed) and
require every feature row up to R to come out identical.
"""

from __future__ import annotations

import pandas as pd
import pytest
from dbt_testlib import Warehouse, view_sql

pytestmark = pytest.mark.slow

RACE_KEYED = ("results", "pit_stops", "lap_times", "driver_standings", "constructor_standings", "constructor_results")
PRE_RACE = ("qualifying", "sprint_results")  # sessions of R's weekend held before the race
HISTORY = ("safety_cars", "virtual_safety_cars", "red_flags")
WEEKEND = ("session_laps", "session_weather", "race_control_messages", "track_status", "session_status",
           "session_results", "car_telemetry", "circuit_corners")

# Known before the start but published with the result: the starting grid (penalties applied). R's own value is
# absent from the cut build (null, never a guess) and compared for every earlier race.
KNOWN_AT_THE_START = {"race_entry_features": ["grid_drop_places"]}

# feature mart -> (key columns, column dating the row)
FEATURES = {
    "driver_form": (["race_id", "driver_id"], "race_start_at"),
    "constructor_pace": (["race_id", "constructor_id"], "race_start_at"),
    "circuit_profile": (["race_id"], "race_start_at"),
    "race_entry_features": (["race_id", "driver_id"], "race_start_at"),
    "tyre_degradation": (["circuit_id", "season", "compound"], "first_race_start_at"),
    "lap_features": (["race_id", "driver_id", "lap_number"], None),
    "lap_pace_features": (["race_id", "driver_id", "lap_number"], None),
    "battle_features": (["race_id", "lap_number", "driver_id"], None),
}


def race(warehouse: Warehouse, season: int, name: str) -> tuple[int, str, pd.Timestamp]:
    rows = warehouse.query("select race_id, race_date::varchar, race_start_at from marts.dim_races "
                           "where season = ? and race_name = ?", [season, name])
    assert len(rows) == 1
    return rows[0]


def cut_at(race_id: int, race_date: str, races_select: str):  # noqa: ANN201
    before = f"(select raceId from ({races_select}) where date < date '{race_date}')"
    names_before = f"(select year || ' ' || name from ({races_select}) where date < date '{race_date}')"
    season = int(race_date[:4])

    def rewrite(view: str, select: str) -> str:
        if view in RACE_KEYED:
            return f"select * from ({select}) where raceId in {before}"
        if view in PRE_RACE:
            return f"select * from ({select}) where raceId in {before} or raceId = {race_id}"
        if view in HISTORY:
            return f"select * from ({select}) where season < {season} or Race in {names_before}"
        if view in WEEKEND:
            return (f"select * from ({select}) where ergast_raceId in {before} "
                    f"or (ergast_raceId = {race_id} and session <> 'R')")
        return select  # calendar and reference tables are known in advance

    return rewrite


def feature_rows(warehouse: Warehouse, mart: str, until: pd.Timestamp, strictly_before: bool) -> pd.DataFrame:
    keys, dated_by = FEATURES[mart]
    op = "<" if strictly_before else "<="
    if dated_by:
        where = f"{dated_by} {op} timestamp '{until}'"
    else:  # lap-level marts: rows of races run before the cut (the cut race has no laps in the truncated copy)
        where = f"race_id in (select race_id from marts.dim_races where race_start_at < timestamp '{until}')"
    df = warehouse.df(f"select * from features.{mart} where {where}")
    labels = [c for c in df.columns if c.startswith("label_")] + (["is_next_race"] if "is_next_race" in df else [])
    return df.drop(columns=labels).sort_values(keys).reset_index(drop=True)


@pytest.mark.parametrize("season,name", [(2024, "Hungarian Grand Prix"), (2025, "Dutch Grand Prix")])
def test_features_are_identical_when_rebuilt_without_the_future(warehouse: Warehouse, make_variant, season: int,
                                                                 name: str) -> None:
    race_id, race_date, start = race(warehouse, season, name)

    truncated = make_variant(f"cut_{race_id}", cut_at(race_id, race_date, view_sql(warehouse)["races"]))
    assert truncated.query(f"select count(*) from marts.fct_results where race_id = {race_id}") == [(0,)]
    for mart, (keys, _) in FEATURES.items():
        full = feature_rows(warehouse, mart, start, strictly_before=False)
        cut = feature_rows(truncated, mart, start, strictly_before=False)
        assert len(full) > 0, mart
        if mart in ("driver_form", "race_entry_features"):
            # R's entry list comes from its results in the full build and from its qualifying in the truncated one
            merged = full.merge(cut[keys], on=keys)
            assert len(merged) >= len(full) - 2, mart
            full = merged
            cut = cut.merge(full[keys], on=keys)
        assert full[keys].equals(cut[keys]), f"{mart}: different rows up to race {race_id}"
        own_grid = (cut["race_id"] == race_id) if "race_id" in cut else pd.Series(False, index=cut.index)
        for column in KNOWN_AT_THE_START.get(mart, []):
            assert cut.loc[own_grid, column].isna().all(), f"{mart}.{column} of race {race_id} without its result"
            full.loc[own_grid, column] = cut.loc[own_grid, column]
        pd.testing.assert_frame_equal(full, cut, check_exact=False, rtol=1e-9, obj=mart)
        if mart in ("driver_form", "constructor_pace", "circuit_profile", "race_entry_features"):
            own = cut[cut["race_id"] == race_id]
            assert len(own) > 0, f"{mart}: no row for race {race_id}"


def test_dutch_gp_2025_feature_rows_use_nothing_dated_after_its_start(warehouse: Warehouse) -> None:
    race_id, _, start = race(warehouse, 2025, "Dutch Grand Prix")
    for mart in ("driver_form", "constructor_pace", "circuit_profile", "race_entry_features"):
        n, newest = warehouse.query(
            f"select count(*), max(last_input_race_start_at) from features.{mart} where race_id = {race_id}")[0]
        assert n > 0 and newest < start, mart
    (newest_fit,) = warehouse.query(f"""
        select max(last_input_race_start_at) from features.tyre_degradation
        where season = 2025 and circuit_id = (select circuit_id from marts.dim_races where race_id = {race_id})
    """)[0]
    assert newest_fit is not None and newest_fit < start


def test_lap_features_do_not_depend_on_lap_times(warehouse: Warehouse, make_variant) -> None:
    """Scramble one race's lap and sector times and running positions: every lap feature stays the same, only the
    labels move (no feature leaks the lap's own or an earlier lap's time)."""
    race_id, _, _ = race(warehouse, 2024, "British Grand Prix")

    def rewrite(view: str, select: str) -> str:
        if view != "session_laps":
            return select
        hit = f"ergast_raceId = {race_id} and session = 'R'"
        scrambled = ", ".join(f"case when {hit} then {c} * 1.37 + 3.0 else {c} end as {c}"
                              for c in ("LapTime", "Sector1Time", "Sector2Time", "Sector3Time"))
        return (f"select * replace ({scrambled}, case when {hit} then 21 - Position else Position end as Position) "
                f"from ({select})")

    scrambled = make_variant(f"scrambled_{race_id}", rewrite)
    query = f"select * from features.lap_features where race_id = {race_id} order by driver_id, lap_number"
    full, other = warehouse.df(query), scrambled.df(query)
    labels = [c for c in full.columns if c.startswith("label_")]
    assert len(full) > 500 and full[["driver_id", "lap_number"]].equals(other[["driver_id", "lap_number"]])
    assert not full["label_lap_time_s"].equals(other["label_lap_time_s"])
    assert full["air_temp_c"].notna().any()
    pd.testing.assert_frame_equal(full.drop(columns=labels), other.drop(columns=labels), check_exact=False, rtol=1e-9)
