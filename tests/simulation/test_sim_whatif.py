"""What-if replays of a finished race."""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulation.params import CircuitParams, RaceParams, TrackState
from simulation.strategies import Plan
from simulation.whatif import RaceReplay, alternative_plans, plan_from_stints, what_if

DRIVERS = [f"D{i}" for i in range(10)]


def _replay() -> RaceReplay:
    circuit = CircuitParams(circuit_id="test", race_laps=50)
    plan = Plan.of(("MEDIUM", 38), ("HARD", 12))
    state = np.zeros(50, np.int8)
    state[30:33] = TrackState.SC
    return RaceReplay(
        race=RaceParams(circuit=circuit),
        plans=dict.fromkeys(DRIVERS, plan),
        pace_offset_s={d: 0.15 * i for i, d in enumerate(DRIVERS)},
        grid={d: i + 1 for i, d in enumerate(DRIVERS)},
        actual_position={d: i + 1 for i, d in enumerate(DRIVERS)},
        retire_lap={"D9": 12},
        track_state=state,
    )


def test_unchanged_plan_gives_exactly_zero_deltas() -> None:
    replay = _replay()
    result = what_if(replay, "D4", replay.plans["D4"], n_simulations=300, seed=1)
    assert result["position_delta"]["distribution"] == {"0": 1.0}
    assert result["time_delta_s"]["mean"] == 0.0 and result["time_delta_s"]["std"] == 0.0
    assert result["counterfactual_position"]["expected"] == 5.0


def test_pitting_under_the_safety_car_helps() -> None:
    # Everybody stopped on lap 38 under green; D6 instead stops under the lap 31-33 safety car.
    replay = _replay()
    under_sc = Plan.of(("MEDIUM", 31), ("HARD", 19))
    result = what_if(replay, "D6", under_sc, n_simulations=300, seed=2)
    assert result["time_delta_s"]["mean"] < -5.0
    assert result["probability_gain"] > 0.5
    assert result["replay_fidelity"]["spearman_simulated_vs_actual"] > 0.8


def test_alternatives_and_stints_round_trip() -> None:
    replay = _replay()
    plan = Plan.of(("MEDIUM", 22), ("HARD", 28))
    options = alternative_plans(plan, replay.race.circuit, pit_shift_laps=3)
    assert "stop 1 +3 laps" in options and "stop 1 -3 laps" in options and "extra stop in stint 2" in options
    assert all(p.race_laps == plan.race_laps for p in options.values())
    stints = pd.DataFrame({"stint": [2, 1], "compound": ["HARD", "MEDIUM"], "start_lap": [23, 1],
                           "end_lap": [50, 22]})
    assert plan_from_stints(stints, 50) == plan
