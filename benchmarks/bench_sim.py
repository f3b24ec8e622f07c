"""Benchmark of the Monte Carlo race engine; prints ``sim_races_per_s=<n>`` last.

    python benchmarks/bench_sim.py [--races N] [--home DIR]     (or: undercut bench-sim)

The precompute timings (what-if alternatives, next race) run on a built home's warehouse: ``--home``, else
UNDERCUT_HOME; they are skipped when that home has no warehouse.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script from a checkout: make the repo importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from simulation.bench import main  # noqa: E402
from simulation.marts import ALL_LAP_SEASONS, load_marts  # noqa: E402
from simulation.precompute import ALTERNATIVE_SIMULATIONS, race_alternatives  # noqa: E402
from transforms.settings import Settings  # noqa: E402
from transforms.warehouse import Warehouse, WarehouseUnavailableError, analyst_connection  # noqa: E402

ALTERNATIVE_RACES = 8


def built_warehouse(home: Path | None) -> Warehouse | None:
    """The home's warehouse when it has been built (opened read-only, so none is created), else None."""
    warehouse = (Settings(home=home) if home else Settings()).warehouse
    try:
        analyst_connection(warehouse).close()
    except WarehouseUnavailableError:
        return None
    return warehouse


def alternatives_per_race(warehouse: Warehouse) -> None:
    """The alternative_strategies precompute (without publishing) on the warehouse's last races."""
    tables = load_marts(warehouse, lap_seasons=ALL_LAP_SEASONS).fitting
    race_ids = sorted(set(tables.stints["race_id"]))[-ALTERNATIVE_RACES:]
    next(race_alternatives(tables, race_ids[:1], 1))  # compile or load the cached kernel
    started = time.perf_counter()
    variants = sum(len(frame) for _, frame in race_alternatives(tables, race_ids, ALTERNATIVE_SIMULATIONS))
    per_race = (time.perf_counter() - started) / len(race_ids)
    print(f"alternatives_per_race_s={per_race:.2f} ({len(race_ids)} races, {variants} alternatives x "
          f"{ALTERNATIVE_SIMULATIONS} paired races)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--races", type=int, default=100_000, help="full-field races per measurement")
    parser.add_argument("--home", type=Path, help="a built home for the precompute timings (default: UNDERCUT_HOME)")
    args = parser.parse_args()
    warehouse = built_warehouse(args.home)
    if warehouse is not None:
        alternatives_per_race(warehouse)
    main(args.races, warehouse)
