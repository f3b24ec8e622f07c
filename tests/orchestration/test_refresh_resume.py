"""A refresh that was killed (kill -9) or failed is finished by the next one, and a revised result re-runs only
what it touches. "Finished" means: every marts and features table equals the uninterrupted refresh of the same
archive (`built_home`; row counts and order-independent checksums), and a further refresh has nothing to do."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from home_copies import checksums, copy_home, differing
from undercut_cli import REPO, forget_settled, undercut, undercut_env

from transforms.warehouse import Warehouse, read_frame, snapshot_before_race

pytestmark = pytest.mark.slow

# What the refresh logs as it enters each phase (orchestration.main_run), and how long to let it work before kill -9.
PHASES = {"weekend ingest": ("weekend_job: running", 2.0), "dbt": ("dbt_job: running", 30.0),
          "race partitions": ("race_job: running", 8.0)}
# Recorded when they were computed (decided_at): equal only by chance between two refreshes.
VOLATILE = {"marts.drift_decisions", "marts.model_gate_decisions"}


def _kill_during(home: Path, archive: Path, marker: str, after_s: float, log: Path) -> None:
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "orchestration.cli", "refresh"], env=undercut_env(home, archive),
                                cwd=REPO, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 900
    while marker not in log.read_text():
        assert proc.poll() is None, f"the refresh ended before {marker!r}:\n{log.read_text()[-3000:]}"
        assert time.monotonic() < deadline, f"no {marker!r} within 15 min"
        time.sleep(0.5)
    time.sleep(after_s)
    assert proc.poll() is None, f"the refresh ended before the kill:\n{log.read_text()[-3000:]}"
    os.killpg(proc.pid, signal.SIGKILL)  # the refresh and its dbt child, as an OOM killer or a power cut would
    proc.wait()


def _same_marts(home: Path, reference: Path) -> None:
    got, want = checksums(Warehouse.at(home)), checksums(Warehouse.at(reference))
    assert got.keys() == want.keys()
    assert not {t: d for t, d in differing(got, want).items() if t not in VOLATILE}


@pytest.mark.parametrize("phase", PHASES)
def test_a_killed_refresh_is_finished_by_the_next(phase: str, home_before_race: Path, built_home: Path,
                                                  archive_dir: Path, tmp_path: Path) -> None:
    home = copy_home(home_before_race, tmp_path / "home")
    marker, after_s = PHASES[phase]
    _kill_during(home, archive_dir, marker, after_s, tmp_path / "killed.log")

    out = undercut("refresh", home, archive_dir)
    assert "race_job=" in out and "2025-15" in out, out
    _same_marts(home, built_home)
    forget_settled(home)  # the planner itself must find nothing left
    assert undercut("refresh", home, archive_dir).startswith("up to date\n")


def test_a_failed_refresh_is_finished_by_the_next(home_before_race: Path, built_home: Path, archive_dir: Path,
                                                  tmp_path: Path) -> None:
    home = copy_home(home_before_race, tmp_path / "home")
    # A disk problem in the race precompute: its plot folder cannot be created (a file is in the way).
    blocker = home / "plots" / "car_performance_scores"
    shutil.rmtree(blocker, ignore_errors=True)
    blocker.write_text("in the way")
    with pytest.raises(subprocess.CalledProcessError):
        undercut("refresh", home, archive_dir)
    blocker.unlink()

    out = undercut("refresh", home, archive_dir)
    assert "race_job=2025-15,2025-16" in out and "dbt_job" not in out, out  # only what failed, and after it
    _same_marts(home, built_home)
    races = read_frame(Warehouse.at(home), "select distinct race_key from marts.car_performance_scores "
                                           "where race_key = '2025-15'")
    assert len(races) == 1


def _driver_rows(home: Path, sql: str, season: int, round_: int, drivers: tuple[str, str]) -> dict[int, tuple]:
    frame = read_frame(Warehouse.at(home), sql, [season, round_, *map(int, drivers)])
    return {int(r[0]): tuple(r[1:]) for r in frame.itertuples(index=False)}


RESULTS = ("select driver_id, position_order, points from marts.fct_results "
           "where season = ? and round = ? and driver_id in (?, ?)")
STANDINGS = ("select driver_id, points from marts.fct_standings "
             "where season = ? and round = ? and championship = 'drivers' and driver_id in (?, ?)")
ODDS = ("select o.driver_id, o.points from marts.championship_odds o join marts.dim_races d using (race_id) "
        "where d.season = ? and d.round = ? and o.championship = 'drivers' and o.driver_id in (?, ?)")


def test_a_revised_result_reruns_only_what_it_touches(built_home: Path, archive_dir: Path, tmp_path: Path) -> None:
    from dagster import AssetKey, DagsterEventType, DagsterInstance

    from transforms.archive_tools import link_copy, revise_result

    home = copy_home(built_home, tmp_path / "home")
    archive = tmp_path / "archive"
    link_copy(archive_dir, archive)
    drivers = revise_result(archive, 2025, 14)  # the Hungarian GP: P2 gets a time penalty, drops behind P3
    before = {q: _driver_rows(home, q, 2025, 14, drivers) for q in (RESULTS, STANDINGS, ODDS)}
    instance = DagsterInstance.from_config(str(home / "dagster"))
    cursor = instance.event_log_storage.get_maximum_record_id()

    out = undercut("refresh", home, archive)

    def rerun(key: AssetKey) -> set[str]:
        return set(instance.get_latest_storage_id_by_partition(key, DagsterEventType.ASSET_MATERIALIZATION,
                                                               after_cursor=cursor))

    assert rerun(AssetKey(["raw", "results"])) == {"2025"}, out
    assert rerun(AssetKey(["raw", "session_laps"])) == set(), out
    # the race and the later races of its season (standings and odds carry it forward); nothing earlier
    assert rerun(AssetKey(["marts", "championship_odds"])) == {"2025-14", "2025-15", "2025-16"}, out
    assert rerun(AssetKey(["marts", "race_stories"])) == {"2025-14", "2025-15", "2025-16"}, out

    after = {q: _driver_rows(home, q, 2025, 14, drivers) for q in (RESULTS, STANDINGS, ODDS)}
    demoted, promoted = map(int, drivers)
    assert (after[RESULTS][demoted][0], after[RESULTS][promoted][0]) == (3, 2)
    assert (before[RESULTS][demoted][0], before[RESULTS][promoted][0]) == (2, 3)
    swing = before[RESULTS][demoted][1] - before[RESULTS][promoted][1]  # 18 - 15 points
    assert after[STANDINGS][demoted][0] == before[STANDINGS][demoted][0] - swing
    assert after[STANDINGS][promoted][0] == before[STANDINGS][promoted][0] + swing
    assert after[ODDS][demoted][0] == before[ODDS][demoted][0] - swing


def test_a_race_timed_before_its_results_is_provisional_then_completed(home_before_race: Path, built_home: Path,
                                                                       archive_dir: Path, tmp_path: Path) -> None:
    from transforms.archive_tools import copy_without_race

    home = copy_home(home_before_race, tmp_path / "home")
    timed = tmp_path / "archive_timed"  # the Dutch GP's timing is out, its classification is not
    copy_without_race(archive_dir, timed, 2025, 15, keep_timing=True)
    calendar = ("select round, is_provisional, has_results, race_laps, is_next_race from marts.dim_races "
                "where season = 2025 and round in (15, 16) order by round")

    undercut("refresh", home, timed)
    dutch, italian = read_frame(Warehouse.at(home), calendar).itertuples(index=False)
    assert (dutch.is_provisional, dutch.has_results, dutch.race_laps, dutch.is_next_race) == (True, False, 72, False)
    assert italian.is_next_race
    laps = read_frame(Warehouse.at(home), "select count(*) as laps, count(constructor_id) as with_team "
                                          "from marts.fct_laps where season = 2025 and round = 15")
    assert laps["laps"][0] > 1000 and laps["with_team"][0] == laps["laps"][0]
    # its entries come from the race session's drivers, so it has pre-race predictions to be judged by
    predicted = ("select count(*) as n from marts.predictions_race_entries {at} where season = 2025 and round = 15 "
                 "and predicted_finish_position_mean is not null")
    assert read_frame(Warehouse.at(home), predicted.format(at=""))["n"][0] == 20

    undercut("refresh", home, archive_dir)  # the results land
    dutch, _ = read_frame(Warehouse.at(home), calendar).itertuples(index=False)
    assert (dutch.is_provisional, dutch.has_results) == (False, True)
    before = snapshot_before_race(Warehouse.at(home), "2025-15")  # what was predicted before the results landed
    assert read_frame(Warehouse.at(home), predicted.format(at=f"at (version => {before})"))["n"][0] == 20
    # The race facts equal the uninterrupted refresh's. Models may differ: the drift decision judged the race on
    # other predictions (see NOTES.md), so only the race's presence is asserted in what they feed.
    got, want = checksums(Warehouse.at(home)), checksums(Warehouse.at(built_home))
    facts = {t for t in want if t.startswith(("marts.fct_", "marts.dim_", "features."))}
    assert len(facts) > 20 and not {t: d for t, d in differing(got, want).items() if t in facts}
    for table in ("race_stories", "time_lost", "championship_odds", "car_performance_scores", "battle_forecast"):
        rows = read_frame(Warehouse.at(home), f"select count(*) as n from marts.{table} where race_key = '2025-15'")
        assert rows["n"][0] > 0, table


def test_a_refresh_after_qualifying_races_the_next_race_from_its_real_grid(home_before_race: Path, archive_dir: Path,
                                                                         tmp_path: Path) -> None:
    """Qualifying lands before the race: the refresh re-predicts the next race with the real qualifying order as
    its input and grid (not the qualifying model's guess), and the race stays the next race."""
    from transforms.archive_tools import copy_without_race

    home = copy_home(home_before_race, tmp_path / "home")
    qualified = tmp_path / "archive_qualified"  # the Dutch GP's qualifying is out, the race is not
    copy_without_race(archive_dir, qualified, 2025, 15, keep_qualifying=True)
    entries = ("select p.driver_id, p.qualifying_source, p.actual_qualifying_position, q.qualifying_position, "
               "s.grid_slot from marts.predictions_race_entries as p "
               "left join marts.fct_qualifying as q using (race_id, driver_id) "
               "left join (select distinct driver_id, grid_slot from marts.next_race_strategy) as s using (driver_id) "
               "where p.season = 2025 and p.round = 15 order by p.driver_id")
    before = read_frame(Warehouse.at(home), entries)
    assert set(before["qualifying_source"]) == {"predicted"} and before["qualifying_position"].isna().all()

    out = undercut("refresh", home, qualified)
    assert "2025-15" in out, out
    after = read_frame(Warehouse.at(home), entries)
    assert len(after) == 20 and set(after["qualifying_source"]) == {"actual"}
    assert after["qualifying_position"].notna().all()
    assert (after["actual_qualifying_position"] == after["qualifying_position"]).all()
    # the simulated grid is the qualifying order (ties broken by the first in line, as on a real grid)
    assert (after["grid_slot"] == after["qualifying_position"].rank(method="first")).all()
    calendar = read_frame(Warehouse.at(home), "select is_next_race, has_results from marts.dim_races "
                                              "where season = 2025 and round = 15")
    assert (bool(calendar["is_next_race"][0]), bool(calendar["has_results"][0])) == (True, False)
