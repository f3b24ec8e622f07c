"""Engine benchmark: full-field races per second for a 20-car, 57-lap race with SC/VSC events and stops.

Prints the kernel with one thread and with all threads side by side, the time of a full ``recommend_strategy``
with 10,000 simulations per plan, the next-race precompute on a built home's warehouse (the next_race_strategy
asset's work: the circuit fitted from the marts, every predicted entrant x every shortlisted plan x 10,000 races)
and, as the last line, ``sim_races_per_s=<all-thread figure>``.
"""

from __future__ import annotations

import time

import numba

from simulation.engine import CarEntry, iter_simulate, spaced_field
from simulation.marts import load_marts
from simulation.params import FULL_FIELD_CARS, CircuitParams, RaceParams
from simulation.precompute import next_race_key, next_race_plans
from simulation.recommend import FIELD_PACE_STEP_S, recommend_strategy
from simulation.strategies import strategy_menu
from transforms.warehouse import Warehouse

BENCH_LAPS = 57
BENCH_PIT_LAP_JITTER = 3


def bench_field() -> tuple[list[CarEntry], RaceParams]:
    """A generic 57-lap race (SC 0.55/race, VSC 0.35/race, red flags, retirements) with 1- to 3-stop plans."""
    circuit = CircuitParams(circuit_id="bench", race_laps=BENCH_LAPS)
    plans, weights = strategy_menu(circuit)
    cars = spaced_field(plans, weights, FIELD_PACE_STEP_S, pit_lap_jitter=BENCH_PIT_LAP_JITTER)
    return cars, RaceParams(circuit=circuit)


def races_per_second(n_races: int, threads: int, seed: int = 0) -> tuple[float, dict[str, float]]:
    """Throughput of the engine (sampling + kernel + results) with ``threads`` numba threads."""
    cars, race = bench_field()
    previous = numba.get_num_threads()
    numba.set_num_threads(threads)
    try:
        started = time.perf_counter()
        stops = sc_races = 0.0
        for chunk in iter_simulate(cars, race, n_races, seed):
            stops += float(chunk.stops.sum())
            sc_races += float((chunk.sc_laps > 0).sum())
        elapsed = time.perf_counter() - started
    finally:
        numba.set_num_threads(previous)
    return n_races / elapsed, {"stops_per_car": stops / n_races / len(cars), "sc_share": sc_races / n_races}


def next_race_precompute(warehouse: Warehouse) -> None:
    """The next_race_strategy asset's work (without publishing) on the warehouse's next race."""
    started = time.perf_counter()
    tables = load_marts(warehouse)
    if next_race_key(tables.races) is None:
        print("next_race_precompute: no next race in the warehouse's calendar, skipped")
        return
    plans = next_race_plans(warehouse, tables)
    rows = plans.rows
    print(f"next_race_fit_s={time.perf_counter() - started - plans.simulation_s:.2f} (marts load, circuit fit, "
          f"weather; {plans.race_key})")
    print(f"next_race_precompute_s={plans.simulation_s:.2f} ({rows['driver_id'].nunique()} drivers x "
          f"{rows['strategy_id'].nunique()} plans x {int(rows['n_simulations'].min()):,} races)")


def main(n_races: int = 100_000, warehouse: Warehouse | None = None) -> None:
    started = time.perf_counter()
    threads = numba.get_num_threads()  # all cores unless NUMBA_NUM_THREADS says otherwise
    races_per_second(100, threads)  # compile or load the cached kernel
    print(f"warm_up_s={time.perf_counter() - started:.2f} (numba compile or cache load)")
    results = {t: races_per_second(n_races, t) for t in sorted({1, threads})}
    print(f"field={FULL_FIELD_CARS} cars, laps={BENCH_LAPS}, races={n_races}")
    for t, (rate, stats) in results.items():
        print(
            f"numba_threads={t}: races_per_s={rate:,.0f} "
            f"(stops/car={stats['stops_per_car']:.2f}, races with SC={stats['sc_share']:.1%})"
        )
    started = time.perf_counter()
    result = recommend_strategy(predicted_position_mean=5, predicted_position_std=2, circuit_id="bahrain",
                                n_simulations=10000)
    elapsed = time.perf_counter() - started
    plans = result["race_parameters"]["plans_simulated"]
    print(f"recommend_strategy_n10000_s={elapsed:.2f} ({plans} plans x 10,000 full-field races)")
    if warehouse is not None:
        next_race_precompute(warehouse)
    print(f"sim_races_per_s={results[threads][0]:.0f}")


if __name__ == "__main__":
    main()
