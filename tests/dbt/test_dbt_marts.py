"""Spot checks of the marts against facts known from the archive (built once per session, see conftest.py)."""

from __future__ import annotations

import csv
import json
from collections import Counter

import pytest
from dbt_testlib import DBT_PROJECT_DIR, Warehouse, archive_dir

pytestmark = pytest.mark.slow

DUTCH_GP_2025 = 1159
LECLERC, RUSSELL = 844, 847


def test_dbt_build_ran_every_model_and_every_test_passed(warehouse: Warehouse) -> None:
    results = json.loads((warehouse.home / "dbt_target" / "build_results.json").read_text())["results"]
    failed = [(r["unique_id"], r["status"]) for r in results if r["status"] not in ("success", "pass")]
    assert failed == []
    kinds = Counter(r["unique_id"].split(".")[0] for r in results)
    assert kinds["model"] >= 59 and kinds["test"] >= 290 and kinds["seed"] == len(list((DBT_PROJECT_DIR / "seeds").glob("*.csv")))


def test_monaco_2024_was_won_by_charles_leclerc(warehouse: Warehouse) -> None:
    rows = warehouse.query("""
        select d.forename, d.surname, r.grid
        from marts.fct_results as r
        join marts.dim_races as races using (race_id)
        join marts.dim_drivers as d using (driver_id)
        where races.season = 2024 and races.race_name = 'Monaco Grand Prix' and r.position = 1
    """)
    assert rows == [("Charles", "Leclerc", 1)]


def test_dutch_gp_2025_had_the_three_safety_cars_of_the_archive(warehouse: Warehouse) -> None:
    with open(archive_dir() / "historical" / "safety_cars.csv", encoding="utf-8") as fh:
        archive_laps = sorted(int(float(r["Deployed"])) for r in csv.DictReader(fh) if r["Race"] == "2025 Dutch Grand Prix")
    periods = warehouse.query(f"""
        select start_lap, end_lap, source from marts.fct_safety_car_periods
        where race_id = {DUTCH_GP_2025} and kind = 'SC' order by start_lap
    """)
    assert archive_laps == [23, 53, 65]
    assert [p[0] for p in periods] == archive_laps
    # end_lap = the last lap behind the SC ('SAFETY CAR IN THIS LAP' came on laps 26, 57 and 68)
    assert [(p[1], p[2]) for p in periods] == [(26, "history"), (57, "history"), (68, "history")]
    # the FastF1 track status finds the same three periods
    timing = warehouse.query(f"""
        select start_lap, end_lap from intermediate.int_neutralisations__timing
        where race_id = {DUTCH_GP_2025} and kind = 'SC' order by start_lap
    """)
    assert timing == [(23, 26), (53, 57), (65, 68)]


def test_a_pit_stop_swap_is_not_an_overtake(warehouse: Warehouse) -> None:
    # Zandvoort 2025, lap 22: Leclerc (P5 after lap 21) pitted; Russell was P5 and Leclerc P6 at the end of lap 22.
    order = dict(
        ((lap, driver), (position, in_lap))
        for lap, driver, position, in_lap in warehouse.query(f"""
            select lap_number, driver_id, position, is_in_lap from marts.fct_laps
            where race_id = {DUTCH_GP_2025} and lap_number in (21, 22) and driver_id in ({LECLERC}, {RUSSELL})
        """)
    )
    assert order[(21, LECLERC)][0] < order[(21, RUSSELL)][0] and order[(22, RUSSELL)][0] < order[(22, LECLERC)][0]
    assert order[(22, LECLERC)][1] is True
    assert warehouse.query(f"""
        select * from marts.fct_overtakes
        where race_id = {DUTCH_GP_2025} and lap_number = 22
          and {LECLERC} in (overtaking_driver_id, overtaken_driver_id)
    """) == []
    # and in general: no overtake involves a car on its in- or out-lap
    assert warehouse.query("""
        select count(*) from marts.fct_overtakes as o
        join marts.fct_laps as l
          on l.race_id = o.race_id and l.lap_number = o.lap_number
         and l.driver_id in (o.overtaking_driver_id, o.overtaken_driver_id)
        where l.is_in_lap or l.is_out_lap
    """) == [(0,)]
    assert warehouse.query("select count(*) > 1000 from marts.fct_overtakes") == [(True,)]


def test_pre_2019_compounds_are_relative_to_the_race(warehouse: Warehouse) -> None:
    rows = warehouse.query("""
        select distinct compound_original, compound from staging.stg_fastf1__session_laps
        where race_id = (select race_id from marts.dim_races where season = 2018 and race_name = 'Monaco Grand Prix')
          and compound is not null
    """)
    assert sorted(rows) == [("HYPERSOFT", "SOFT"), ("SUPERSOFT", "HARD"), ("ULTRASOFT", "MEDIUM")]


def test_pit_loss_is_cheaper_under_neutralisations(warehouse: Warehouse) -> None:
    medians = dict(warehouse.query("""
        select track_status_at_stop, median(pit_lane_loss_s) from marts.fct_pit_stops
        where pit_lane_loss_s is not null group by 1
    """))
    assert medians["sc"] < medians["vsc"] < medians["green"]
    assert 18 < medians["green"] < 28


def test_next_race_is_monza_2025_with_presumed_entries(warehouse: Warehouse) -> None:
    assert warehouse.query("select race_id from marts.dim_races where is_next_race") == [(1160,)]
    n, labelled = warehouse.query("""
        select count(*), count(label_finish_position) from features.race_entry_features where race_id = 1160
    """)[0]
    assert n == 20 and labelled == 0


SIMULATION_CONTRACT = {
    "fct_laps": "race_id season round circuit_id driver_id constructor_id lap_number lap_time_s stint compound "
                "tyre_life_laps position is_clean_lap track_status",
    "fct_stints": "race_id circuit_id driver_id stint compound start_lap end_lap laps tyre_age_at_start",
    "fct_pit_stops": "race_id circuit_id driver_id stop lap pit_duration_ms pit_lane_loss_s track_status_at_stop",
    "fct_safety_car_periods": "race_id circuit_id season kind start_lap end_lap race_laps",
    "fct_results": "race_id season round circuit_id driver_id constructor_id grid position_order status",
}


@pytest.mark.parametrize("mart", sorted(SIMULATION_CONTRACT))
def test_marts_have_the_columns_the_simulation_reads(warehouse: Warehouse, mart: str) -> None:
    columns = {r[0] for r in warehouse.query(
        "select column_name from information_schema.columns where table_schema = 'marts' and table_name = ?", [mart])}
    assert set(SIMULATION_CONTRACT[mart].split()) <= columns
    if mart == "fct_laps":
        types = dict(warehouse.query("select column_name, data_type from information_schema.columns "
                                     "where table_schema = 'marts' and table_name = 'fct_laps'"))
        assert types["is_clean_lap"] == "BOOLEAN"


def test_every_model_and_column_is_documented(warehouse: Warehouse) -> None:
    target = warehouse.home / "dbt_target"
    manifest = json.loads((target / "manifest.json").read_text())
    catalog = json.loads((target / "catalog.json").read_text())
    assert (target / "index.html").exists()
    missing = []
    for uid, node in manifest["nodes"].items():
        if node["resource_type"] not in ("model", "seed"):
            continue
        if not node["description"].strip():
            missing.append(uid)
        documented = {c for c, meta in node["columns"].items() if meta["description"].strip()}
        built = set(catalog["nodes"].get(uid, {}).get("columns", {}))
        missing += [f"{uid}.{c}" for c in sorted(built - documented)]
    assert missing == []
