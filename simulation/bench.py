"""Engine benchmark: full-field races per second for a 20-car, 57-lap race with SC/VSC events and stops.

Prints the kernel with one thread and with all threads side by side, the time of a full ``recommend_strategy``
with 10,000 simulations per plan, the next-race precompute (2025 Italian GP fitted from the archive: every driver
x every shortlisted plan x 10,000 races) and, as the last line, ``sim_races_per_s=<all-thread figure>``.
"""

from __future__ import annotations

import time
from dataclasses import fields
from pathlib import Path

import numba

from simulation.archive_adapter import ArchiveTables, load_archive
from simulation.engine import CarEntry, iter_simulate, spaced_field
from simulation.marts import LAP_SEASONS
from simulation.params import FULL_FIELD_CARS, CircuitParams, RaceParams, WeatherParams
from simulation.precompute import Entrant, field_strategies, fitted_circuit
from simulation.recommend import FIELD_PACE_STEP_S, recommend_strategy
from simulation.safety_car import circuit_safety_car_table, event_params
from simulation.strategies import strategy_menu

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


NEXT_RACE_CIRCUIT, NEXT_RACE_LAPS, NEXT_RACE_SEASON = "monza", 53, 2025


def next_race_precompute(archive: Path) -> None:
    """The next_race_strategy work on the archive: fit Monza from the last seasons' laps, SC table, then the whole
    field (the last race's 20 drivers, in that race's finishing order as the predicted order) x plans x 10k."""
    started = time.perf_counter()
    tables = load_archive(archive)
    recent = ArchiveTables(**{f.name: getattr(tables, f.name) for f in fields(ArchiveTables)} | {
        "laps": tables.laps[tables.laps["season"] > NEXT_RACE_SEASON - LAP_SEASONS]})
    sc_table = circuit_safety_car_table(tables.sc_history, tables.results, NEXT_RACE_SEASON)
    sc_row = sc_table[sc_table["circuit_id"] == NEXT_RACE_CIRCUIT].iloc[0]
    circuit = fitted_circuit(recent, NEXT_RACE_CIRCUIT, NEXT_RACE_LAPS, event_params(sc_row))
    last = tables.results[tables.results["race_id"] == tables.results["race_id"].max()].sort_values("grid")
    entrants = [Entrant(i, float(p), 3.0, slot) for slot, (i, p) in
                enumerate(zip(range(len(last)), last["position_order"], strict=True), start=1)]
    prepared = time.perf_counter() - started
    started = time.perf_counter()
    rows, _ = field_strategies(RaceParams(circuit=circuit, weather=WeatherParams(track_temp_c=40.0)), entrants)
    elapsed = time.perf_counter() - started
    print(f"next_race_fit_s={prepared:.2f} (archive load, circuit fit, SC table)")
    print(f"next_race_precompute_s={elapsed:.2f} ({rows['driver_id'].nunique()} drivers x "
          f"{rows['strategy_id'].nunique()} plans x {int(rows['n_simulations'].min()):,} races)")


def main(n_races: int = 100_000, archive: Path | None = None) -> None:
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
    if archive is not None:
        next_race_precompute(archive)
    print(f"sim_races_per_s={results[threads][0]:.0f}")


if __name__ == "__main__":
    main()
