"""Backtest: predict each race of a season by simulation from earlier data only, against the grid order.

For every race of the season in the marts (in calendar order) the circuit parameters are fitted on races run
before it (tyres, noise, base lap time, pit losses, SC history, stint ranges, overtaking threshold), each driver's
race pace is forecast from their recent races (recency-weighted, team-mates' pace for newcomers), and the race
is simulated from the real grid with every car drawing plausible strategies. A car's pace blends its recent
form with the pace its grid slot implies (qualifying is this weekend's information, known before the start). The predicted finishing order (by
mean simulated position) is compared with the classified order (Spearman), as is the grid order.

    python -m simulation.backtest --season 2024 [--home DIR]    (the marts of UNDERCUT_HOME or DIR)
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from simulation.engine import CarEntry, simulate
from simulation.fit_defaults import FIRST_LAP_FIT_SEASON
from simulation.fitting import (
    RaceFit,
    field_pace_step_s,
    fit_circuit_params,
    fit_race_models,
    fit_start_noise,
    observed_passes_per_race,
)
from simulation.marts import ALL_LAP_SEASONS, FittingTables, load_marts
from simulation.params import RaceParams
from simulation.strategies import strategy_menu
from transforms.settings import Settings

PACE_HISTORY_RACES = 8
PACE_HALF_LIFE_RACES = 3.0
PIT_LAP_JITTER = 3
# A newcomer with no team-mate history is assumed this far down the field's pace order (quantile).
UNKNOWN_PACE_QUANTILE = 0.75
# Weight of the recent-races forecast against the pace implied by this weekend's grid slot (qualifying pace).
HISTORY_PACE_WEIGHT = 0.5


@dataclass(frozen=True)
class RaceScore:
    race_id: int
    round: int
    circuit_id: str
    drivers: int
    spearman_sim: float
    spearman_grid: float


def forecast_relative_pace(history: list[RaceFit], drivers: pd.DataFrame) -> dict[object, float]:
    """Each driver's race pace as a fraction slower than the quickest car, from their last races."""
    recent = history[-PACE_HISTORY_RACES:]
    decay = 0.5 ** (1.0 / PACE_HALF_LIFE_RACES)
    weights = decay ** np.arange(len(recent))[::-1]
    by_driver: dict[object, list[tuple[float, float]]] = {}
    by_team: dict[object, list[tuple[float, float]]] = {}
    for w, fit in zip(weights, recent, strict=True):
        for driver, pace in fit.relative_pace.items():
            by_driver.setdefault(driver, []).append((pace, w))
            by_team.setdefault(fit.constructor_of[driver], []).append((pace, w))

    def mean(pairs: list[tuple[float, float]]) -> float:
        values, w = np.array(pairs).T
        return float(np.average(values, weights=w))

    known = [mean(p) for p in by_driver.values()]
    fallback = float(np.quantile(known, UNKNOWN_PACE_QUANTILE)) if known else 0.01
    out = {}
    for driver, team in zip(drivers["driver_id"], drivers["constructor_id"], strict=True):
        if driver in by_driver:
            out[driver] = mean(by_driver[driver])
        elif team in by_team:
            out[driver] = mean(by_team[team])
        else:
            out[driver] = fallback
    return out


def _grid_slots(entries: pd.DataFrame) -> pd.Series:
    """Grid slot per driver; pit-lane starters (grid 0) line up behind everybody."""
    key = entries["grid"].where(entries["grid"] > 0, 100)
    return key.rank(method="first").astype(int)


