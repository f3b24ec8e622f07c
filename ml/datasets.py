"""Training and inference frames. Pre-race entry features come through Feast (point-in-time joins offline, the
online store for the next race); lap and battle rows are already point-in-time in their dbt marts."""

from __future__ import annotations

import pandas as pd

from ml import feature_store
from ml.paths import MlPaths
from transforms.warehouse import Warehouse, read_frame

# Hybrid-era-ish history: older seasons add rows but describe a different sport (and slow every join down).
FIRST_TRAINING_SEASON = 2012
ENTITY_COLUMNS = ["race_id", "driver_id", "constructor_id", "circuit_id"]

# Feast references, pre-race only. The qualifying model must not see this race's qualifying (its own label).
PRE_QUALIFYING_FEATURES = [
    "driver_form:avg_quali_gap_to_teammate_pct", "driver_form:career_races_before",
    "constructor_pace:last_race_pace_deficit_pct",
    "circuit_profile:overtaking_difficulty_index", "circuit_profile:sc_per_race",
    "race_entry:championship_points_before", "race_entry:championship_position_before",
    "race_entry:constructor_points_before", "race_entry:constructor_position_before",
    "race_entry:previous_finish_at_circuit",
    # recency-weighted over a longer history (recency_form): they replaced driver_form's and constructor_pace's
    # 5-race means (walk-forward 2023-2024, ml/README.md), with the team-mate comparison and the car's pace trend
    "race_entry:form_ew_finish_position", "race_entry:form_ew_points", "race_entry:form_ew_finish_vs_teammates",
    "race_entry:constructor_ew_pace_deficit_pct", "race_entry:constructor_pace_trend_pct",
]
# Before the race, qualifying is known; for the next race it comes from the qualifying model.
# Known only once qualifying (and the grid) exist: NaN (XGBoost's missing value) before; the position alone is
# predicted by the qualifying model for the next race.
POST_QUALIFYING_FEATURES = ["race_entry:quali_gap_to_pole_pct", "race_entry:quali_gap_to_teammate_pct",
                            "race_entry:grid_drop_places"]
PRE_RACE_FEATURES = [*PRE_QUALIFYING_FEATURES, "race_entry:qualifying_position", *POST_QUALIFYING_FEATURES]


# features.race_entry_features carries every Feast feature above, under its mart's prefix where it has one: the same
# pre-race rows the point-in-time join returns (checked equal on a built home: tests/ml/test_walk_forward.py).
MART_COLUMN_OF_FEATURE = {
    "avg_quali_gap_to_teammate_pct": "form_avg_quali_gap_to_teammate_pct",
    "last_race_pace_deficit_pct": "constructor_last_race_pace_deficit_pct",
    "overtaking_difficulty_index": "circuit_overtaking_difficulty_index", "sc_per_race": "circuit_sc_per_race",
}


def feature_name(reference: str) -> str:
    return reference.split(":", 1)[1]


def races(paths: MlPaths) -> pd.DataFrame:
    return read_frame(paths.warehouse, "select race_id, season, round, circuit_id, race_name, race_start_at, "
                                       "has_results, is_next_race from marts.dim_races order by race_start_at")


def next_race(paths: MlPaths) -> pd.Series:
    calendar = races(paths)
    return calendar[calendar["is_next_race"]].iloc[0]


def _entries(warehouse: Warehouse, extra_columns: str = "") -> pd.DataFrame:
    """Every entry since FIRST_TRAINING_SEASON (next race included) with its outcomes (null when not yet run)."""
    return read_frame(warehouse, f"""
        select e.race_id, e.driver_id, e.constructor_id, e.circuit_id, e.season, e.round, e.is_next_race,
               e.race_start_at as event_timestamp,
               e.label_finish_position as finish_position, q.qualifying_position as actual_qualifying_position,
               r.grid {extra_columns}
        from features.race_entry_features as e
        left join marts.fct_qualifying as q using (race_id, driver_id)
        left join marts.fct_results as r using (race_id, driver_id)
        where e.season >= {FIRST_TRAINING_SEASON}
        order by e.race_id, e.driver_id  -- a stable order: XGBoost's row subsampling draws by position
    """)


def entry_frame(paths: MlPaths) -> pd.DataFrame:
    """Race entries with every pre-race feature from Feast's point-in-time join (offline store)."""
    entries = _entries(paths.warehouse)
    entity_rows = entries[[*ENTITY_COLUMNS, "event_timestamp"]]
    joined = feature_store.historical_features(paths, entity_rows, PRE_RACE_FEATURES)
    joined["event_timestamp"] = joined["event_timestamp"].dt.tz_localize(None)
    return entries.merge(joined, on=[*ENTITY_COLUMNS, "event_timestamp"], how="inner")


def entry_frame_from_marts(warehouse: Warehouse) -> pd.DataFrame:
    """entry_frame's rows and columns read straight from features.race_entry_features (no Feast store needed; one
    read for a whole walk-forward pass), plus `last_input_race_start_at` (the newest race the row read from)."""
    columns = [MART_COLUMN_OF_FEATURE.get(f, f) + f" as {f}" for f in map(feature_name, PRE_RACE_FEATURES)]
    entries = _entries(warehouse, ", " + ", ".join(f"e.{c}" for c in [*columns, "last_input_race_start_at"]))
    return entries[~entries["is_next_race"]].reset_index(drop=True)


def next_race_entries(paths: MlPaths) -> pd.DataFrame:
    """The next race's presumed entry list with its pre-race features read from the online store."""
    entries = _entries(paths.warehouse)
    entries = entries[entries["is_next_race"]].reset_index(drop=True)
    rows = [{str(k): v for k, v in row.items()} for row in entries[ENTITY_COLUMNS].to_dict("records")]
    online = feature_store.online_features(paths, rows, PRE_RACE_FEATURES)
    return pd.concat([entries, online.drop(columns=ENTITY_COLUMNS)], axis=1)


def lap_frame(warehouse: Warehouse) -> pd.DataFrame:
    """Clean race laps: pre-lap features (features.lap_features) with the race's pace up to lap L-2
    (features.lap_pace_features); nothing reads lap L's or lap L-1's time."""
    return read_frame(warehouse, """
        select laps.*, pace.* exclude (race_id, driver_id, lap_number)
        from features.lap_features as laps
        inner join features.lap_pace_features as pace using (race_id, driver_id, lap_number)
        where laps.label_is_clean_lap
        order by laps.race_id, laps.driver_id, laps.lap_number  -- a stable order: reproducible training
    """)


def battle_frame(warehouse: Warehouse, complete_horizon_only: bool = True) -> pd.DataFrame:
    """Battles with their context (features.battle_features). For training, only battles whose label horizon lies
    inside the race (a label cut off by the flag is unknown, not 'no pass')."""
    where = "where label_horizon_complete" if complete_horizon_only else ""
    return read_frame(warehouse, f"""
        select * from features.battle_features {where} order by race_id, lap_number, driver_id
    """)


def pit_strategy_frame(paths: MlPaths) -> pd.DataFrame:
    """Per driver-race stop count, mean stop lap and mean stop duration (stops longer than a red-flag wait dropped)."""
    return read_frame(paths.warehouse, """
        select race_id, season, driver_id, count(*) as stop_count, avg(lap) as mean_stop_lap,
               avg(pit_duration_s) as mean_stop_duration_s
        from marts.fct_pit_stops
        where pit_duration_s < 120
        group by race_id, season, driver_id
        order by race_id, driver_id
    """)
