"""JolpicaSource: the mini 2024 fixture season normalised into the declared Ergast schemas.

Seeds (conftest): drivers hamilton=1, max_verstappen=830, leclerc=844; constructors ferrari=6, red_bull=9; circuits
bahrain=3, shanghai=17; race 2024/1=1121; status Finished=1, "+1 Lap"=11. New in the fixtures: bearman (→ 845),
haas (→ 10), race 2024/2 (→ 1122) and the status "Retired" (→ 31, the API's own id).
"""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest
from jolpica_fake import FIXTURES, Reply

from transforms.exceptions import JolpicaResponseError
from transforms.jolpica import NOT_IN_API, TABLE_NAMES, JolpicaSource
from transforms.schemas import TABLES

SEASON_TABLES = [name for name in TABLE_NAMES if name not in ("seasons", "circuits", "constructors", "drivers",
                                                              "status")]


def rows(table, *columns):
    return list(zip(*(table.column(c).to_pylist() for c in columns), strict=True))


@pytest.mark.parametrize("name", SEASON_TABLES)
def test_every_season_table_has_exactly_the_declared_schema(source, name):
    assert source.table(name, 2024).schema.equals(TABLES[name].schema, check_metadata=True)


@pytest.mark.parametrize("name", ["seasons", "circuits", "status"])
def test_every_reference_table_has_exactly_the_declared_schema(source, name):
    assert source.table(name).schema.equals(TABLES[name].schema, check_metadata=True)


def test_results_map_refs_to_ergast_ids_and_keep_ergast_values(source):
    results = source.table("results", 2024).to_pylist()

    assert results[0] == {
        "resultId": 1121_000_001, "raceId": 1121, "driverId": 830, "constructorId": 9, "number": 1, "grid": 1,
        "position": 1, "positionText": "1", "positionOrder": 1, "points": 26.0, "laps": 57, "time": "1:31:44.742",
        "milliseconds": 5504742, "fastestLap": 39, "rank": 1, "fastestLapTime": "1:32.608",
        "fastestLapSpeed": 210.383, "statusId": 1,
    }
    assert results[1]["time"] == "+22.923"
    lapped = results[2]  # bearman and haas are new refs: max + 1 of the seeded ids
    assert (lapped["driverId"], lapped["constructorId"], lapped["statusId"]) == (845, 10, 11)
    assert (lapped["time"], lapped["milliseconds"]) == (None, None)
    retired = results[5]  # round 2 is split across two pages and is new to the seed: raceId max + 1
    assert (retired["raceId"], retired["positionText"], retired["position"], retired["positionOrder"]) == (
        1122, "R", None, 3)
    assert retired["resultId"] == 1122_000_003
    assert retired["statusId"] == 31  # "Retired" was unseen: its id comes from the API's status list


def test_sprint_results(source):
    sprint = source.table("sprint_results", 2024)

    assert rows(sprint, "resultId", "driverId", "points", "time", "milliseconds", "fastestLapTime", "rank") == [
        (1122_000_001, 830, 8.0, "32:04.660", 1924660, "1:40.331", None),
        (1122_000_002, 844, 7.0, "+13.043", 1937703, "1:40.874", None),
        (1122_000_003, 845, 6.0, "+15.258", 1939918, "1:41.015", None),
    ]


def test_races_carry_session_dates_and_utc_times(source):
    races = source.table("races", 2024).to_pylist()

    bahrain, china = races
    assert (bahrain["raceId"], bahrain["circuitId"], bahrain["date"], bahrain["time"]) == (
        1121, 3, dt.date(2024, 3, 2), "15:00:00")
    assert (bahrain["quali_date"], bahrain["quali_time"]) == (dt.date(2024, 3, 1), "16:00:00")
    assert (bahrain["fp3_date"], bahrain["sprint_date"]) == (dt.date(2024, 3, 1), None)
    assert (china["raceId"], china["circuitId"], china["quali_date"]) == (1122, 17, dt.date(2024, 4, 20))
    # Ergast files sprint qualifying under fp2; sprint weekends have no fp3.
    assert (china["fp2_date"], china["fp2_time"], china["fp3_date"]) == (dt.date(2024, 4, 19), "07:30:00", None)
    assert (china["sprint_date"], china["sprint_time"]) == (dt.date(2024, 4, 20), "03:00:00")


def test_qualifying(source):
    quali = source.table("qualifying", 2024)

    assert rows(quali, "qualifyId", "raceId", "driverId", "constructorId", "position", "q1", "q2", "q3")[:3] == [
        (1121_000_001, 1121, 830, 9, 1, "1:30.031", "1:29.374", "1:29.179"),
        (1121_000_002, 1121, 844, 6, 2, "1:30.243", "1:29.165", "1:29.407"),
        (1121_000_003, 1121, 845, 10, 3, "1:30.800", None, None),
    ]


def test_lap_times_from_three_pages(source, api):
    laps = source.table("lap_times", 2024)

    assert api.offsets("2024/1/laps") == [0, 4, 8]
    assert laps.num_rows == 9 + 3
    assert rows(laps, "raceId", "driverId", "lap", "position", "time", "milliseconds")[:4] == [
        (1121, 830, 1, 1, "1:37.284", 97284),
        (1121, 844, 1, 2, "1:38.896", 98896),
        (1121, 845, 1, 3, "1:39.550", 99550),
        (1121, 830, 2, 1, "1:36.200", 96200),
    ]
    assert rows(laps, "raceId", "lap")[-1] == (1122, 1)


