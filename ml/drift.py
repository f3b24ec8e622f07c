"""Drift of a race weekend's pre-race features and predictions against the finish-position champion's training data
(Evidently 0.7), the live error of the weekend's predictions, and the retraining decision.

What is monitored: the per-driver pre-race inputs of the finish-position model that vary within a race, plus the
model's predictions. Per-race constants (circuit difficulty, SC rate, pit loss) are left out: one weekend is a single
value of each, which always looks like drift against a history of many circuits.

A column drifts when its shift is both *significant* and *material* (two Evidently stattests per column):
- significant: a two-sample test whose p-value accounts for both sample sizes (Kolmogorov–Smirnov for numbers, a
  chi-square test of the reference × current contingency table for categories) is below COLUMN_P_VALUE. This alone
  guards a 20-driver weekend against sampling noise, where a distance measure would call noise drift;
- material: the effect size (Wasserstein distance in reference standard deviations for numbers, Jensen–Shannon
  distance for categories) reaches its threshold. This alone guards large samples: on two random halves of one
  season (~7,500 laps each) every column's p-value is uniform, so a p-value test flags 5 % of columns by design, and a
  real but negligible difference becomes "significant".
The thresholds were chosen from `benchmarks/bench_drift.py`, which measures false-alarm and detection rates over many
seeded splits of real seasons; ml/README.md has the figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from transforms.warehouse import Warehouse, read_frame, table_exists

# Evidently and SciPy are imported in the functions that use them: they take ~11 s and ~3 s to import.
if TYPE_CHECKING:
    from evidently.core.report import Snapshot
    from evidently.legacy.core import ColumnType

# --- the thresholds of the retraining decision (declared once; the report, the decision and the tests use these) --
COLUMN_P_VALUE = 0.05  # significant: the two-sample test's p-value is below this
NUM_EFFECT_SIZE = 0.1  # material (numbers): Wasserstein distance of at least 0.1 reference standard deviations
CAT_EFFECT_SIZE = 0.1  # material (categories): Jensen-Shannon distance of at least 0.1
DRIFT_SHARE_THRESHOLD = 0.5  # retrain when at least this share of the monitored columns drift (Evidently's default)
# Retrain when the finish-position MAE of a finished race exceeds this many positions: the champion's validation MAE
# is ~3.3 positions (2025 races 4–15 range 1.9–5.4), so 5 is a weekend clearly worse than the model's usual error.
LIVE_ERROR_THRESHOLD_POSITIONS = 5.0

NUM_METHOD, CAT_METHOD = "ks", "chisquare_two_sample"  # significance tests
NUM_EFFECT_METHOD, CAT_EFFECT_METHOD = "wasserstein", "jensenshannon"  # effect sizes
MONITORED_FEATURES = [
    "qualifying_position", "quali_gap_to_pole_pct", "quali_gap_to_teammate_pct", "form_avg_finish_position",
    "form_avg_points", "form_dnf_rate", "form_avg_quali_gap_to_teammate_pct", "career_races_before",
    "constructor_avg_pace_deficit_pct", "constructor_last_race_pace_deficit_pct",
]
PREDICTION_COLUMNS = ["predicted_finish_position_mean", "predicted_finish_position_std"]
MONITORED_COLUMNS = [*MONITORED_FEATURES, *PREDICTION_COLUMNS]
Tests = tuple[tuple[str, float], tuple[str, float]]  # (significance method, p-value), (effect method, size)
TRAIN_SPLIT = "train"
DECISIONS_TABLE = "drift_decisions"
METRICS_TABLE = "drift_metrics"


def _chisquare_two_sample(reference: pd.Series, current: pd.Series, feature_type: ColumnType,
                          threshold: float) -> tuple[float, bool]:
    """Chi-square test of homogeneity of the two samples. Evidently's own "chisquare" is a goodness-of-fit test against
    the reference's proportions taken as exact: with samples of similar size it flagged a third of random halves of
    one season's compounds (benchmarks/bench_drift.py)."""
    from scipy.stats import chi2_contingency

    table = pd.crosstab(np.r_[np.zeros(len(reference)), np.ones(len(current))],
                        np.r_[reference.to_numpy(), current.to_numpy()])
    p_value = float(chi2_contingency(table.to_numpy())[1]) if table.shape[1] > 1 else 1.0
    return p_value, p_value < threshold


