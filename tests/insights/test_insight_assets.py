"""The insight assets materialise a race partition into marts and the lake (on a copy of the built warehouse)."""

from __future__ import annotations

from pathlib import Path

import pytest
from dagster import DagsterInstance, materialize
from home_copies import copy_warehouse

from insights.runner import run_time_lost
from orchestration.defs.insights.assets import insight_assets
from orchestration.defs.races.partitions import race_partitions
from orchestration.defs.resources import UndercutResource
from transforms.warehouse import Warehouse, reading, table_exists, writing


@pytest.fixture()
def resource(built_home: Path, tmp_path: Path) -> UndercutResource:
    with writing(copy_warehouse(built_home, tmp_path)) as con:
        for table in ("time_lost", "race_stories", "battle_forecast"):
            con.execute(f"drop table if exists marts.{table}")
    return UndercutResource(home=str(tmp_path), source_kind="archive", archive_dir=None,
                            lake_uri=str(tmp_path / "lake"), jolpica_url="http://127.0.0.1:9")


def test_monaco_partition(resource: UndercutResource) -> None:
    home = Path(resource.home)
    assets = insight_assets if table_exists(Warehouse.at(home), "marts", "predictions_overtakes") \
        else insight_assets[:2]
    with DagsterInstance.ephemeral() as instance:
        instance.add_dynamic_partitions(race_partitions.name or "race", ["2024-08"])
        result = materialize(assets, partition_key="2024-08", instance=instance, resources={"undercut": resource})
    assert result.success
    with reading(Warehouse.at(home)) as con:
        assert con.execute("select distinct race_key from marts.time_lost").fetchall() == [("2024-08",)]
        red = con.execute("select text from marts.race_stories where kind = 'red_period' and language = 'es' "
                          "and tone = 'neutral' and length = 'short'").fetchall()
    assert red == [("Bandera roja en la vuelta 1.",)]
    assert (home / "lake" / "derived" / "race_stories" / "race=2024-08" / "part-0.parquet").exists()


def test_next_race_is_skipped(resource: UndercutResource) -> None:
    run = run_time_lost(resource.settings, ["2025-16"])
    assert run.skipped == ["2025-16"] and run.rows == {}
    assert not table_exists(Warehouse.at(Path(resource.home)), "marts", "time_lost")