def test_pit_stops_convert_durations_to_milliseconds(source):
    stops = source.table("pit_stops", 2024)

    assert rows(stops, "raceId", "driverId", "stop", "lap", "time", "duration", "milliseconds") == [
        (1121, 830, 1, 17, "15:31:05", "23.456", 23456),
        (1121, 844, 1, 18, "15:32:40", "24.012", 24012),
        (1122, 845, 1, 19, "07:39:12", "40:55.302", 2455302),  # spans a red flag: minutes:seconds
    ]


def test_standings_after_every_round(source):
    drivers = source.table("driver_standings", 2024)
    teams = source.table("constructor_standings", 2024)

    assert rows(drivers, "driverStandingsId", "raceId", "driverId", "points", "position", "positionText", "wins") == [
        (1121_000_830, 1121, 830, 26.0, 1, "1", 1),
        (1121_000_844, 1121, 844, 18.0, 2, "2", 0),
        (1121_000_845, 1121, 845, 15.0, 3, "3", 0),
        (1122_000_830, 1122, 830, 59.0, 1, "1", 2),
        (1122_000_845, 1122, 845, 39.0, 2, "2", 0),
        (1122_000_844, 1122, 844, 25.0, 3, "3", 0),
    ]
    assert rows(teams, "constructorStandingsId", "raceId", "constructorId", "points", "position")[3:] == [
        (1122_000_009, 1122, 9, 59.0, 1),
        (1122_000_010, 1122, 10, 39.0, 2),
        (1122_000_006, 1122, 6, 25.0, 3),
    ]


def test_constructor_results_sum_race_and_sprint_points(source):
    table = source.table("constructor_results", 2024)

    assert rows(table, "constructorResultsId", "raceId", "constructorId", "points", "status") == [
        (1121_000_006, 1121, 6, 18.0, None),
        (1121_000_009, 1121, 9, 26.0, None),
        (1121_000_010, 1121, 10, 15.0, None),
        (1122_000_006, 1122, 6, 7.0, None),
        (1122_000_009, 1122, 9, 33.0, None),
        (1122_000_010, 1122, 10, 24.0, None),
    ]


def test_reference_tables(source):
    assert rows(source.table("seasons"), "year") == [(2023,), (2024,)]
    assert rows(source.table("circuits"), "circuitId", "circuitRef", "location", "lat", "lng", "alt") == [
        (3, "bahrain", "Sakhir", 26.0325, 50.5106, None),
        (17, "shanghai", "Shanghai", 31.3389, 121.22, None),
    ]
    assert rows(source.table("status"), "statusId", "status") == [(1, "Finished"), (11, "+1 Lap"), (31, "Retired")]
    drivers = source.table("drivers", 2024).to_pylist()
    assert drivers[2] == {"driverId": 845, "driverRef": "bearman", "number": 87, "code": "BEA", "forename": "Oliver",
                          "surname": "Bearman", "dob": dt.date(2005, 5, 8), "nationality": "British",
                          "url": "http://en.wikipedia.org/wiki/Oliver_Bearman"}
    assert rows(source.table("constructors", 2024), "constructorId", "constructorRef") == [
        (9, "red_bull"), (6, "ferrari"), (10, "haas")]


def test_renormalising_yields_identical_tables_whatever_the_build_order(make_client, seed_ids):
    def build(order):
        source = JolpicaSource(make_client(), seed_ids())
        return {name: source.table(name, 2024) for name in order}

    forwards, backwards = build(SEASON_TABLES), build(SEASON_TABLES[::-1])

    for name in SEASON_TABLES:
        assert forwards[name].equals(backwards[name]), name


def test_an_item_that_fails_validation_names_the_url(api, source):
    page = json.loads((FIXTURES / "2024/qualifying.json").read_text())
    del page["MRData"]["RaceTable"]["Races"][0]["QualifyingResults"][0]["Driver"]
    api.script("2024/qualifying", Reply(body=json.dumps(page).encode()))

    with pytest.raises(JolpicaResponseError, match=r"/ergast/f1/2024/qualifying: item 0 is not a valid Race"):
        source.table("qualifying", 2024)


@pytest.mark.parametrize("name", NOT_IN_API)
def test_safety_car_tables_are_not_available_from_the_api(source, name):
    with pytest.raises(ValueError, match="not served by the Jolpica API"):
        source.table(name, 2024)


def test_unknown_table_season_and_missing_season_are_clear_errors(source):
    with pytest.raises(ValueError, match="unknown Jolpica table 'session_laps'"):
        source.table("session_laps", 2024)
    with pytest.raises(ValueError, match=r"season 1949 is not in the Jolpica API \(seasons: 2023-2024\)"):
        source.table("results", 1949)
    with pytest.raises(ValueError, match="'results' is a per-season table"):
        source.table("results")


def test_every_historical_table_is_either_served_or_documented_as_unavailable():
    historical = {spec.name for spec in TABLES.values() if spec.domain == "historical"}

    assert set(TABLE_NAMES) | set(NOT_IN_API) == historical
    assert not set(TABLE_NAMES) & set(NOT_IN_API)


def test_progress_is_logged_per_page_and_per_table(source, caplog):
    with caplog.at_level(logging.DEBUG, logger="undercut.jolpica"):
        source.table("lap_times", 2024)

    messages = [r.getMessage() for r in caplog.records if r.name == "undercut.jolpica"]
    assert sum("2024/1/laps.json" in m for m in messages if m.startswith("page ")) == 3
    assert "jolpica lap_times 2024: 12 rows" in messages
