"""Racing behaviour of the engine: degradation, safety cars, compounds, reproducibility, weather."""

from __future__ import annotations

from dataclasses import replace

import numba
import numpy as np
from sim_helpers import field, flat_tyres, quiet_circuit, race

from simulation.engine import CarEntry, FixedEvents, simulate, simulate_variants
from simulation.params import CircuitParams, Compound, RaceParams, TrackState, WeatherParams
from simulation.strategies import Plan

N = 400


def test_zero_degradation_one_stop_beats_two() -> None:
    circuit = flat_tyres(quiet_circuit())
    one_stop = Plan.of(("MEDIUM", 25), ("HARD", 25))
    two_stop = Plan.of(("MEDIUM", 17), ("HARD", 17), ("MEDIUM", 16))
    rivals = {f"R{i}": one_stop for i in range(5)}
    for_one = simulate(field({"X": one_stop} | rivals), race(circuit), N, seed=1)
    for_two = simulate(field({"X": two_stop} | rivals), race(circuit), N, seed=1)
    x = for_one.index("X")
    assert for_one.race_time_s[:, x].mean() < for_two.race_time_s[:, x].mean() - 0.8 * circuit.pit_loss_green_s
    assert for_one.position[:, x].mean() < for_two.position[:, x].mean()


def test_high_degradation_makes_two_stops_pay() -> None:
    circuit = quiet_circuit()
    worn = {c: p.model_copy(update={"deg_s_per_lap": 0.6}) for c, p in circuit.compounds.items()}
    circuit = circuit.model_copy(update={"compounds": worn})
    one_stop = Plan.of(("MEDIUM", 25), ("HARD", 25))
    two_stop = Plan.of(("MEDIUM", 17), ("HARD", 17), ("MEDIUM", 16))
    a = simulate(field({"X": one_stop, "Y": one_stop}), race(circuit), N, seed=2)
    b = simulate(field({"X": two_stop, "Y": one_stop}), race(circuit), N, seed=2)
    assert b.race_time_s[:, 0].mean() < a.race_time_s[:, 0].mean()


def test_stop_under_safety_car_is_cheaper() -> None:
    circuit = flat_tyres(quiet_circuit(sc_pit_window_laps=0))
    state = np.zeros(circuit.race_laps, np.int8)
    state[19:24] = TrackState.SC  # laps 20-24
    fixed = FixedEvents(track_state=state)
    under_sc = Plan.of(("MEDIUM", 21), ("HARD", 29))
    green = Plan.of(("MEDIUM", 35), ("HARD", 15))
    rivals = {f"R{i}": green for i in range(5)}
    # X starts last and is slowest: a stop under the SC is absorbed by the field closing up behind the SC.
    a = simulate(field(rivals | {"X": under_sc}), race(circuit), N, seed=3, fixed=fixed)
    b = simulate(field(rivals | {"X": green}), race(circuit), N, seed=3, fixed=fixed)
    x = a.index("X")
    saved = circuit.pit_loss_green_s - circuit.pit_loss_sc_s
    assert np.allclose(a.pit_time_saved_s[:, x], saved)
    assert np.all(b.pit_time_saved_s[:, x] == 0.0)
    # The stop under the SC costs the car far less race time against the field.
    gap_a = a.race_time_s[:, x] - a.race_time_s.min(axis=1)
    gap_b = b.race_time_s[:, x] - b.race_time_s.min(axis=1)
    assert gap_a.mean() < gap_b.mean() - 0.5 * saved


def test_cars_pit_early_when_a_safety_car_comes_inside_the_window() -> None:
    circuit = quiet_circuit(sc_pit_window_laps=8)
    state = np.zeros(circuit.race_laps, np.int8)
    state[19:23] = TrackState.SC
    plan = Plan.of(("MEDIUM", 25), ("HARD", 25))
    result = simulate(field({"X": plan, "Y": plan}), race(circuit), 50, seed=4, fixed=FixedEvents(track_state=state))
    assert np.all(result.pit_time_saved_s > 0)  # both stopped under the SC instead of on lap 25


def test_softer_compound_is_faster_when_new() -> None:
    circuit = quiet_circuit(race_laps=8, lap_noise_s=0.0, race_pace_sd_s=0.0, start_noise_s=0.0)
    cars = [
        CarEntry(car_id=comp.value, plans=(Plan.of((comp, 8)),), grid_slot=1, pace_offset_s=0.0)
        for comp in (Compound.HARD, Compound.MEDIUM, Compound.SOFT)
    ]
    # Same grid slot for all: only the tyres differ, and with no noise the order is deterministic.
    result = simulate(cars, race(circuit), 10, seed=5)
    time_s = dict(zip(result.car_ids, result.race_time_s[0], strict=True))
    assert time_s["SOFT"] < time_s["MEDIUM"] < time_s["HARD"]


