"""The fitting tables (:mod:`simulation.fitting`'s columns) and the calendar, read from the warehouse marts.

The marts key circuits by Ergast circuitId (an int); the simulator's circuit parameters by circuitRef
(``monza``), so ``circuit_id`` is mapped through ``marts.dim_circuits`` here and the int is kept as
``circuit_key`` where a table goes back to the warehouse. Driver and constructor ids stay the marts' ints.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from transforms.warehouse import Warehouse, reading

# Lap-level tables are read from this many seasons back: tyres and pit losses of older cars say little.
LAP_SEASONS = 4
# Every season with laps (FastF1 race laps start in 2018): for replays of any race and the backtest's history.
ALL_LAP_SEASONS = 100

# Every query has an order: fits and draws over rows must not depend on the order DuckDB's threads return them in.
# `{races}` narrows the race-keyed tables to the races asked for (`load_marts(..., races=...)`), else it is `true`.
_SQL = {
    "circuits": """select circuit_id as circuit_key, circuit_ref, circuit_name, is_street_circuit
                   from marts.dim_circuits order by 1""",
    "races": """select race_id, season, round, circuit_id as circuit_key, race_name, race_start_at, race_laps,
                       has_results, is_next_race, is_sprint_weekend, max_stint_laps from marts.dim_races order by race_id""",
    "results": """select race_id, season, round, circuit_id as circuit_key, driver_id, constructor_id, grid,
                         position_order, status, laps_completed, points, is_classified from marts.fct_results
                  where {races} order by race_id, position_order, driver_id""",
    "laps": """select race_id, season, round, circuit_id as circuit_key, driver_id, constructor_id, lap_number,
                      lap_time_s, stint, compound, tyre_life_laps, position, is_clean_lap, track_status
               from marts.fct_laps where season >= $since and {races} order by race_id, driver_id, lap_number""",
    "stints": """select race_id, season, circuit_id as circuit_key, driver_id, stint, compound, start_lap, end_lap,
                        laps, tyre_age_at_start from marts.fct_stints where {races} order by race_id, driver_id, stint""",
    "pit_stops": """select race_id, circuit_id as circuit_key, driver_id, stop, lap, pit_duration_ms,
                           pit_lane_loss_s, track_status_at_stop from marts.fct_pit_stops
                    where track_status_at_stop <> 'red'  -- a stop under a red flag is a free tyre change
                    and {races} order by race_id, driver_id, stop""",
    "sc_history": """select race_id, circuit_id as circuit_key, season, kind, start_lap, end_lap, race_laps
                     from marts.fct_safety_car_periods where {races} order by race_id, start_lap, kind""",
}


@dataclass(frozen=True)
class FittingTables:
    """The race facts the simulator is fitted on and replays (columns: :mod:`simulation.fitting`)."""

    laps: pd.DataFrame
    stints: pd.DataFrame
    pit_stops: pd.DataFrame
    sc_history: pd.DataFrame
    results: pd.DataFrame


@dataclass(frozen=True)
class MartTables:
    """The fitting tables plus the calendar (``races``, with circuit refs) and the circuits."""

    fitting: FittingTables
    races: pd.DataFrame
    circuits: pd.DataFrame

    @property
    def street_circuits(self) -> frozenset[str]:
        """Refs of the circuits with walls close to the track (dbt seed ``street_circuits``)."""
        return frozenset(self.circuits.loc[self.circuits["is_street_circuit"].astype(bool), "circuit_ref"])


def load_marts(warehouse: Warehouse, lap_seasons: int = LAP_SEASONS,
               races: Sequence[int] | None = None) -> MartTables:
    """All tables, with ``circuit_id`` = circuitRef; laps only for the last ``lap_seasons`` seasons with laps; the
    race-keyed tables only for ``races`` when given (a race's replay needs no other race's rows)."""
    frames = {}
    only = "true" if races is None else "race_id in (select unnest($races))"
    with reading(warehouse) as con:
        last = con.execute("select max(season) from marts.fct_laps").fetchone()
        since = int(last[0]) - lap_seasons + 1 if last and last[0] is not None else 0
        for name, sql in _SQL.items():
            query = sql.format(races=only)
            params = {k: v for k, v in (("since", since), ("races", list(races or []))) if f"${k}" in query}
            frames[name] = con.execute(query, params).df()
    refs = frames["circuits"].set_index("circuit_key")["circuit_ref"]
    for name, frame in frames.items():
        if "circuit_key" in frame and name != "circuits":
            frame["circuit_id"] = frame["circuit_key"].map(refs)
    laps = frames["laps"]
    laps["track_status"] = laps["track_status"].astype("string").fillna("1")
    laps["is_clean_lap"] = laps["is_clean_lap"].fillna(False).astype(bool)
    results = frames["results"]
    results["status"] = results["status"].astype("string").fillna("")
    fitting = FittingTables(laps=laps, stints=frames["stints"], pit_stops=frames["pit_stops"],
                            sc_history=frames["sc_history"], results=results)
    return MartTables(fitting=fitting, races=frames["races"], circuits=frames["circuits"])


def load_labels(warehouse: Warehouse) -> dict[str, dict[int, str]]:
    """Short labels for figures: ``driver_id`` -> driver code (the ref where a driver has none) and
    ``constructor_id`` -> constructor ref."""
    with reading(warehouse) as con:
        drivers = con.execute("select driver_id, driver_code, driver_ref from marts.dim_drivers").df()
        teams = con.execute("select constructor_id, constructor_ref from marts.dim_constructors").df()
    return {"driver_id": dict(zip(drivers["driver_id"], drivers["driver_code"].fillna(drivers["driver_ref"]),
                                  strict=True)),
            "constructor_id": dict(zip(teams["constructor_id"], teams["constructor_ref"], strict=True))}
