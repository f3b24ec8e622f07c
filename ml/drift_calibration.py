"""The drift detector measured as a statistical instrument: how often it raises an alarm where nothing changed
(seeded random halves of one season's laps; one finished weekend against the rest of the champion's training rows)
and how often it sees a realistic change (hotter and slower, a compound mix change, a regulation-year pace jump).

Every split is reproducible: rows are ordered by their key before a seeded permutation, because DuckDB returns rows
in no fixed order. `benchmarks/bench_drift.py` prints the study; the tests assert its properties."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ml import drift
from transforms.warehouse import Warehouse, read_frame

LAP_NUMERICAL = ["label_lap_time_s", "track_temp_c", "air_temp_c", "tyre_life_laps"]
LAP_CATEGORICAL = ["compound"]
LAP_KEY = ["race_id", "driver_id", "lap_number"]

# The realistic changes (what a weekend or a season can bring):
HOT_SLOW_SHIFT = {"label_lap_time_s": 3.0, "track_temp_c": 15.0, "air_temp_c": 8.0}  # a heatwave weekend
HARD_LAPS_KEPT = 1 / 3  # a softer allocation: two in three HARD laps become other compounds' laps
REGULATION_SEASONS = (2021, 2022)  # ground-effect cars: the same circuits, other lap times


def season_laps(warehouse: Warehouse, seasons: Iterable[int]) -> pd.DataFrame:
    """Clean race laps with weather of the given seasons, in key order."""
    wanted = sorted(seasons)
    return read_frame(warehouse, f"""
        select season, circuit_id, {", ".join(LAP_KEY[1:] + LAP_NUMERICAL + LAP_CATEGORICAL)}, race_id
        from features.lap_features
        where season in ({", ".join("?" * len(wanted))}) and label_is_clean_lap and track_temp_c is not null
        order by {", ".join(LAP_KEY)}
    """, list(wanted))


def random_halves(rows: pd.DataFrame, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two halves of key-ordered rows, drawn by a seeded permutation (the same seed gives the same halves)."""
    first = np.random.default_rng(seed).permutation(len(rows)) < len(rows) // 2
    return rows[first], rows[~first]


Split = tuple[pd.DataFrame, pd.DataFrame]  # (reference, current)


def hotter_and_slower(laps: pd.DataFrame, seed: int) -> Split:
    reference, current = random_halves(laps, seed)
    return reference, current.assign(**{c: current[c] + delta for c, delta in HOT_SLOW_SHIFT.items()})


def compound_mix(laps: pd.DataFrame, seed: int) -> Split:
    reference, current = random_halves(laps, seed)
    hard = current["compound"].eq("HARD").to_numpy()
    dropped = hard & (np.random.default_rng(seed + 1).random(len(current)) >= HARD_LAPS_KEPT)
    return reference, current[~dropped]


def regulation_jump(laps: pd.DataFrame, seed: int) -> Split:
    """Half of the old season's laps against half of the new one's, on the circuits both raced at."""
    before, after = (laps[laps["season"] == s] for s in REGULATION_SEASONS)
    common = set(before["circuit_id"]) & set(after["circuit_id"])
    return (random_halves(before[before["circuit_id"].isin(common)], seed)[0],
            random_halves(after[after["circuit_id"].isin(common)], seed)[1])


LAP_SCENARIOS: dict[str, Callable[[pd.DataFrame, int], Split]] = {
    "same season (no change)": random_halves,
    "hotter and slower": hotter_and_slower,
    "compound mix": compound_mix,
    "regulation-year pace jump": regulation_jump,
}


def weekend_splits(reference: pd.DataFrame, count: int, seed: int) -> Iterable[Split]:
    """Finished weekends the champion was trained on, each against the rest of its training rows: as the weekly
    decision sees a new weekend, with nothing changed."""
    races = np.sort(reference["race_id"].unique())
    for race_id in np.random.default_rng(seed).choice(races, size=min(count, len(races)), replace=False):
        this = reference["race_id"].eq(race_id)
        yield reference[~this], reference[this]


@dataclass(frozen=True)
class Trials:
    """Per-column results of many detector runs: one row per (trial, column)."""

    columns: pd.DataFrame

    def column_rates(self) -> pd.DataFrame:
        """Per column, the share of trials flagged by each rule: the p-value alone, the effect size alone, both
        (the detector's rule)."""
        flags = self._flags()
        return flags.groupby("column")[["p_value_only", "effect_size_only", "detector"]].mean()

    def dataset_rates(self) -> pd.Series:
        """Share of trials whose drift share reaches the decision threshold, under each rule."""
        shares = self._flags().groupby("trial")[["p_value_only", "effect_size_only", "detector"]].mean()
        return (shares >= drift.DRIFT_SHARE_THRESHOLD).mean()

    def _flags(self) -> pd.DataFrame:
        c = self.columns
        return c.assign(p_value_only=drift.significant(c), effect_size_only=drift.material(c),
                        detector=drift.column_drifted(c))


def run_trials(splits: Iterable[Split], numerical: list[str], categorical: list[str] | None = None) -> Trials:
    frames = [drift.detect(reference, current, numerical, categorical or []).columns.assign(trial=trial)
              for trial, (reference, current) in enumerate(splits)]
    return Trials(pd.concat(frames, ignore_index=True))


def lap_trials(laps: pd.DataFrame, scenario: str, season: int, seeds: Iterable[int]) -> Trials:
    """`scenario` over seeded splits of `season`'s laps (the regulation jump uses its own two seasons)."""
    make = LAP_SCENARIOS[scenario]
    rows = laps if make is regulation_jump else laps[laps["season"] == season]
    return run_trials((make(rows, seed) for seed in seeds), LAP_NUMERICAL, LAP_CATEGORICAL)
