"""Training and inference frames. Pre-race entry features come through Feast (point-in-time joins offline, the
online store for the next race); lap and battle rows are already point-in-time in their dbt marts."""

from __future__ import annotations

import pandas as pd

from ml import feature_store
from ml.paths import MlPaths
from ml.warehouse import read_frame

# Hybrid-era-ish history: older seasons add rows but describe a different sport (and slow every join down).
FIRST_TRAINING_SEASON = 2012
ENTITY_COLUMNS = ["race_id", "driver_id", "constructor_id", "circuit_id"]

# Feast references, pre-race only. The qualifying model must not see this race's qualifying (its own label).
PRE_QUALIFYING_FEATURES = [
    "driver_form:races_in_window", "driver_form:avg_finish_position", "driver_form:avg_points",
    "driver_form:dnf_rate", "driver_form:avg_quali_gap_to_teammate_pct", "driver_form:career_races_before",
    "constructor_pace:avg_pace_deficit_pct", "constructor_pace:last_race_pace_deficit_pct",
    "circuit_profile:overtaking_difficulty_index", "circuit_profile:sc_per_race",
    "race_entry:championship_points_before", "race_entry:championship_position_before",
    "race_entry:constructor_points_before", "race_entry:constructor_position_before",
    "race_entry:previous_finish_at_circuit",
]
# Before the race, qualifying is known; for the next race it comes from the qualifying model.
PRE_RACE_FEATURES = [*PRE_QUALIFYING_FEATURES, "race_entry:qualifying_position"]


def feature_name(reference: str) -> str:
    return reference.split(":", 1)[1]


def races(paths: MlPaths) -> pd.DataFrame:
    return read_frame(paths.warehouse, "select race_id, season, round, circuit_id, race_name, race_start_at, "
                                       "has_results, is_next_race from marts.dim_races order by race_start_at")


def next_race(paths: MlPaths) -> pd.Series:
    calendar = races(paths)
    return calendar[calendar["is_next_race"]].iloc[0]


def _entries(paths: MlPaths) -> pd.DataFrame:
    """Every entry since FIRST_TRAINING_SEASON (next race included) with its outcomes (null when not yet run)."""
    return read_frame(paths.warehouse, f"""
        select e.race_id, e.driver_id, e.constructor_id, e.circuit_id, e.season, e.round, e.is_next_race,
               e.race_start_at as event_timestamp,
               e.label_finish_position as finish_position, q.qualifying_position as actual_qualifying_position,
               r.grid
        from features.race_entry_features as e
        left join marts.fct_qualifying as q using (race_id, driver_id)
        left join marts.fct_results as r using (race_id, driver_id)
        where e.season >= {FIRST_TRAINING_SEASON}
    """)


def entry_frame(paths: MlPaths) -> pd.DataFrame:
    """Race entries with every pre-race feature from Feast's point-in-time join (offline store)."""
    entries = _entries(paths)
    entity_rows = entries[[*ENTITY_COLUMNS, "event_timestamp"]]
    joined = feature_store.historical_features(paths, entity_rows, PRE_RACE_FEATURES)
    joined["event_timestamp"] = joined["event_timestamp"].dt.tz_localize(None)
    return entries.merge(joined, on=[*ENTITY_COLUMNS, "event_timestamp"], how="inner")


def next_race_entries(paths: MlPaths) -> pd.DataFrame:
    """The next race's presumed entry list with its pre-race features read from the online store."""
    entries = _entries(paths)
    entries = entries[entries["is_next_race"]].reset_index(drop=True)
    rows = [{str(k): v for k, v in row.items()} for row in entries[ENTITY_COLUMNS].to_dict("records")]
    online = feature_store.online_features(paths, rows, PRE_RACE_FEATURES)
    return pd.concat([entries, online.drop(columns=ENTITY_COLUMNS)], axis=1)


