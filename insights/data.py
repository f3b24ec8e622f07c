"""One race's mart rows, read once per batch of race partitions (one query per mart, not one per race)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from transforms.sessions import parse_race_key, race_key
from transforms.warehouse import Warehouse, read_frame, table_exists

LAP_COLUMNS = ("race_id, driver_id, constructor_id, driver_code, lap_number, lap_time_s, lap_end_session_time_s, "
               "stint, compound, tyre_life_laps, position, track_state, is_in_lap, is_out_lap, is_deleted, "
               "is_clean_lap, fuel_corrected_lap_time_s, race_laps")
# Per-race marts, the columns the insights use and the order they are read in: without one, DuckDB's threads
# return rows in any order, and a tie between two events (overtakes on the same lap) told a different story each run.
RACE_TABLES = {
    "laps": (f"select {LAP_COLUMNS} from marts.fct_laps", "driver_id, lap_number"),
    "pit_stops": ("select race_id, driver_id, stop, lap, pit_duration_s, track_status_at_stop from marts.fct_pit_stops",
                  "driver_id, stop"),
    "overtakes": ("select race_id, lap_number, overtaking_driver_id, overtaken_driver_id, overtaking_position_after, "
                  "overtaken_position_after, overtaking_compound, overtaken_compound, overtaking_tyre_life_laps, "
                  "overtaken_tyre_life_laps from marts.fct_overtakes",
                  "lap_number, overtaking_position_after, overtaking_driver_id, overtaken_driver_id"),
    "safety_cars": ("select race_id, kind, period_number, start_lap, end_lap, cause from marts.fct_safety_car_periods",
                    "start_lap, kind, period_number"),
    "results": ("select race_id, driver_id, constructor_id, grid, position, position_order, points, status, "
                "is_classified, laps_completed from marts.fct_results", "position_order, driver_id"),
}


@dataclass(frozen=True)
class RaceData:
    key: str
    race_id: int
    season: int
    round: int
    race_name: str
    laps: pd.DataFrame
    pit_stops: pd.DataFrame
    overtakes: pd.DataFrame
    safety_cars: pd.DataFrame
    results: pd.DataFrame
    standings: pd.DataFrame  # drivers' championship after this race and after the season's previous round
    drivers: pd.DataFrame  # driver_id -> driver_code, surname, full_name, constructor_name (this race's entries)

    @property
    def has_laps(self) -> bool:
        return not self.laps.empty

    def name_of(self, driver_id: int) -> str:
        return str(self.drivers.at[driver_id, "surname"]) if driver_id in self.drivers.index else f"#{driver_id}"


def load_races(warehouse: Warehouse, keys: Sequence[str]) -> dict[str, RaceData]:
    """RaceData for every key that names a race in marts.dim_races (races without laps get empty frames)."""
    races = read_frame(warehouse, "select race_id, season, round, race_name from marts.dim_races "
                                  "where race_key in (select unnest(?)) order by race_id",
                       [[race_key(*parse_race_key(k)) for k in keys]])
    ids = [int(i) for i in races["race_id"]]
    frames = {name: _by_race(read_frame(warehouse, f"{sql} where race_id in (select unnest(?)) "
                                                   f"order by race_id, {order}", [ids]))
              for name, (sql, order) in RACE_TABLES.items()}
    standings = _by_race(_standings(warehouse, races))
    drivers = _by_race(read_frame(warehouse, """
        select r.race_id, r.driver_id, d.driver_code, d.surname, d.full_name, c.constructor_name
        from marts.fct_results r
        join marts.dim_drivers d using (driver_id)
        join marts.dim_constructors c using (constructor_id)
        where r.race_id in (select unnest(?)) order by r.race_id, r.driver_id""", [ids]))
    empty = {name: read_frame(warehouse, f"{sql} limit 0").drop(columns="race_id")
             for name, (sql, _order) in RACE_TABLES.items()}
    out = {}
    for race in races.to_dict("records"):
        rid, season, round_ = int(race["race_id"]), int(race["season"]), int(race["round"])
        pick = {name: frames[name].get(rid, empty[name]) for name in RACE_TABLES}
        out[race_key(season, round_)] = RaceData(
            key=race_key(season, round_), race_id=rid, season=season, round=round_,
            race_name=str(race["race_name"]), standings=standings.get(rid, pd.DataFrame()),
            drivers=drivers.get(rid, pd.DataFrame(columns=["driver_id"])).set_index("driver_id"), **pick)
    return out


def load_predictions_overtakes(warehouse: Warehouse, race_ids: Sequence[int]) -> pd.DataFrame:
    """marts.predictions_overtakes (the ML helper's calibrated battle predictions) for these races; empty if absent."""
    if not table_exists(warehouse, "marts", "predictions_overtakes"):
        return pd.DataFrame(columns=["race_id", "lap_number", "driver_id", "ahead_driver_id", "gap_s", "p_overtake",
                                     "horizon_laps", "overtook"])
    return read_frame(warehouse, "select * from marts.predictions_overtakes where race_id in (select unnest(?)) "
                                 "order by race_id, lap_number, driver_id",
                      [list(race_ids)])


def _standings(warehouse: Warehouse, races: pd.DataFrame) -> pd.DataFrame:
    # The previous round's table is the "before" of the championship swing; rows keep the race_id they describe.
    return read_frame(warehouse, """
        with wanted as (select unnest(?) as race_id)
        select w.race_id, s.round = r.round as is_after_race, s.driver_id, s.points, s.position, s.wins
        from wanted w
        join marts.dim_races r on r.race_id = w.race_id
        join marts.fct_standings s on s.season = r.season and s.round in (r.round, r.round - 1)
        where s.championship = 'drivers'
        order by w.race_id, is_after_race, s.position, s.driver_id""", [[int(i) for i in races["race_id"]]])


def _by_race(frame: pd.DataFrame) -> dict[int, pd.DataFrame]:
    return {int(str(rid)): part.drop(columns="race_id").reset_index(drop=True)
            for rid, part in frame.groupby("race_id", sort=False)}
