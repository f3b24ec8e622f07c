"""`undercut serve` as a user reaches it: the command started on a free port of 127.0.0.1, a real HTTP client, the
built home's warehouse behind it."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from undercut_cli import free_port, undercut_env

from transforms.warehouse import Warehouse, read_frame

REPO = Path(__file__).resolve().parents[2]
# The seed recommender's example request (its README), Monaco with every input given
SEED_EXAMPLE = {"predicted_position_mean": 5.0, "predicted_position_std": 2.0, "circuit_id": "monaco",
                "race_laps": 78, "track_temp": 45.0, "air_temp": 25.0, "humidity": 50.0, "rain_probability": 0.1,
                "gap_to_car_ahead": 1.2, "gap_to_car_behind": 2.5, "pit_loss_sec": 22.0, "n_simulations": 2000}
SEED_KEYS = {"best_strategy", "strategy_ranking", "safety_car_analysis", "weather_impact", "competitor_analysis",
             "compound_strategies", "tactical_recommendations"}


@pytest.fixture(scope="module")
def api(built_home: Path, archive_dir: Path) -> Iterator[httpx.Client]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "orchestration.cli", "serve", "--port", str(port)],
                            env=undercut_env(built_home, archive_dir), cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120)
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
            try:
                if client.get("/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "undercut serve did not answer within 90 s"
            time.sleep(0.3)
        yield client
    finally:
        client.close()
        proc.terminate()
        proc.wait(timeout=30)


def test_seed_strategy_request_get_and_post(api: httpx.Client) -> None:
    got = api.get("/strategy", params=SEED_EXAMPLE)
    assert got.status_code == 200, got.text
    body = got.json()
    assert body.keys() >= SEED_KEYS
    assert body["race_parameters"]["circuit_id"] == "monaco" and body["race_parameters"]["race_laps"] == 78
    assert body["best_strategy"]["rank"] == 1 and 1 <= body["best_strategy"]["expected_position"] <= 20
    posted = api.post("/strategy", json=SEED_EXAMPLE)
    assert posted.status_code == 200 and posted.json() == body  # same seed, same answer


@pytest.mark.parametrize(("params", "field"), [
    ({"predicted_position_mean": 25}, "predicted_position_mean"),
    ({"predicted_position_mean": 5, "race_laps": 12}, "race_laps"),
    ({"predicted_position_mean": 5, "rain_probability": 1.5}, "rain_probability"),
    ({"predicted_position_mean": 5, "n_simulations": 10**6}, "n_simulations"),
    ({"predicted_position_mean": 5, "compound": "hypersoft"}, "compound"),
    ({}, "predicted_position_mean"),
])
def test_bad_strategy_inputs_are_422_naming_the_field(api: httpx.Client, params: dict[str, object],
                                                      field: str) -> None:
    response = api.get("/strategy", params=params)
    assert response.status_code == 422
    assert field in {str(part) for error in response.json()["detail"] for part in error["loc"]}


def test_malformed_unknown_and_oversized(api: httpx.Client) -> None:
    malformed = api.post("/strategy", content=b'{"predicted_position_mean": 5,', headers={"content-type":
                                                                                         "application/json"})
    assert malformed.status_code == 422 and "Traceback" not in malformed.text
    unknown = api.get("/strategy", params={"predicted_position_mean": 5, "circuit_id": "nurburgring_nordschleife"})
    assert unknown.status_code == 404 and "monaco" in unknown.json()["detail"]
    assert api.post("/strategy", content=b"x" * 100_000).status_code == 413
    assert api.get("/races/2031-01/predictions").status_code == 404
    assert api.get("/races/dutch/predictions").status_code == 422
    assert api.get("/circuits/atlantis/safety-car").status_code == 404
    assert api.get("/races/2025-15/stories", params={"language": "klingon"}).status_code == 422


def test_mart_endpoints_serve_the_warehouse(api: httpx.Client, built_home: Path) -> None:
    warehouse = Warehouse.at(built_home)
    nxt = api.get("/races/next").json()
    assert (nxt["season"], nxt["round"], nxt["race_name"]) == (2025, 16, "Italian Grand Prix")
    strategies = api.get("/races/next/strategy").json()
    assert len(strategies) == len(read_frame(warehouse, "select * from marts.next_race_strategy "
                                                        "where race_key = '2025-16'")) > 0
    assert {s["race_key"] for s in strategies} == {"2025-16"}
    one = api.get("/races/next/strategy", params={"driver_id": strategies[0]["driver_id"]}).json()
    assert [s["rank"] for s in one] == list(range(1, len(one) + 1))

    dutch = "2025-15"  # the race the fixture's refresh landed
    predictions = api.get(f"/races/{dutch}/predictions").json()
    assert len(predictions) == 20 and [p["predicted_finish_rank"] for p in predictions] == list(range(1, 21))
    winner = read_frame(warehouse, "select driver_id from marts.fct_results where season = 2025 and round = 15 "
                                   "and position = 1")
    assert [p["driver_id"] for p in predictions if p["finish_position"] == 1] == winner["driver_id"].tolist()
    odds = api.get(f"/races/{dutch}/championship-odds").json()
    drivers = [o for o in odds if o["championship"] == "drivers"]
    assert drivers and abs(sum(o["title_probability"] for o in drivers) - 1) < 1e-6
    battles = api.get(f"/races/{dutch}/battle-forecast", params={"lap_number": 30}).json()
    assert battles and {b["lap_number"] for b in battles} == {30}
    lost = api.get(f"/races/{dutch}/time-lost").json()
    assert lost and all(item["seconds_lost"] > 0 for item in lost)
    stories = api.get(f"/races/{dutch}/stories", params={"language": "es", "tone": "casual", "length": "short"})
    assert stories.status_code == 200 and stories.json()
    assert {(s["language"], s["tone"], s["length"]) for s in stories.json()} == {("es", "casual", "short")}
    monza = api.get("/circuits/monza/safety-car").json()
    assert 0 < monza["sc_probability"] < 1 and monza["on_current_calendar"]
    assert len(api.get("/circuits/safety-car").json()) == len(
        read_frame(warehouse, "select * from marts.circuit_safety_car_probability"))
    docs = api.get("/openapi.json").json()
    assert {"/strategy", "/races/{race_key}/predictions", "/circuits/{circuit_ref}/safety-car"} <= docs["paths"].keys()