def lap_frame(paths: MlPaths) -> pd.DataFrame:
    """Clean race laps with their pre-lap features plus pace references, none reading lap L or L-1: the race's pole
    time (pre-race); the field's median clean lap over laps L-6..L-2 and on lap L-2; the driver's mean
    fuel-corrected clean lap so far in the race / in the stint (up to L-2) and on lap L-2 of the stint."""
    return read_frame(paths.warehouse, """
        with pole as (
            select race_id, min(best_time_s) as pole_time_s from marts.fct_qualifying group by race_id
        ),
        clean as (
            select * from features.lap_features where label_is_clean_lap
        ),
        field_by_lap as (
            select race_id, lap_number, median(label_fuel_corrected_lap_time_s) as field_lap_s
            from clean group by race_id, lap_number
        ),
        field_recent as (
            select race_id, lap_number,
                   avg(field_lap_s) over (partition by race_id order by lap_number
                                          range between 6 preceding and 2 preceding) as field_recent_pace_s,
                   max(field_lap_s) over (partition by race_id order by lap_number
                                          range between 2 preceding and 2 preceding) as field_lap_before_last_s
            from field_by_lap
        )
        select
            clean.*,
            pole.pole_time_s,
            field_recent.field_recent_pace_s,
            field_recent.field_lap_before_last_s,
            avg(clean.label_fuel_corrected_lap_time_s) over (
                partition by clean.race_id, clean.driver_id order by clean.lap_number
                range between unbounded preceding and 2 preceding) as driver_race_pace_s,
            avg(clean.label_fuel_corrected_lap_time_s) over (
                partition by clean.race_id, clean.driver_id, clean.stint order by clean.lap_number
                range between unbounded preceding and 2 preceding) as driver_stint_pace_s,
            max(clean.label_fuel_corrected_lap_time_s) over (
                partition by clean.race_id, clean.driver_id, clean.stint order by clean.lap_number
                range between 2 preceding and 2 preceding) as driver_lap_before_last_s
        from clean
        left join pole using (race_id)
        left join field_recent using (race_id, lap_number)
        order by clean.race_id, clean.driver_id, clean.lap_number  -- a stable order: reproducible training
    """)


def battle_frame(paths: MlPaths) -> pd.DataFrame:
    """Battles whose label horizon lies inside the race (a label cut off by the flag is unknown, not 'no pass'),
    with the pre-race strength of the two cars relative to each other (qualifying, constructor pace) and the
    traffic around the pair at the end of the lap: the gap of the car ahead to its own car ahead (a DRS train
    defends better) and of the follower to the car behind it."""
    return read_frame(paths.warehouse, """
        with running_order as (
            select race_id, lap_number, position, lap_end_session_time_s
            from marts.fct_laps
            where position is not null
            qualify row_number() over (partition by race_id, lap_number, position
                                       order by lap_end_session_time_s) = 1
        )
        select
            battles.*,
            own.constructor_avg_pace_deficit_pct - ahead.constructor_avg_pace_deficit_pct
                as car_pace_deficit_vs_ahead_pct,
            own.qualifying_position - ahead.qualifying_position as quali_positions_behind_ahead,
            own.quali_gap_to_pole_pct - ahead.quali_gap_to_pole_pct as quali_gap_vs_ahead_pct,
            follower_line.lap_end_session_time_s - battles.gap_s - front_line.lap_end_session_time_s
                as ahead_gap_to_front_s,
            behind_line.lap_end_session_time_s - follower_line.lap_end_session_time_s as gap_to_car_behind_s
        from features.battle_features as battles
        left join features.race_entry_features as own
            on own.race_id = battles.race_id and own.driver_id = battles.driver_id
        left join features.race_entry_features as ahead
            on ahead.race_id = battles.race_id and ahead.driver_id = battles.ahead_driver_id
        left join running_order as follower_line
            on follower_line.race_id = battles.race_id and follower_line.lap_number = battles.lap_number
            and follower_line.position = battles.position
        left join running_order as front_line
            on front_line.race_id = battles.race_id and front_line.lap_number = battles.lap_number
            and front_line.position = battles.position - 2
        left join running_order as behind_line
            on behind_line.race_id = battles.race_id and behind_line.lap_number = battles.lap_number
            and behind_line.position = battles.position + 1
        where battles.label_horizon_complete
        order by battles.race_id, battles.lap_number, battles.driver_id
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
