"""Benchmark of the Monte Carlo race engine; prints ``sim_races_per_s=<n>`` last.

    python benchmarks/bench_sim.py [--races N] [--archive DIR]     (or: undercut bench-sim)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script from a checkout: make the repo importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from simulation.bench import main  # noqa: E402

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--races", type=int, default=100_000, help="full-field races per measurement")
    parser.add_argument("--archive", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data",
                        help="archive for the next-race precompute timing (skipped when absent)")
    args = parser.parse_args()
    main(args.races, args.archive if (args.archive / "historical").is_dir() else None)
