"""The marts read for a few races: exactly those races' rows of the full read (what the what-ifs of a refresh use)."""

from __future__ import annotations

import pandas as pd

from simulation.marts import ALL_LAP_SEASONS, MartTables, load_marts
from simulation.precompute import race_alternatives
from transforms.warehouse import Warehouse


def test_marts_of_two_races_are_their_rows_of_every_race(warehouse: Warehouse, marts: MartTables) -> None:
    latest = marts.races[marts.races["has_results"]]["race_id"].iloc[-2:].tolist()
    narrow = load_marts(warehouse, lap_seasons=ALL_LAP_SEASONS, races=latest)
    for name in ("laps", "stints", "pit_stops", "sc_history", "results"):
        every = getattr(marts.fitting, name)
        got = getattr(narrow.fitting, name)
        assert set(got["race_id"]) <= set(latest) and not got.empty
        # values equal; an integer column with nulls only in other races reads as int32 here, Int32 there
        pd.testing.assert_frame_equal(got, every[every["race_id"].isin(latest)].reset_index(drop=True),
                                      check_dtype=False)
    pd.testing.assert_frame_equal(narrow.races, marts.races)
    (race_id, alone), = race_alternatives(narrow.fitting, latest[-1:], 50)
    (_, among_all), = race_alternatives(marts.fitting, latest[-1:], 50)
    pd.testing.assert_frame_equal(alone, among_all)
