"""The tables Python writes into `marts` are declared once (dbt_project/models/marts/_python_marts.yml): every write
is cast to the declaration, and the built warehouse holds exactly the dbt marts and the declared tables."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from transforms.derived import Publisher, replace_races, replace_table
from transforms.exceptions import SchemaError
from transforms.schemas import arrow_type, conform_mart, python_marts
from transforms.settings import Settings
from transforms.warehouse import read_frame, writing

DBT_MARTS = Path(__file__).resolve().parents[2] / "dbt_project" / "models" / "marts"


def test_every_declared_column_has_a_type_and_a_description() -> None:
    import yaml  # type: ignore[import-untyped]

    (source,) = yaml.safe_load((DBT_MARTS / "_python_marts.yml").read_text())["sources"]
    assert source["schema"] == "marts"
    for table in source["tables"]:
        assert table.get("description"), table["name"]
        for column in table["columns"]:
            assert column.get("description"), f"{table['name']}.{column['name']}"
            arrow_type(column["data_type"])  # raises on a type the declaration cannot map
    assert len(python_marts()) == len(source["tables"]) == 18


def test_a_write_is_cast_to_the_declaration_or_refused_naming_the_columns() -> None:
    frame = pd.DataFrame({"race_key": ["2025-15"], "decided_at": [pd.Timestamp("2025-09-01 12:00")],
                          "drift_share": [0.25], "live_error_positions": [None], "drift_share_threshold": [0.5],
                          "live_error_threshold_positions": [3], "retrain": [False], "reason": ["no drift"]})
    table = conform_mart("drift_decisions", pa.Table.from_pandas(frame))
    assert table.schema == python_marts()["drift_decisions"]
    assert table.column("live_error_threshold_positions").type == pa.float64()  # an int column, declared double
    with pytest.raises(SchemaError, match=r"drift_decisions: columns missing \['reason'\], not declared \['why'\]"):
        conform_mart("drift_decisions", pa.Table.from_pandas(frame.rename(columns={"reason": "why"})))
    with pytest.raises(SchemaError, match="marts.lap_charts is not declared"):
        conform_mart("lap_charts", pa.Table.from_pandas(frame))
    assert conform_mart("drift_decisions", pa.table({})).schema == python_marts()["drift_decisions"]


def test_publishing_no_rows_leaves_a_typed_empty_table(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    with Publisher(settings) as publisher:
        publisher.publish("battle_forecast", pd.DataFrame(), race="2025-15")
    stored = read_frame(settings.warehouse, "select * from marts.battle_forecast")
    assert stored.empty and list(stored.columns) == python_marts()["battle_forecast"].names


def test_a_column_declared_after_the_table_was_built_is_added(tmp_path: Path) -> None:
    """A home built before `car_performance_scores.session_code` was declared keeps its rows; the new race has it."""
    settings = Settings(home=tmp_path)

    def scores(race_id: int, race: str) -> pd.DataFrame:
        return pd.DataFrame({"race_id": [race_id], "constructor_id": [6], "team_name": ["Ferrari"],
                             "session_code": ["Q"], "score_source": ["timing"], "area": ["overall"], "score": [100.0],
                             "relative_to_best_pct": [100.0], "lap_share": [1.0], "rank": [1], "laps_used": [2],
                             "race_key": [race]})

    with Publisher(settings) as publisher:
        publisher.publish("car_performance_scores", scores(1158, "2025-14"), race="2025-14")
    with writing(settings.warehouse, "as built before the column was declared") as con:
        con.execute("alter table marts.car_performance_scores drop column session_code")
    with Publisher(settings) as publisher:
        publisher.publish("car_performance_scores", scores(1159, "2025-15"), race="2025-15")
    stored = read_frame(settings.warehouse, "select race_key, session_code from marts.car_performance_scores "
                                            "order by race_key")
    assert stored.to_dict("list") == {"race_key": ["2025-14", "2025-15"], "session_code": [None, "Q"]}


def test_races_published_in_one_block_replace_only_their_rows_and_the_last_publish_wins(tmp_path: Path) -> None:
    """The block's race publishes are written as one delete and one insert: the same rows as race by race."""
    settings = Settings(home=tmp_path)

    def scores(race_id: int, race: str, score: float) -> pd.DataFrame:
        return pd.DataFrame({"race_id": [race_id], "constructor_id": [6], "team_name": ["Ferrari"],
                             "session_code": ["Q"], "score_source": ["timing"], "area": ["overall"], "score": [score],
                             "relative_to_best_pct": [100.0], "lap_share": [1.0], "rank": [1], "laps_used": [2]})

    with Publisher(settings) as publisher:
        publisher.publish("car_performance_scores", scores(1157, "2025-13", 1.0), race="2025-13")
        publisher.publish("car_performance_scores", scores(1158, "2025-14", 1.0), race="2025-14")
    with Publisher(settings) as publisher:
        publisher.publish("car_performance_scores", scores(1158, "2025-14", 2.0), race="2025-14")
        publisher.publish("drift_decisions", pd.DataFrame(), race="2025-14")
        publisher.publish("car_performance_scores", scores(1159, "2025-15", 2.0), race="2025-15")
        publisher.publish("car_performance_scores", scores(1158, "2025-14", 3.0), race="2025-14")
    stored = read_frame(settings.warehouse, "select race_key, score from marts.car_performance_scores order by 1")
    assert stored.to_dict("list") == {"race_key": ["2025-13", "2025-14", "2025-15"], "score": [1.0, 3.0, 2.0]}
    assert read_frame(settings.warehouse, "select count(*) as n from marts.drift_decisions")["n"].tolist() == [0]


