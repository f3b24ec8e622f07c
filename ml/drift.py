"""Drift of a race weekend's pre-race features and predictions against the finish-position champion's training data
(Evidently 0.7), the live error of the weekend's predictions, and the retraining decision.

What is monitored: the per-driver pre-race inputs of the finish-position model that vary within a race, plus the
model's predictions. Per-race constants (circuit difficulty, SC rate, pit loss) are left out: one weekend is a single
value of each, which always looks like drift against a history of many circuits.

Per column the test is a two-sample test whose p-value accounts for the sample sizes (Kolmogorov–Smirnov for
numbers, chi-square for categories): a 20-driver weekend is a small sample and a distance measure (Wasserstein, the
Evidently default for large references) would flag sampling noise as drift.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd
from evidently import DataDefinition, Dataset, Report
from evidently.core.report import Snapshot
from evidently.presets import DataDriftPreset

from ml.warehouse import read_frame, table_exists

# --- the thresholds of the retraining decision (declared once; the report, the decision and the tests use these) --
COLUMN_P_VALUE = 0.05  # a column drifts when its two-sample test's p-value is below this
DRIFT_SHARE_THRESHOLD = 0.5  # retrain when at least this share of the monitored columns drift (Evidently's default)
# Retrain when the finish-position MAE of a finished race exceeds this many positions: the champion's validation MAE
# is ~3.3 positions (2025 races 4–15 range 1.9–5.4), so 5 is a weekend clearly worse than the model's usual error.
LIVE_ERROR_THRESHOLD_POSITIONS = 5.0

NUM_METHOD, CAT_METHOD = "ks", "chisquare"
MONITORED_FEATURES = [
    "qualifying_position", "quali_gap_to_pole_pct", "quali_gap_to_teammate_pct", "form_avg_finish_position",
    "form_avg_points", "form_dnf_rate", "form_avg_quali_gap_to_teammate_pct", "career_races_before",
    "constructor_avg_pace_deficit_pct", "constructor_last_race_pace_deficit_pct",
]
PREDICTION_COLUMNS = ["predicted_finish_position_mean", "predicted_finish_position_std"]
MONITORED_COLUMNS = [*MONITORED_FEATURES, *PREDICTION_COLUMNS]
TRAIN_SPLIT = "train"
DECISIONS_TABLE = "drift_decisions"
METRICS_TABLE = "drift_metrics"


@dataclass(frozen=True)
class DriftResult:
    drift_share: float  # share of the compared columns that drift
    columns: pd.DataFrame  # column, method, p_value_threshold, p_value, drifted
    snapshot: Snapshot  # the Evidently run: save_html / json

    @property
    def dataset_drift(self) -> bool:
        return self.drift_share >= DRIFT_SHARE_THRESHOLD


def detect(reference: pd.DataFrame, current: pd.DataFrame, numerical: Sequence[str],
           categorical: Sequence[str] = ()) -> DriftResult:
    """Evidently's DataDriftPreset over the given columns; columns without any value in `current` (e.g. qualifying
    before it has run) are left out."""
    numerical = [c for c in numerical if current[c].notna().any()]
    categorical = [c for c in categorical if current[c].notna().any()]
    definition = DataDefinition(numerical_columns=numerical, categorical_columns=list(categorical))
    preset = DataDriftPreset(columns=[*numerical, *categorical], drift_share=DRIFT_SHARE_THRESHOLD,
                             num_method=NUM_METHOD, cat_method=CAT_METHOD, threshold=COLUMN_P_VALUE)
    columns = [*numerical, *categorical]
    snapshot = Report([preset], include_tests=True).run(
        Dataset.from_pandas(current[columns], data_definition=definition),
        Dataset.from_pandas(reference[columns], data_definition=definition))
    return DriftResult(*_read_snapshot(snapshot), snapshot=snapshot)


def _read_snapshot(snapshot: Snapshot) -> tuple[float, pd.DataFrame]:
    """(drift share, per-column results) from the snapshot's JSON: ValueDrift metrics and their drift tests."""
    result = snapshot.dict()
    share = next(m["value"]["share"] for m in result["metrics"] if m["config"]["type"].endswith("DriftedColumnsCount"))
    failed = {t["metric_config"]["metric_id"]: t["status"] == "FAIL" for t in result["tests"]
              if t["metric_config"]["params"]["type"].endswith("ValueDrift")}
    rows = [{"column": m["config"]["column"], "method": m["config"]["method"],
             "p_value_threshold": float(m["config"]["threshold"]), "p_value": float(m["value"]),
             "drifted": failed[m["id"]]}
            for m in result["metrics"] if m["config"]["type"].endswith("ValueDrift")]
    return float(share), pd.DataFrame(rows)


# --- the weekend against the champion's training data ------------------------------------------------------------

def entry_rows(warehouse: Path, where: str, params: list[object] | None = None) -> pd.DataFrame:
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


def reference_rows(warehouse: Path) -> pd.DataFrame:
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
    return WeekendDrift(result, decision, current_rows=len(current), reference_rows=len(reference))


def decisions_after(warehouse: Path, after: datetime | None) -> pd.DataFrame:
    """Decisions recorded after `after` (all when None), oldest first."""
    if not table_exists(warehouse, "marts", DECISIONS_TABLE):
        return pd.DataFrame(columns=[*Decision.__dataclass_fields__])
    return read_frame(warehouse, f"""
        select * from marts.{DECISIONS_TABLE} where ? is null or decided_at > ? order by decided_at, race_key
    """, [after, after])
