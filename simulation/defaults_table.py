"""Fit every circuit on a home's marts and print the rows of :data:`simulation.defaults.CIRCUIT_DEFAULTS`.

    python -m simulation.defaults_table [--home DIR]    (the marts of UNDERCUT_HOME or DIR)
"""

from __future__ import annotations

import argparse
from pathlib import Path

from simulation.fit_defaults import FIRST_LAP_FIT_SEASON
from simulation.fitting import (
    field_pace_step_s,
    fit_circuit_params,
    fit_race_models,
    fit_start_noise,
    observed_passes_per_race,
)
from simulation.marts import ALL_LAP_SEASONS, FittingTables, load_marts
from simulation.params import DRY_COMPOUNDS
from transforms.settings import Settings


def print_defaults(tables: FittingTables, since_season: int = FIRST_LAP_FIT_SEASON) -> None:
    """Fit every circuit raced since ``since_season`` and print the values kept in simulation.defaults."""
    recent_laps = tables.laps[tables.laps["season"] >= since_season]
    fits = fit_race_models(recent_laps)
    passes = observed_passes_per_race(recent_laps)
    start_noise = fit_start_noise(recent_laps, tables.results)
    print(f"# field_pace_step_s={field_pace_step_s(fits):.3f} start_noise_s={start_noise:.2f}")
    # Race distance: the circuit's latest race (a circuit can host other layouts, e.g. Sakhir 2020).
    latest_race = tables.results.sort_values(["season", "round"]).groupby("circuit_id")["race_id"].last()
    laps_of_race = tables.results.groupby("race_id")["laps_completed"].max().to_dict()
    race_laps = {circuit: int(laps_of_race[race]) for circuit, race in latest_race.items()}
    for circuit_id in sorted({f.circuit_id for f in fits}, key=str):
        c = fit_circuit_params(
            circuit_id, fits, tables.stints, tables.pit_stops, tables.sc_history, tables.results,
            passes_per_race=passes, start_noise_s=start_noise, race_laps=race_laps[circuit_id],
        )
        ev = c.events
        tyres = {
            comp.value: (round(p.pace_offset_s, 2), round(p.deg_s_per_lap, 3), p.max_stint_laps, p.cliff_lap)
            for comp, p in c.compounds.items()
            if comp in DRY_COMPOUNDS
        }
        print(
            f'    "{circuit_id}": _circuit({c.race_laps}, {c.base_lap_time_s:.1f}, '
            f"({c.pit_loss_green_s:.1f}, {c.pit_loss_vsc_s:.1f}, {c.pit_loss_sc_s:.1f}), "
            f"{c.overtake_threshold_s:.2f}, {c.lap_noise_s:.2f}, "
            f"({ev.sc_per_race:.2f}, {ev.sc_mean_laps:.1f}, {ev.vsc_per_race:.2f}, {ev.red_flag_prob:.3f}), {tyres}),"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, help="the platform home whose marts to read (default: UNDERCUT_HOME)")
    args = parser.parse_args()
    settings = Settings(home=args.home) if args.home else Settings()
    print_defaults(load_marts(settings.warehouse, lap_seasons=ALL_LAP_SEASONS).fitting)


if __name__ == "__main__":
    main()
