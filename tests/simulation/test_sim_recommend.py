"""recommend_strategy: contract, validation and full-field behaviour."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from simulation.defaults import CIRCUIT_DEFAULTS, default_circuit
from simulation.params import CircuitParams, RaceParams, WeatherParams
from simulation.recommend import recommend_strategy

CONTRACT_KEYS = {
    "best_strategy", "strategy_ranking", "strategy_summary", "safety_car_analysis", "weather_impact",
    "competitor_analysis", "compound_strategies", "tactical_recommendations", "race_parameters",
}
STRATEGY_KEYS = {
    "expected_position", "std_position", "best_case", "worst_case", "percentile_25", "percentile_75",
    "typical_stops", "sc_benefit", "rank", "position_distribution",
}


def test_contract_shape_and_consistency() -> None:
    result = recommend_strategy(predicted_position_mean=6, predicted_position_std=2, circuit_id="silverstone",
                                n_simulations=300, gap_to_car_ahead=0.8, track_temp=45)
    assert set(result) >= CONTRACT_KEYS
    ranking = result["strategy_ranking"]
    assert [r["rank"] for r in ranking] == list(range(1, len(ranking) + 1))
    assert result["best_strategy"] == ranking[0]
    for r in ranking:
        assert set(r) >= STRATEGY_KEYS
        assert np.isclose(sum(r["position_distribution"].values()), 1.0, atol=1e-3)
        assert r["best_case"] <= r["percentile_25"] <= r["percentile_75"] <= r["worst_case"]
    assert np.isclose(sum(r["probability_best"] for r in ranking), 1.0, atol=1e-3)
    assert result["race_parameters"]["parameters_source"] == "default"
    assert result["race_parameters"]["field_cars"] == 20
    assert {"undercut", "overcut", "traffic_analysis"} <= set(result["competitor_analysis"])


def test_position_comes_from_the_field() -> None:
    front = recommend_strategy(predicted_position_mean=2, predicted_position_std=0.5, n_simulations=300)
    back = recommend_strategy(predicted_position_mean=17, predicted_position_std=0.5, n_simulations=300)
    assert front["best_strategy"]["expected_position"] < 5 < 14 < back["best_strategy"]["expected_position"]
    # A full-field race spreads finishing positions beyond the prediction's own 0.5 std.
    assert front["best_strategy"]["worst_case"] >= 8


def test_same_seed_same_answer() -> None:
    a = recommend_strategy(predicted_position_mean=8, n_simulations=200, seed=3)
    b = recommend_strategy(predicted_position_mean=8, n_simulations=200, seed=3)
    assert a == b


def test_caller_parameters_and_overrides() -> None:
    fitted = CircuitParams(circuit_id="my_track", race_laps=60, pit_loss_green_s=30, pit_loss_vsc_s=18,
                           pit_loss_sc_s=14)
    result = recommend_strategy(circuit_params=fitted, predicted_position_mean=10, pit_loss_sec=20,
                                n_simulations=100)
    params = result["race_parameters"]
    assert params["parameters_source"] == "caller" and params["race_laps"] == 60
    assert params["pit_loss_sec"] == 20 and params["pit_loss_sc_sec"] == pytest.approx(14 * 20 / 30, abs=1e-3)
    wet = RaceParams(circuit=fitted, weather=WeatherParams(is_wet_race=True, track_temp_c=20))
    result = recommend_strategy(circuit_params=wet, predicted_position_mean=10, n_simulations=100)
    assert result["weather_impact"]["conditions"] == {"track_temp": 20, "air_temp": None, "humidity": None,
                                                     "rain_probability": 0.0, "is_wet_race": True}


@pytest.mark.parametrize(
    ("inputs", "field"),
    [
        ({"predicted_position_mean": 0}, "predicted_position_mean"),
        ({"predicted_position_mean": 5, "predicted_position_std": 11}, "predicted_position_std"),
        ({"predicted_position_mean": 5, "n_simulations": 50}, "n_simulations"),
        ({"predicted_position_mean": 5, "rain_probability": 1.5}, "rain_probability"),
        ({"predicted_position_mean": 5, "race_laps": 200}, "race_laps"),
        ({"predicted_position_mean": 5, "pit_loss_sec": 3}, "pit_loss_sec"),
        ({"predicted_position_mean": 5, "warp_speed": 9}, "warp_speed"),
        ({}, "predicted_position_mean"),
    ],
)
def test_invalid_inputs_name_the_field(inputs: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as error:
        recommend_strategy(**inputs)
    assert field in str(error.value)


def test_invalid_circuit_parameters_are_explained() -> None:
    with pytest.raises(ValidationError, match="SC <= VSC <= green"):
        CircuitParams(circuit_id="x", pit_loss_green_s=10, pit_loss_vsc_s=12, pit_loss_sc_s=8)
    with pytest.raises(ValidationError, match="min_stint_laps"):
        CircuitParams.model_validate(
            {"circuit_id": "x", "compounds": {"SOFT": {"pace_offset_s": 0, "deg_s_per_lap": 0.1,
                                                        "min_stint_laps": 30, "max_stint_laps": 10}}}
        )


def test_every_built_in_circuit_is_valid() -> None:
    for circuit_id in CIRCUIT_DEFAULTS:
        circuit, source = default_circuit(circuit_id)
        assert source == "default" and circuit.race_laps >= 40
    assert default_circuit("nowhere")[1] == "generic"


def test_wet_race_recommends_wet_tyres() -> None:
    result = recommend_strategy(predicted_position_mean=5, is_wet_race=True, n_simulations=100)
    weather = result["weather_impact"]
    assert weather["recommended_compounds"] == ["INTERMEDIATE", "WET"]
    assert weather["wet_race_share_simulated"] == 1.0
