"""The warehouse DuckLake itself, on small tables: tagged snapshots, atomic blocks, concurrent writer processes,
upkeep, and the errors a misconfigured catalog gives."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from transforms import warehouse
from transforms.exceptions import WarehouseUnavailableError
from transforms.warehouse import Warehouse, read_frame, reading, writing

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture()
def lake(tmp_path: Path) -> Warehouse:
    return Warehouse.at(tmp_path)


def test_each_write_is_one_snapshot_tagged_with_what_wrote_it(lake: Warehouse) -> None:
    warehouse.set_commit_tags(run_id="run-1")
    try:
        with writing(lake, "publish marts.t", race_key="2025-15") as con:
            con.execute("create schema marts")
            con.execute("create table marts.t as select range as id from range(3)")
            con.execute("insert into marts.t values (3)")
    finally:
        warehouse.set_commit_tags()
    last = read_frame(lake, "select commit_message, commit_extra_info from lake.snapshots() order by snapshot_id desc "
                            "limit 1").iloc[0]
    assert last["commit_message"] == "publish marts.t"
    assert json.loads(last["commit_extra_info"]) == {"race_key": "2025-15", "run_id": "run-1"}
    assert read_frame(lake, "select count(*) as n from marts.t")["n"].item() == 4


def test_a_failed_block_leaves_nothing_behind(lake: Warehouse) -> None:
    with writing(lake) as con:
        con.execute("create table t as select 1 as id")
    snapshots = warehouse.current_snapshot(lake)
    with pytest.raises(ZeroDivisionError), writing(lake) as con:
        con.execute("delete from t")
        con.execute("insert into t values (2)")
        _ = 1 / 0
    assert warehouse.current_snapshot(lake) == snapshots
    assert read_frame(lake, "select id from t")["id"].tolist() == [1]


WRITER = """
import sys
from pathlib import Path
from transforms.warehouse import Warehouse, writing
lake = Warehouse.at(Path(sys.argv[1]))
for i in range(15):
    with writing(lake, f"writer {sys.argv[2]}") as con:
        con.execute("insert into t select ?, range from range(100)", [sys.argv[2]])
"""


def test_two_processes_write_at_once(lake: Warehouse, tmp_path: Path) -> None:
    """A SQLite catalog takes one committer at a time; the write lock makes concurrent writers queue, not fail."""
    with writing(lake) as con:
        con.execute("create table t (writer varchar, i bigint)")
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), name], cwd=REPO, stderr=subprocess.PIPE,
                                text=True) for name in ("a", "b")]
    errors = [w.communicate(timeout=120)[1] for w in writers]
    assert [w.returncode for w in writers] == [0, 0], errors
    counts = read_frame(lake, "select writer, count(*) as n from t group by writer order by writer")
    assert counts["n"].tolist() == [1500, 1500]


def test_upkeep_keeps_the_snapshots_history_needs(lake: Warehouse) -> None:
    with writing(lake) as con:
        warehouse.create_landings_table(con)
        con.execute("create table t as select 1 as version")
    kept = warehouse.current_snapshot(lake)
    with writing(lake) as con:
        con.execute(f"insert into {warehouse.LANDINGS_TABLE} values ('2025-15', 1159, 2025, 15, ?, now())", [kept])
    for version in (2, 3, 4):
        with writing(lake) as con:
            con.execute("create or replace table t as select ? as version", [version])
    outcome = warehouse.maintain(lake, keep=timedelta(0), grace=timedelta(0))
    assert outcome["snapshots_kept_for_history"] == 1 and outcome["snapshots_expired"] >= 4
    assert warehouse.maintain(lake, keep=timedelta(0), grace=timedelta(0))["snapshots_expired"] == 0
    with reading(lake) as con:
        assert con.execute(f"select version from t at (version => {kept})").fetchall() == [(1,)]
        assert con.execute("select version from t").fetchall() == [(4,)]


@pytest.mark.parametrize(("catalog", "expected"), [
    ("mysql:db=x", "expected 'sqlite:<file>' or 'postgres:"),
    ("postgres:dbname=undercut host=127.0.0.1 port=9 user=undercut password=hunter2 connect_timeout=2",
     "cannot open the warehouse catalog"),
])
def test_a_bad_catalog_setting_is_named_in_one_line(tmp_path: Path, catalog: str, expected: str) -> None:
    lake = Warehouse.at(tmp_path, catalog=catalog)
    with pytest.raises(WarehouseUnavailableError) as failure:
        read_frame(lake, "select 1")
    message = str(failure.value)
    assert message.startswith("UNDERCUT_WAREHOUSE_CATALOG") and expected in message, message
    assert "hunter2" not in message and "\n" not in message
    assert not any(tmp_path.iterdir())  # nothing written


def test_a_missing_extension_names_its_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "duckdb_extension_ducklake", None)  # as if the wheel were not installed
    with pytest.raises(WarehouseUnavailableError, match=r"duckdb-extension-ducklake==1\.5\.5; run `make setup`"):
        read_frame(Warehouse.at(tmp_path), "select 1")


def test_undercut_sql_without_a_warehouse_says_so(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "orchestration.cli", "sql", "select 1"], cwd=REPO, text=True,
                          capture_output=True, env={"UNDERCUT_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f"undercut sql: UNDERCUT_WAREHOUSE_CATALOG=sqlite:{tmp_path}/warehouse.sqlite: no warehouse there yet; build "
        "it with `undercut run` or point UNDERCUT_HOME at the home that has it"]