@cache
def _register_chisquare_two_sample() -> None:
    """Make CAT_METHOD known to Evidently (once)."""
    from evidently.legacy.calculations.stattests import StatTest, register_stattest
    from evidently.legacy.core import ColumnType

    register_stattest(StatTest(name=CAT_METHOD, display_name="chi-square (two-sample) p_value",
                               allowed_feature_types=[ColumnType.Categorical]), default_impl=_chisquare_two_sample)


@dataclass(frozen=True)
class DriftResult:
    drift_share: float  # share of the compared columns that drift
    # column, method, p_value_threshold, p_value, effect_method, effect_size_threshold, effect_size, drifted
    columns: pd.DataFrame

    @property
    def dataset_drift(self) -> bool:
        return self.drift_share >= DRIFT_SHARE_THRESHOLD


def _column_tests(numerical: Sequence[str], categorical: Sequence[str]) -> dict[str, tuple[ColumnType, Tests]]:
    """The tests per column; Evidently knows every method named here once this has run."""
    from evidently.legacy.core import ColumnType

    _register_chisquare_two_sample()
    num: Tests = ((NUM_METHOD, COLUMN_P_VALUE), (NUM_EFFECT_METHOD, NUM_EFFECT_SIZE))
    cat: Tests = ((CAT_METHOD, COLUMN_P_VALUE), (CAT_EFFECT_METHOD, CAT_EFFECT_SIZE))
    return {c: (ColumnType.Numerical, num) for c in numerical} | {c: (ColumnType.Categorical, cat) for c in categorical}


def _score(reference: pd.Series, current: pd.Series, kind: ColumnType, method: str, threshold: float) -> float:
    """Evidently's drift score of one column, as its ValueDrift metric computes it (without rendering its plots,
    which cost four fifths of a report's time)."""
    from evidently.legacy.calculations.stattests import get_stattest

    reference, current = (s.replace([-np.inf, np.inf], np.nan).dropna() for s in (reference, current))
    return float(get_stattest(reference, current, kind, method)(reference, current, kind, threshold).drift_score)


def _present(frame: pd.DataFrame, columns: Sequence[str]) -> list[str]:
    """Columns with any value (e.g. qualifying is empty before it has run)."""
    return [c for c in columns if frame[c].notna().any()]


def detect(reference: pd.DataFrame, current: pd.DataFrame, numerical: Sequence[str],
           categorical: Sequence[str] = ()) -> DriftResult:
    """Per column, the significance test and the effect size; columns without any value in `current` are left out."""
    tests = _column_tests(_present(current, numerical), _present(current, categorical))
    frame = pd.DataFrame([
        {"column": c, "method": p_method, "p_value_threshold": p_threshold,
         "p_value": _score(reference[c], current[c], kind, p_method, p_threshold),
         "effect_method": e_method, "effect_size_threshold": e_threshold,
         "effect_size": _score(reference[c], current[c], kind, e_method, e_threshold)}
        for c, (kind, ((p_method, p_threshold), (e_method, e_threshold))) in tests.items()])
    frame["drifted"] = column_drifted(frame)
    return DriftResult(float(frame["drifted"].mean()), frame)


def report(reference: pd.DataFrame, current: pd.DataFrame, numerical: Sequence[str],
           categorical: Sequence[str] = ()) -> Snapshot:
    """The Evidently report of the same tests (both per column, with their distributions), to save as HTML."""
    from evidently import DataDefinition, Dataset, Report
    from evidently.metrics import ValueDrift

    numerical, categorical = _present(current, numerical), _present(current, categorical)
    tests = _column_tests(numerical, categorical)
    metrics = [ValueDrift(column=c, method=method, threshold=threshold)
               for c, (_, pair) in tests.items() for method, threshold in pair]
    definition = DataDefinition(numerical_columns=numerical, categorical_columns=categorical)
    return Report(metrics).run(Dataset.from_pandas(current[list(tests)], data_definition=definition),
                               Dataset.from_pandas(reference[list(tests)], data_definition=definition))


def significant(columns: pd.DataFrame) -> pd.Series:
    return columns["p_value"] < columns["p_value_threshold"]


def material(columns: pd.DataFrame) -> pd.Series:
    return columns["effect_size"] >= columns["effect_size_threshold"]