def test_prediction_tables_have_their_lake_copy_too(tmp_path: Path) -> None:
    """ML predictions go through the same module: the warehouse table and, whole, its lake copy."""
    settings = Settings(home=tmp_path)
    copy = tmp_path / "lake" / "derived" / "predictions_pit_strategy" / "part-0.parquet"

    def strategy(race_id: int, stops: int) -> pd.DataFrame:
        return pd.DataFrame({"race_id": [race_id], "season": [2025], "driver_id": [1], "stop_count": [stops],
                             "mean_stop_lap": [20.0], "mean_stop_duration_s": [2.4], "strategy_cluster": [0],
                             "strategy_type": ["one stop"], "model_version": [3]})

    assert replace_table(settings.warehouse, "predictions_pit_strategy", strategy(1, 1)) == 1
    assert pq.read_table(copy).to_pydict()["race_id"] == [1]
    counts = replace_races(settings.warehouse, {"predictions_pit_strategy": strategy(2, 2)}, keep={1})
    stored = read_frame(settings.warehouse, "select race_id, stop_count from marts.predictions_pit_strategy "
                                            "order by race_id")
    assert counts == {"predictions_pit_strategy": 2} and stored.values.tolist() == [[1, 1], [2, 2]]
    lake_copy = pq.read_table(copy)
    assert lake_copy.schema == python_marts()["predictions_pit_strategy"]
    assert sorted(lake_copy.to_pydict()["stop_count"]) == [1, 2]


@pytest.mark.slow
def test_the_built_warehouse_holds_the_dbt_marts_and_the_declared_tables(built_home: Path) -> None:
    settings = Settings(home=built_home)
    stored = read_frame(settings.warehouse, "select table_name, column_name, data_type from "
                                            "information_schema.columns where table_schema = 'marts' "
                                            "order by table_name, ordinal_position")
    dbt_models = {p.stem for p in DBT_MARTS.glob("*.sql")}
    python = {t: g for t, g in stored.groupby("table_name") if t not in dbt_models}
    assert set(python) == set(python_marts())
    for table, columns in python.items():
        declared = python_marts()[table]
        assert list(columns["column_name"]) == declared.names, table
        assert [arrow_type(t) for t in columns["data_type"]] == declared.types, table
