"""Benchmark of the Monte Carlo race engine; prints ``sim_races_per_s=<n>`` last.

    python benchmarks/bench_sim.py [--races N]     (or: undercut bench-sim)
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
    main(parser.parse_args().races)
