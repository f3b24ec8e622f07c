"""Feast over the dbt feature marts: training sets are point-in-time correct, the online store serves the next race."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
from pg_server import PgServer

from ml import datasets, feature_store
from ml.paths import MlPaths
from transforms.warehouse import read_frame

DUTCH_GP_2025 = 1159
ITALIAN_GP_2025 = 1160
VERSTAPPEN = 830
FORM = ["driver_form:career_races_before", "driver_form:avg_finish_position"]


def _race_start(paths: MlPaths, race_id: int) -> pd.Timestamp:
    races = datasets.races(paths)
    return pd.Timestamp(races.loc[races["race_id"] == race_id, "race_start_at"].iloc[0])


def test_historical_join_takes_the_row_valid_at_each_timestamp(ml_paths: MlPaths) -> None:
    start = _race_start(ml_paths, DUTCH_GP_2025)
    entity_rows = pd.DataFrame({"driver_id": [VERSTAPPEN] * 2,
                                "event_timestamp": [start - pd.Timedelta(minutes=1), start]})
    joined = feature_store.historical_features(ml_paths, entity_rows, FORM)
    before, at_start = joined.sort_values("event_timestamp")["career_races_before"].tolist()
    assert at_start == before + 1  # a minute before the start, the previous race's pre-race row is the latest


def test_pre_race_form_never_reads_the_race_itself(ml_paths: MlPaths) -> None:
    """The joined form of a race equals the mean result of the driver's five races *before* it (not incl. it)."""
    start = _race_start(ml_paths, DUTCH_GP_2025)
    joined = feature_store.historical_features(
        ml_paths, pd.DataFrame({"driver_id": [VERSTAPPEN], "event_timestamp": [start]}), FORM)
    previous_five = read_frame(ml_paths.warehouse, """
        select avg(position_order) from (
            select r.position_order from marts.fct_results as r inner join marts.dim_races as d using (race_id)
            where r.driver_id = ? and d.race_start_at < ? order by d.race_start_at desc limit 5)
    """, [VERSTAPPEN, start.to_pydatetime()]).iloc[0, 0]
    assert joined["avg_finish_position"].iloc[0] == previous_five


def test_training_set_rows_match_their_own_races_pre_race_rows(entries: pd.DataFrame, ml_paths: MlPaths) -> None:
    """Every training row carries the feature row of its own race (Feast returns rows unordered: joined by key)."""
    marts = read_frame(ml_paths.warehouse, "select race_id, driver_id, career_races_before as expected "
                                           "from features.driver_form")
    checked = entries.merge(marts, on=["race_id", "driver_id"], how="inner")
    assert len(checked) == len(entries) > 5000
    assert (checked["career_races_before"] == checked["expected"]).all()
    labelled = entries[entries["finish_position"].notna()]
    assert not labelled["race_id"].isin([ITALIAN_GP_2025]).any()  # the next race has no outcome yet


def test_online_store_serves_the_next_race(online_paths: MlPaths) -> None:
    upcoming = datasets.next_race_entries(online_paths)
    assert set(upcoming["race_id"]) == {ITALIAN_GP_2025} and len(upcoming) == 20
    verstappen = upcoming[upcoming["driver_id"] == VERSTAPPEN].iloc[0]
    assert verstappen["championship_points_before"] > 0 and pd.isna(verstappen["qualifying_position"])


def test_registry_and_online_store_on_postgres(online_paths: MlPaths, postgres: PgServer, tmp_path: Path) -> None:
    """Several machines share Feast through PostgreSQL (SQL registry, online store): it serves what SQLite does."""
    postgres.create_database("feast")
    shared = MlPaths(tmp_path, online_paths.warehouse, feast_postgres_url=(
        f"postgresql://{postgres.user}:{postgres.password}@{postgres.host}:{postgres.port}/feast?sslmode=disable"))
    feature_store.export_feature_marts(shared)
    assert "driver_form" in feature_store.apply(shared)
    feature_store.materialise(shared, datetime.fromisoformat(str(datasets.next_race(shared)["race_start_at"])))
    assert not (tmp_path / "feast" / "registry.db").exists() and not (tmp_path / "feast" / "online_store.db").exists()
    pd.testing.assert_frame_equal(datasets.next_race_entries(shared), datasets.next_race_entries(online_paths))
