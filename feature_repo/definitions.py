"""Feast definitions for undercut: entities and feature views over the dbt feature marts.

Definitions only (`feast apply` imports every .py here). Sources are the Parquet exports of schema `features` that
`ml.feature_store.export_feature_marts` writes under $UNDERCUT_HOME/feast/data, by absolute path (the DuckDB offline
store needs it). Every row is the state *before* the race at `race_start_at`, so that column is the event timestamp:
a point-in-time join at a race's start picks that race's pre-race row, never a later one.
"""

from datetime import timedelta

from feast import Entity, FeatureView, Field, FileSource, ValueType
from feast.types import Float64, Int32, Int64

from ml.paths import MlPaths

DATA_DIR = MlPaths.from_settings().feature_data_dir
# Longest gap a pre-race row stays valid for: covers a winter break and a driver's season out.
ROW_TTL = timedelta(days=400)

driver = Entity(name="driver", join_keys=["driver_id"], value_type=ValueType.INT64, description="Ergast driverId")
constructor = Entity(name="constructor", join_keys=["constructor_id"], value_type=ValueType.INT64,
                     description="Ergast constructorId")
circuit = Entity(name="circuit", join_keys=["circuit_id"], value_type=ValueType.INT64, description="Ergast circuitId")
race = Entity(name="race", join_keys=["race_id"], value_type=ValueType.INT64, description="Ergast raceId")


def _source(mart: str) -> FileSource:
    return FileSource(name=f"{mart}_source", path=str(DATA_DIR / f"{mart}.parquet"), timestamp_field="race_start_at")


driver_form = FeatureView(
    name="driver_form",
    entities=[driver],
    ttl=ROW_TTL,
    source=_source("driver_form"),
    schema=[
        Field(name="races_in_window", dtype=Int64),
        Field(name="avg_finish_position", dtype=Float64),
        Field(name="avg_points", dtype=Float64),
        Field(name="dnf_rate", dtype=Float64),
        Field(name="avg_quali_gap_to_teammate_pct", dtype=Float64),
        Field(name="career_races_before", dtype=Int64),
    ],
    description="Rolling pre-race form over the driver's previous races (features.driver_form)",
)

constructor_pace = FeatureView(
    name="constructor_pace",
    entities=[constructor],
    ttl=ROW_TTL,
    source=_source("constructor_pace"),
    schema=[
        Field(name="avg_pace_deficit_pct", dtype=Float64),
        Field(name="avg_pace_deficit_s", dtype=Float64),
        Field(name="last_race_pace_deficit_pct", dtype=Float64),
        Field(name="pace_races_in_window", dtype=Int64),
    ],
    description="Race-pace deficit to the fastest car over the constructor's recent races (features.constructor_pace)",
)

circuit_profile = FeatureView(
    name="circuit_profile",
    entities=[circuit],
    ttl=ROW_TTL * 3,  # some circuits skip years (e.g. Imola, Istanbul)
    source=_source("circuit_profile"),
    schema=[
        Field(name="editions_in_window", dtype=Int64),
        Field(name="overtaking_difficulty_index", dtype=Float64),
        Field(name="on_track_overtakes_per_race", dtype=Float64),
        Field(name="pit_loss_green_s", dtype=Float64),
        Field(name="sc_per_race", dtype=Float64),
        Field(name="sc_race_share", dtype=Float64),
        Field(name="vsc_per_race", dtype=Float64),
        Field(name="red_flag_race_share", dtype=Float64),
        Field(name="deg_soft_s_per_lap", dtype=Float64),
        Field(name="deg_medium_s_per_lap", dtype=Float64),
        Field(name="deg_hard_s_per_lap", dtype=Float64),
    ],
    description="The circuit as known from its previous editions (features.circuit_profile)",
)

race_entry = FeatureView(
    name="race_entry",
    entities=[race, driver],
    ttl=ROW_TTL,
    source=_source("race_entry_features"),
    # pre-race facts of this entry only: the label_* columns stay out of the feature store
    schema=[
        Field(name="qualifying_position", dtype=Int32),
        Field(name="quali_gap_to_pole_pct", dtype=Float64),
        Field(name="quali_gap_to_teammate_pct", dtype=Float64),
        Field(name="championship_points_before", dtype=Float64),
        Field(name="championship_position_before", dtype=Int32),
        Field(name="constructor_points_before", dtype=Float64),
        Field(name="constructor_position_before", dtype=Int32),
        Field(name="previous_finish_at_circuit", dtype=Int32),
        Field(name="grid_drop_places", dtype=Int32),
        Field(name="form_ew_finish_position", dtype=Float64),
        Field(name="form_ew_points", dtype=Float64),
        Field(name="form_ew_finish_vs_teammates", dtype=Float64),
        Field(name="driver_incident_dnf_rate", dtype=Float64),
        Field(name="constructor_mechanical_dnf_rate", dtype=Float64),
        Field(name="constructor_ew_pace_deficit_pct", dtype=Float64),
        Field(name="constructor_pace_trend_pct", dtype=Float64),
    ],
    description="Qualifying, grid drop, championship standing and recency-weighted form before the race "
                "(features.race_entry_features)",
)
