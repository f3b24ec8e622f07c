"""Strategy realism (issue 17 item 5): the published stint limit, the two-compound rule, pit losses by track
state, degradation drawn per race, and the walk-forward strategy evaluation on a few folds."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ml.walk_forward import PER_RACE_COLUMNS, PER_SEASON_COLUMNS, folds
from ml.walk_forward.strategy import evaluate
from simulation.engine import CarEntry, FixedEvents, simulate
from simulation.fitting import fit_circuit_params, fit_race_models
from simulation.marts import FittingTables, MartTables
from simulation.params import CircuitParams, RaceParams, TrackState
from simulation.precompute import Entrant, field_strategies, stint_limit_laps
from simulation.strategies import Plan, generate_plans
from transforms.warehouse import Warehouse

LIMIT_LAPS = 20


def _limited(race_laps: int = 57) -> CircuitParams:
    return CircuitParams(circuit_id="limited", race_laps=race_laps, stint_limit_laps=LIMIT_LAPS)


def test_no_generated_plan_has_a_stint_over_the_published_limit() -> None:
    plans = generate_plans(_limited())
    assert len(plans) > 0
    assert int(plans.stint_laps.max()) <= LIMIT_LAPS
    assert int(plans.stops.min()) >= 2  # 57 laps in stints of at most 20


def test_published_limits_reach_the_calendar(marts: MartTables) -> None:
    """Lusail's limits are race facts (dbt seed published_stint_limits -> dim_races), read by the precompute."""
    races = marts.races[marts.races["circuit_id"] == "losail"].set_index("season")["max_stint_laps"]
    assert [stint_limit_laps(races[season]) for season in (2023, 2024, 2025)] == [18, None, 25]


def test_the_engine_stops_a_car_whose_plan_runs_past_the_limit() -> None:
    # A plan with a 37-lap stint, on tyres with 3 laps of qualifying on them.
    circuit = _limited()
    plan = Plan.of(("MEDIUM", 20), ("HARD", 37))
    cars = [CarEntry(car_id=f"c{i}", plans=(plan,), grid_slot=i + 1, retirement_prob=0.0, start_tyre_life=3)
            for i in range(4)]
    green = FixedEvents(track_state=np.full(circuit.race_laps, int(TrackState.GREEN), np.int8))
    result = simulate(cars, RaceParams(circuit=circuit), 50, seed=1, fixed=green)
    # Lives: 3+17 = 20 (stop 1, lap 17: the planned stop comes early), then 20 (lap 37), then 20 to the flag.
    assert (result.stops == 2).all()
    unlimited = simulate(cars, RaceParams(circuit=circuit.model_copy(update={"stint_limit_laps": None})), 50,
                         seed=1, fixed=green)
    assert (unlimited.stops == 1).all()
    # With safety cars (early stops lengthen the next stint) the limit still forces enough stops.
    neutralised = simulate(cars, RaceParams(circuit=circuit), 200, seed=2)
    assert (neutralised.stops[neutralised.finished] >= 2).all()


def test_every_ranked_plan_of_a_dry_race_uses_two_dry_compounds() -> None:
    circuit = CircuitParams(circuit_id="dry", race_laps=50)
    entrants = [Entrant(driver_id=i, predicted_position_mean=float(i), predicted_position_std=2.0, grid_slot=i)
                for i in range(1, 21)]
    rows, _ = field_strategies(RaceParams(circuit=circuit), entrants, n_per_plan=20)
    assert rows["compound_sequence"].map(lambda seq: len(set(seq))).min() >= 2


def test_pit_loss_under_a_safety_car_is_below_green_at_a_circuit_with_stops(tables: FittingTables) -> None:
    monza = tables.pit_stops[tables.pit_stops["circuit_id"] == "monza"]
    by_state = monza.groupby("track_status_at_stop")["pit_lane_loss_s"].median()
    assert by_state["sc"] < by_state["green"]  # the marts themselves say so
    fits = fit_race_models(tables.laps[tables.laps["season"] >= 2022])
    circuit = fit_circuit_params("monza", fits, tables.stints, tables.pit_stops, tables.sc_history, tables.results,
                                 calibrate_overtaking=False)
    assert circuit.pit_loss_sc_s < circuit.pit_loss_vsc_s < circuit.pit_loss_green_s
    assert abs(circuit.pit_loss_green_s - by_state["green"]) < 3.0
    # Degradation comes with its uncertainty (drawn per simulated race).
    assert all(circuit.compound(c).deg_rel_sd > 0.0 for c in circuit.dry_compounds())


def test_the_strategy_evaluator_scores_folds_with_what_was_known_before_them(warehouse: Warehouse) -> None:
    chosen = [f for f in folds(warehouse, [2024]) if f.round in (16, 18)]  # Monza, Marina Bay
    scores = evaluate(warehouse, chosen, runs_per_plan=40)
    assert list(scores.per_race.columns) == PER_RACE_COLUMNS
    assert list(scores.per_season.columns) == PER_SEASON_COLUMNS
    assert set(scores.per_race["race_id"]) == {f.race_id for f in chosen}
    starts = {f.race_id: f.race_start_at for f in chosen}
    trained_until = pd.to_datetime(scores.per_race["trained_until"])
    assert (trained_until < scores.per_race["race_id"].map(starts)).all()
    assert {"stop_count_right", "compound_order_right", "regret_s"} <= set(scores.per_race["metric"])
    assert scores.per_race["value"].notna().all()
