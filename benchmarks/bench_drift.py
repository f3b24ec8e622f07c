"""The drift detector as a statistical instrument: false-alarm and detection rates over seeded splits of real data.

Needs a built home (`make run`). For every scenario, prints per column the share of trials flagged by the p-value
alone, the effect size alone and the detector's rule (both), and the share of trials that would ask for retraining.

    .venv/bin/python benchmarks/bench_drift.py --home .undercut --seeds 50
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd

from ml import drift, drift_calibration

REPO = Path(__file__).resolve().parents[1]


def _print(title: str, trials: drift_calibration.Trials, seconds: float) -> None:
    print(f"\n## {title}  ({trials.columns['trial'].nunique()} trials, {seconds:.0f} s)")
    rates = trials.column_rates()
    rates.loc[f"retrain (drift share >= {drift.DRIFT_SHARE_THRESHOLD:.1f})"] = trials.dataset_rates()
    print((rates * 100).round(1).to_string())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, default=REPO / ".undercut")
    parser.add_argument("--seeds", type=int, default=50)
    parser.add_argument("--seasons", type=int, nargs="+", default=[2022, 2023, 2024])
    args = parser.parse_args()
    warehouse = args.home / "warehouse.duckdb"
    seeds = range(args.seeds)
    laps = drift_calibration.season_laps(warehouse, {*args.seasons, *drift_calibration.REGULATION_SEASONS})
    print(f"rates in % of trials; thresholds: p < {drift.COLUMN_P_VALUE}, Wasserstein >= {drift.NUM_EFFECT_SIZE} sd, "
          f"Jensen-Shannon >= {drift.CAT_EFFECT_SIZE}")
    pd.set_option("display.width", 160)
    new_season = drift_calibration.REGULATION_SEASONS[1]
    runs = [("same season (no change)", season, f"{season} laps") for season in args.seasons] + [
        ("hotter and slower", args.seasons[-1], f"{args.seasons[-1]} laps"),
        ("compound mix", args.seasons[-1], f"{args.seasons[-1]} laps"),
        ("regulation-year pace jump", new_season, f"{new_season - 1} -> {new_season} laps, common circuits")]
    for scenario, season, label in runs:
        start = time.perf_counter()
        trials = drift_calibration.lap_trials(laps, scenario, season, seeds)
        _print(f"{scenario}: {label}", trials, time.perf_counter() - start)
    start = time.perf_counter()
    reference = drift.reference_rows(warehouse)
    trials = drift_calibration.run_trials(drift_calibration.weekend_splits(reference, args.seeds, seed=0),
                                          drift.MONITORED_COLUMNS)
    _print("one finished training weekend vs the rest of the champion's training rows (no change)", trials,
           time.perf_counter() - start)


if __name__ == "__main__":
    main()
