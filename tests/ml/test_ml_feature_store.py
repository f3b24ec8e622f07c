"""Feast over the dbt feature marts: training sets are point-in-time correct, the online store serves the next race."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest
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


def _revise_latest_row_of_an_old_circuit(paths: MlPaths) -> pd.Timestamp:
    """A revised result years back: the profile row of the circuit whose latest row is the oldest since 2015 (a
    returning circuit's row) gets another overtaking index; returns that row's timestamp."""
    source = paths.feature_data_dir / "circuit_profile.parquet"
    with duckdb.connect() as con:
        circuit_id, start = con.execute(f"""
            select circuit_id, max(race_start_at) as latest from read_parquet('{source}') group by circuit_id
            having latest >= '2015-01-01' order by latest limit 1""").fetchone()  # type: ignore[misc]
        revised = source.with_suffix(".revised")
        con.execute(f"""copy (select * replace (overtaking_difficulty_index + case when circuit_id = $circuit
                                and race_start_at = $start then 1 else 0 end as overtaking_difficulty_index)
                              from read_parquet('{source}')) to '{revised}' (format parquet)""",
                    {"circuit": circuit_id, "start": start})
    revised.replace(source)
    return pd.Timestamp(start)


def _online_rows(paths: MlPaths) -> dict[str, pd.DataFrame]:
    """Online features per view of the entities with a row since 2015 (race entries: 2025's), in key order."""
    frames = {}
    for view in feature_store.open_store(paths).list_feature_views():  # registered: with their join keys
        rows = feature_store.view_rows(view)
        source = duckdb.sql(f"select distinct {', '.join(rows.keys)} from read_parquet('{rows.source}') "
                            f"where season >= {2025 if view.name == 'race_entry' else 2015}").df()
        online = feature_store.online_features(paths, [{str(k): v for k, v in r.items()}
                                                       for r in source.to_dict("records")],
                                               [f"{view.name}:{f.name}" for f in view.features])
        frames[view.name] = online.sort_values(rows.keys).reset_index(drop=True)
    return frames


def test_a_load_from_the_earliest_changed_row_leaves_what_a_load_from_1950_does(
        ml_paths: MlPaths, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A race weekend's load (the next race moves on, an old circuit row is revised) starts at the earliest row
    that changed, per view, and the online store then equals one loaded from 1950 on the same data."""
    before, after = (_race_start(ml_paths, race).to_pydatetime() for race in (DUTCH_GP_2025, ITALIAN_GP_2025))
    weekend, full = (MlPaths(tmp_path / name, ml_paths.warehouse) for name in ("weekend", "full"))
    for paths in (weekend, full):
        feature_store.export_feature_marts(paths)
        feature_store.apply(paths)
    feature_store.materialise(weekend, before)
    revised_at = {paths.home: _revise_latest_row_of_an_old_circuit(paths) for paths in (weekend, full)}[weekend.home]
    capsys.readouterr()
    feature_store.materialise(weekend, after)
    loads = re.sub(r"\x1b\[[0-9;]*m", "", capsys.readouterr().out)  # Feast colours its lines
    feature_store.materialise(full, after)

    assert f"from {revised_at}" in loads  # circuit_profile: from the revised row, years back
    assert f"from {pd.Timestamp(after)}" in loads and "from 1950" not in loads  # the others: the new rows only
    weekend_rows, full_rows = _online_rows(weekend), _online_rows(full)
    assert weekend_rows.keys() == full_rows.keys() and len(weekend_rows) == len(feature_store.FEATURE_MARTS)
    for view, rows in full_rows.items():
        pd.testing.assert_frame_equal(weekend_rows[view], rows, obj=view)
