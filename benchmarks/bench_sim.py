"""Benchmark of the Monte Carlo race engine; prints ``sim_races_per_s=<n>`` last.

    python benchmarks/bench_sim.py [--races N] [--archive DIR]     (or: undercut bench-sim)
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script from a checkout: make the repo importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from simulation.archive_adapter import load_archive  # noqa: E402
from simulation.bench import main  # noqa: E402
from simulation.precompute import ALTERNATIVE_SIMULATIONS, race_alternatives  # noqa: E402

ALTERNATIVE_RACES = 8


def alternatives_per_race(archive: Path) -> None:
    """The alternative_strategies precompute (without publishing) on the archive's last races."""
    tables = load_archive(archive)
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
    parser.add_argument("--archive", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data",
                        help="archive for the next-race precompute timing (skipped when absent)")
    args = parser.parse_args()
    if (args.archive / "historical").is_dir():
        alternatives_per_race(args.archive)
    main(args.races, args.archive if (args.archive / "historical").is_dir() else None)