def test_same_seed_same_races_and_thread_count_does_not_matter() -> None:
    circuit = CircuitParams(circuit_id="test")  # all random events on
    plans = (Plan.of(("MEDIUM", 20), ("HARD", 37)), Plan.of(("SOFT", 15), ("HARD", 25), ("MEDIUM", 17)))
    cars = [CarEntry(car_id=f"C{i}", plans=plans, pit_lap_jitter=3, pace_offset_s=0.1 * i, grid_slot=i + 1)
            for i in range(20)]
    weather = WeatherParams(rain_probability=0.5)
    first = simulate(cars, RaceParams(circuit=circuit, weather=weather), 5000, seed=11)
    previous = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        again = simulate(cars, RaceParams(circuit=circuit, weather=weather), 5000, seed=11)
    finally:
        numba.set_num_threads(previous)
    other = simulate(cars, RaceParams(circuit=circuit, weather=weather), 5000, seed=12)
    assert np.array_equal(first.position, again.position)
    assert np.array_equal(first.race_time_s, again.race_time_s)
    assert not np.array_equal(first.position, other.position)
    # Every race classifies each position exactly once.
    assert np.all(np.sort(first.position, axis=1) == np.arange(1, 21))


def test_random_events_follow_the_circuit_rates() -> None:
    circuit = CircuitParams(circuit_id="test", retirement_prob=0.1)
    plan = Plan.of(("MEDIUM", 28), ("HARD", 29))
    result = simulate(field({f"C{i}": plan for i in range(20)}), race(circuit), 4000, seed=6)
    expected_sc_share = 1 - np.exp(-circuit.events.sc_per_race)
    assert abs(np.mean(result.sc_laps > 0) - expected_sc_share) < 0.03
    assert abs(np.mean(~result.finished) - circuit.retirement_prob) < 0.01
    assert abs(result.red_flag.mean() - circuit.events.red_flag_prob) < 0.015


def test_wet_race_brings_intermediates_and_a_crossover() -> None:
    circuit = quiet_circuit()
    plan = Plan.of(("MEDIUM", 25), ("HARD", 25))
    wet = RaceParams(circuit=circuit, weather=WeatherParams(is_wet_race=True))
    result = simulate(field({f"C{i}": plan for i in range(10)}), wet, 300, seed=7)
    dry = simulate(field({f"C{i}": plan for i in range(10)}), race(circuit), 300, seed=7)
    assert np.all(result.wet_laps > 0)
    # Drying out forces a change back to slicks on top of the planned stop in most races.
    assert result.stops.mean() > dry.stops.mean()


def test_plan_variants_match_a_full_race_with_the_plan_changed() -> None:
    # Variants restart from the base race's state on the last lap both plans share: that must be exactly the
    # race simulated from the start with the plan changed, through SC windows, red flags, jitter and rain.
    circuit = CircuitParams(circuit_id="test", race_laps=50, sc_pit_window_laps=3)  # all random events on
    menu = (Plan.of(("MEDIUM", 20), ("HARD", 30)), Plan.of(("SOFT", 15), ("HARD", 20), ("MEDIUM", 15)))
    cars = [CarEntry(car_id=f"C{i}", plans=menu, plan_weights=(0.6, 0.4), pit_lap_jitter=2, pace_offset_s=0.15 * i,
                     grid_slot=i + 1) for i in range(12)]
    cars[4] = CarEntry(car_id="X", plans=(menu[0],), pit_lap_jitter=2, pace_offset_s=0.5, grid_slot=5)
    variants = [
        ("X", menu[0]),  # unchanged
        ("X", Plan.of(("MEDIUM", 23), ("HARD", 27))),  # stop 3 laps later
        ("X", Plan.of(("MEDIUM", 20), ("SOFT", 30))),  # second stint on another compound
        ("X", Plan.of(("HARD", 20), ("MEDIUM", 30))),  # start on another compound
        ("X", Plan.of(("MEDIUM", 20), ("HARD", 15), ("SOFT", 15))),  # an extra stop
    ]
    for weather in (WeatherParams(), WeatherParams(rain_probability=0.4)):
        params = RaceParams(circuit=circuit, weather=weather)
        base, *changed = simulate_variants(cars, params, 3000, variants, seed=3)
        assert int(base.red_flag.sum()) > 0 and int(base.sc_laps.sum()) > 0
        for (car_id, plan), result in zip(variants, changed, strict=True):
            alone = [car if car.car_id != car_id else replace(car, plans=(plan,)) for car in cars]
            full = simulate(alone, params, 3000, seed=3)
            for name in ("position", "race_time_s", "stops", "pit_time_saved_s", "laps_held", "passes",
                         "laps_completed", "plan_index"):
                assert np.array_equal(getattr(result, name), getattr(full, name)), (plan.label, name)
        assert np.array_equal(changed[0].race_time_s, base.race_time_s)
        assert not np.array_equal(changed[1].race_time_s, base.race_time_s)