def backtest_race(
    tables: FittingTables, fits: list[RaceFit], passes: pd.Series, race_id: int, n_simulations: int, seed: int
) -> RaceScore:
    entries = tables.results[tables.results["race_id"] == race_id].copy()
    season, rnd = int(entries["season"].iloc[0]), int(entries["round"].iloc[0])
    circuit_id = str(entries["circuit_id"].iloc[0])
    earlier_results = tables.results[
        (tables.results["season"] < season) | ((tables.results["season"] == season) & (tables.results["round"] < rnd))
    ]
    earlier = set(earlier_results["race_id"])
    history = [f for f in fits if f.race_id in earlier]
    earlier_laps = tables.laps[tables.laps["race_id"].isin(earlier)]
    circuit = fit_circuit_params(
        circuit_id,
        history,
        tables.stints[tables.stints["race_id"].isin(earlier)],
        tables.pit_stops[tables.pit_stops["race_id"].isin(earlier)],
        tables.sc_history[tables.sc_history["race_id"].isin(earlier)],
        earlier_results,
        passes_per_race=passes[passes.index.isin(earlier)],
        start_noise_s=fit_start_noise(earlier_laps, earlier_results),
        race_laps=int(entries["laps_completed"].max()),  # the scheduled distance is known before the race
    )
    history_pace = forecast_relative_pace(history, entries)
    entries["slot"] = _grid_slots(entries)
    step = field_pace_step_s(history[-PACE_HISTORY_RACES:]) / circuit.base_lap_time_s
    pace = {
        d: HISTORY_PACE_WEIGHT * history_pace[d] + (1.0 - HISTORY_PACE_WEIGHT) * step * (slot - 1)
        for d, slot in zip(entries["driver_id"], entries["slot"], strict=True)
    }
    plans, weights = strategy_menu(circuit)
    cars = [
        CarEntry(
            car_id=str(driver),
            plans=plans,
            plan_weights=weights,
            pit_lap_jitter=PIT_LAP_JITTER,
            pace_offset_s=pace[driver] * circuit.base_lap_time_s,
            grid_slot=int(slot),
        )
        for driver, slot in zip(entries["driver_id"], entries["slot"], strict=True)
    ]
    result = simulate(cars, RaceParams(circuit=circuit), n_simulations, seed)
    driver_of_car = {str(driver): driver for driver in entries["driver_id"]}
    predicted = pd.Series(result.position.mean(axis=0), index=[driver_of_car[c] for c in result.car_ids])
    actual = entries.set_index("driver_id")["position_order"].astype(float)
    grid = entries.set_index("driver_id")["slot"].astype(float)
    return RaceScore(
        race_id=race_id,
        round=rnd,
        circuit_id=circuit_id,
        drivers=len(entries),
        spearman_sim=float(predicted.corr(actual.loc[predicted.index], method="spearman")),
        spearman_grid=float(grid.corr(actual, method="spearman")),
    )


def run_backtest(tables: FittingTables, season: int, n_simulations: int = 1000, seed: int = 0) -> pd.DataFrame:
    modern = tables.laps[tables.laps["season"] >= FIRST_LAP_FIT_SEASON]
    fits = fit_race_models(modern)  # per race: no information crosses races, so no leakage
    passes = observed_passes_per_race(modern)
    with_laps = set(tables.laps["race_id"])
    races = (
        tables.results[(tables.results["season"] == season) & tables.results["race_id"].isin(with_laps)]
        .drop_duplicates("race_id")
        .sort_values("round")["race_id"]
    )
    scores = [backtest_race(tables, fits, passes, int(r), n_simulations, seed) for r in races]
    return pd.DataFrame([s.__dict__ for s in scores])


def main() -> None:
    parser = argparse.ArgumentParser(description="Backtest the race simulator against the grid order.")
    parser.add_argument("--home", type=Path, help="the platform home whose marts to read (default: UNDERCUT_HOME)")
    parser.add_argument("--season", type=int, default=2024)
    parser.add_argument("--n-simulations", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    started = time.perf_counter()
    settings = Settings(home=args.home) if args.home else Settings()
    tables = load_marts(settings.warehouse, lap_seasons=ALL_LAP_SEASONS).fitting
    scores = run_backtest(tables, args.season, args.n_simulations, args.seed)
    with pd.option_context("display.width", 120):
        print(scores.round(3).to_string(index=False))
    print(f"races={len(scores)} elapsed_s={time.perf_counter() - started:.1f}")
    print(f"mean_spearman_grid={scores['spearman_grid'].mean():.3f}")
    print(f"mean_spearman_sim={scores['spearman_sim'].mean():.3f}")


if __name__ == "__main__":
    main()
