"""The warehouse as analysts meet it on a race weekend (the session's built home: `undercut run` without the 2025
Dutch GP, then `undercut refresh` with it while tests/warehouse_reader.py kept querying)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from transforms.warehouse import Warehouse, read_frame, reading, snapshot_before_race

README = Path(__file__).resolve().parents[2] / "dbt_project" / "README.md"
TIME_TRAVEL = next(q for q in re.findall(r"```sql\n(.*?)```", README.read_text(), re.S) if "ops.race_landings" in q)

DUTCH_GP, DUTCH_GP_ID, ITALIAN_GP_ID = "2025-15", 1159, 1160


@pytest.fixture(scope="module")
def reader_log(built_home: Path) -> list[dict]:
    log = built_home / "reader.jsonl"
    if not log.exists():
        pytest.skip("this home was not built by the built_home fixture (UNDERCUT_TEST_HOME)")
    return [json.loads(line) for line in log.read_text().splitlines()]


@pytest.mark.slow
def test_a_reader_sees_whole_snapshots_while_the_refresh_commits(built_home: Path, reader_log: list[dict]) -> None:
    errors = [line["error"] for line in reader_log if "error" in line]
    assert not errors, errors[:3]
    assert len(reader_log) > 20  # it kept querying through the refresh
    warehouse = Warehouse.at(built_home)
    seen: dict[int, list] = {line["snapshot"]: line["state"] for line in reader_log}
    with reading(warehouse) as con:
        for snapshot, state in seen.items():  # what each query saw is exactly that snapshot's table
            rows, races, points = con.execute(
                f"select count(*), count(distinct race_id), coalesce(sum(points), 0) "
                f"from marts.fct_results at (version => {snapshot})").fetchone()  # type: ignore[misc]
            assert [rows, races, float(points)] == state, snapshot
    states = {tuple(state) for state in seen.values()}
    races_seen = sorted({races for _, races, _ in states})
    # before the race landed, and after: one race more (the Dutch GP), never something in between
    assert len(races_seen) == 2 and races_seen[1] == races_seen[0] + 1, states


@pytest.mark.slow
def test_pre_race_predictions_are_queryable_after_the_result_landed(built_home: Path, reader_log: list[dict]) -> None:
    warehouse = Warehouse.at(built_home)
    before = snapshot_before_race(warehouse, DUTCH_GP)
    # The README's query: the predictions as they stood before the Dutch GP's data landed...
    then = read_frame(warehouse, "select driver_id, predicted_finish_rank from marts.predictions_race_entries "
                                 f"at (version => {before}) where race_id = ? and split = 'next'", [DUTCH_GP_ID])
    # ...against what happened, and what the table says now (the next race is Monza)
    result = read_frame(warehouse, "select driver_id, position from marts.fct_results where race_id = ?",
                        [DUTCH_GP_ID])
    now = read_frame(warehouse, "select race_id, split from marts.predictions_race_entries "
                                "where split = 'next' or race_id = ?", [DUTCH_GP_ID])
    assert len(then) == 20 and sorted(then["predicted_finish_rank"]) == list(range(1, 21))
    assert len(result) == 20 and set(then["driver_id"]) == set(result["driver_id"])
    # now: Monza is the next race; the Dutch GP is a backtest row like any finished race
    assert set(now.loc[now["split"] == "next", "race_id"]) == {ITALIAN_GP_ID}
    assert set(now.loc[now["race_id"] == DUTCH_GP_ID, "split"]) <= {"train", "valid"}
    # the README's example returns the same pre-race order, with the finishing positions beside it
    readme = read_frame(warehouse, TIME_TRAVEL)
    assert readme["predicted_finish_rank"].tolist() == list(range(1, 21)) and readme["finished"].notna().all()
    landed = read_frame(warehouse, "select race_key, snapshot_before from ops.race_landings where season = 2025 "
                                   "order by round")
    # every race landed with the first build except the Dutch GP, which landed later with the refresh
    assert landed["race_key"].iloc[-1] == DUTCH_GP and landed["snapshot_before"].iloc[-1] > landed[
        "snapshot_before"].iloc[0]