def column_drifted(columns: pd.DataFrame) -> pd.Series:
    """Significant and material (see the module docstring)."""
    return significant(columns) & material(columns)


# --- the weekend against the champion's training data ------------------------------------------------------------

def entry_rows(warehouse: Warehouse, where: str, params: list[object] | None = None) -> pd.DataFrame:
    """Pre-race features and predictions per driver-race (joined on the prediction rows)."""
    return read_frame(warehouse, f"""
        select p.race_id, p.season, p.round, p.driver_id, p.split,
               -- the result as the marts know it now: a weekend predicted before its race is judged after it
               coalesce(p.finish_position, f.label_finish_position) as finish_position,
               {", ".join(f"f.{c}" for c in MONITORED_FEATURES if c != "qualifying_position")},
               coalesce(f.qualifying_position, p.predicted_qualifying_position) as qualifying_position,
               {", ".join(f"p.{c}" for c in PREDICTION_COLUMNS)}
        from marts.predictions_race_entries as p
        join features.race_entry_features as f using (race_id, driver_id)
        where {where}
    """, params)


def reference_rows(warehouse: Warehouse) -> pd.DataFrame:
    """The rows the finish-position champion was trained on (its in-sample predictions included)."""
    return entry_rows(warehouse, "p.split = ?", [TRAIN_SPLIT])


def live_error_positions(rows: pd.DataFrame) -> float | None:
    """Mean absolute error of the predicted finishing position against the result (None before the race)."""
    finished = rows.dropna(subset=["finish_position"])
    if finished.empty:
        return None
    return float((finished["predicted_finish_position_mean"] - finished["finish_position"]).abs().mean())


@dataclass(frozen=True)
class Decision:
    race_key: str
    decided_at: datetime
    drift_share: float
    live_error_positions: float | None
    drift_share_threshold: float
    live_error_threshold_positions: float
    retrain: bool
    reason: str


def decide(race_key: str, drift_share: float, live_error: float | None, decided_at: datetime) -> Decision:
    reasons = []
    if drift_share >= DRIFT_SHARE_THRESHOLD:
        reasons.append(f"drift share {drift_share:.2f} >= {DRIFT_SHARE_THRESHOLD}")
    if live_error is not None and live_error > LIVE_ERROR_THRESHOLD_POSITIONS:
        reasons.append(f"live finish-position MAE {live_error:.2f} > {LIVE_ERROR_THRESHOLD_POSITIONS}")
    error = "no result yet" if live_error is None else f"live MAE {live_error:.2f}"
    reason = "; ".join(reasons) or f"within thresholds (drift share {drift_share:.2f}, {error})"
    return Decision(race_key, decided_at, drift_share, live_error, DRIFT_SHARE_THRESHOLD,
                    LIVE_ERROR_THRESHOLD_POSITIONS, retrain=bool(reasons), reason=reason)


@dataclass(frozen=True)
class WeekendDrift:
    result: DriftResult
    report: Snapshot  # save_html / json
    decision: Decision
    current_rows: int
    reference_rows: int

    def metrics_frame(self) -> pd.DataFrame:
        return self.result.columns.assign(reference_rows=self.reference_rows, current_rows=self.current_rows)

    def decision_frame(self) -> pd.DataFrame:
        return pd.DataFrame([asdict(self.decision)])


def weekend_drift(reference: pd.DataFrame, current: pd.DataFrame, race_key: str, decided_at: datetime) -> WeekendDrift:
    """Drift of one weekend's rows against the reference, its live error and the decision."""
    result = detect(reference, current, MONITORED_COLUMNS)
    decision = decide(race_key, result.drift_share, live_error_positions(current), decided_at)
    return WeekendDrift(result, report(reference, current, MONITORED_COLUMNS), decision, current_rows=len(current),
                        reference_rows=len(reference))


def decisions_after(warehouse: Warehouse, after: datetime | None) -> pd.DataFrame:
    """Decisions recorded after `after` (all when None), oldest first."""
    if not table_exists(warehouse, "marts", DECISIONS_TABLE):
        return pd.DataFrame(columns=[*Decision.__dataclass_fields__])
    return read_frame(warehouse, f"""
        select * from marts.{DECISIONS_TABLE} where ? is null or decided_at > ? order by decided_at, race_key
    """, [after, after])
