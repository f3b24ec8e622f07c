"""The surfaces users touch: `dagster definitions validate`, `dagster dev` (webserver + daemon) loading the code
location, a run launched through the webserver as the UI launches it, and the asset lineage page in a real browser.

Everything runs from the repo root with the project's own configuration (pyproject's [tool.dagster]), no -m flag."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from home_copies import copy_home
from undercut_cli import free_port

from orchestration.deployment import DAGSTER_YAML
from transforms.warehouse import Warehouse, analyst_connection, reading, writing

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
ARTIFACTS = REPO / "tests" / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
RACE = "2025-14"  # 2025 Hungarian GP: a race with timing and telemetry in the archive
# race_job's tables (every one has a race_key column); the run must put this race's rows back
RACE_TABLES = ("time_lost", "race_stories", "battle_forecast", "car_performance_scores", "next_race_strategy",
               "alternative_strategies", "championship_odds")
LOAD_TIMEOUT = 300.0
RUN_TIMEOUT = 420.0
# one `dagster dev` for the whole module: under `pytest -n 2 --dist loadgroup` its tests stay on one worker
pytestmark = pytest.mark.xdist_group("dagster_ui")


def _env(home: Path, archive: Path) -> dict[str, str]:
    env = {**os.environ, "UNDERCUT_HOME": str(home), "DAGSTER_HOME": str(home / "dagster"),
           "UNDERCUT_SOURCE": "archive", "UNDERCUT_ARCHIVE_DIR": str(archive), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
           "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("UNDERCUT_LAKE_URI", None)
    return env


class Dagit:
    """The webserver's GraphQL API, as the UI calls it."""

    def __init__(self, port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self.proc = proc
        self.log = log

    def query(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = requests.post(f"{self.url}/graphql", json={"query": query, "variables": variables or {}},
                                 timeout=60)
        response.raise_for_status()
        body = response.json()
        assert "errors" not in body, body["errors"]
        return body["data"]  # type: ignore[no-any-return]

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


LOCATIONS = """{ workspaceOrError { ... on Workspace { locationEntries { name loadStatus
  locationOrLoadError { __typename ... on PythonError { message } } } } } }"""


def _wait_until_loaded(dagit: Dagit) -> None:
    deadline = time.monotonic() + LOAD_TIMEOUT
    while True:
        assert dagit.proc.poll() is None, f"dagster dev exited:\n{dagit.tail()}"
        try:
            entries = dagit.query(LOCATIONS)["workspaceOrError"]["locationEntries"]
        except requests.ConnectionError:
            entries = []
        if entries and all(e["loadStatus"] == "LOADED" for e in entries):
            errors = [e for e in entries if e["locationOrLoadError"]["__typename"] != "RepositoryLocation"]
            assert not errors, errors
            return
        assert time.monotonic() < deadline, f"code location not loaded after {LOAD_TIMEOUT} s:\n{dagit.tail()}"
        time.sleep(2)


@pytest.fixture(scope="module")
def home(built_home: Path, archive_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the session's built home: the run below writes into it, the built home stays untouched."""
    copy = tmp_path_factory.mktemp("ui") / "home"
    copy_home(built_home, copy)
    # the instance config of a fresh home (the built home may predate it)
    (copy / "dagster" / "dagster.yaml").write_text(DAGSTER_YAML)
    return copy


@pytest.fixture(scope="module")
def dagit(home: Path, archive_dir: Path) -> Iterator[Dagit]:
    """`make dev` (webserver + daemon, from the repo root) on a free port, in its own process group."""
    port = free_port()
    log = home / "dagster_dev.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(["make", "dev", f"DEV_PORT={port}"], cwd=REPO,
                                env=_env(home, archive_dir), stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    dagit = Dagit(port, proc, log)
    try:
        _wait_until_loaded(dagit)
        yield dagit
    finally:
        # the whole group (webserver, daemon, code servers, run workers); they ignore SIGTERM while a child lingers
        os.killpg(proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def test_definitions_validate_with_the_project_configuration(home: Path, archive_dir: Path) -> None:
    proc = subprocess.run([str(BIN / "dagster"), "definitions", "validate"], cwd=REPO, env=_env(home, archive_dir),
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "Validation successful for code location undercut" in proc.stdout + proc.stderr


REPOSITORY = """{ repositoriesOrError { ... on RepositoryConnection { nodes { name location { name }
  assetGroups { groupName } jobs { name } sensors { name }
  assetNodes { assetKey { path } assetChecksOrError { ... on AssetChecks { checks { name } } } } } } } }"""


def test_code_location_loads_everything_it_declares(dagit: Dagit) -> None:
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    [repo] = dagit.query(REPOSITORY)["repositoriesOrError"]["nodes"]
    assert repo["location"]["name"] == "undercut"
    assert {g["groupName"] for g in repo["assetGroups"]} == {graph.get(k).group_name for k in graph.get_all_asset_keys()}
    assert {j["name"] for j in repo["jobs"]} >= {j.name for j in defs.resolve_all_job_defs()}
    assert {s["name"] for s in repo["sensors"]} >= {s.name for s in defs.sensors or []}
    ui_checks = {(tuple(n["assetKey"]["path"]), c["name"]) for n in repo["assetNodes"]
                 for c in n["assetChecksOrError"].get("checks", [])}
    assert ui_checks == {(tuple(c.asset_key.path), c.name) for c in graph.asset_check_keys}
    assert len(ui_checks) > 300  # the dbt tests are there too


def test_materialize_from_the_command_line(home: Path, archive_dir: Path) -> None:
    """The README's `dagster asset materialize` line, twice at once on two other races than the launched run's (two
    runs, multiprocess executor, both writing the warehouse), while an analyst's connection stays open."""
    races, warehouse = ("2025-13", "2025-12"), Warehouse.at(home)
    count = "select race_key, count(*) from marts.time_lost where race_key in (?, ?) group by all order by 1"
    with writing(warehouse) as con:
        before = con.execute(count, list(races)).fetchall()
        con.execute("delete from marts.time_lost where race_key in (?, ?)", list(races))
    assert [race for race, _ in before] == sorted(races)
    analyst = analyst_connection(warehouse)
    runs = [subprocess.Popen([str(BIN / "dagster"), "asset", "materialize", "-m", "orchestration.definitions",
                              "--select", "marts/time_lost", "--partition", race], cwd=REPO,
                             env=_env(home, archive_dir), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            for race in races]
    seen_while_running = analyst.execute(count, list(races)).fetchall()
    errors = [run.communicate(timeout=600)[1] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], [e[-3000:] for e in errors]
    assert analyst.execute(count, list(races)).fetchall() == before  # the open connection sees the new snapshot
    analyst.close()
    assert len(seen_while_running) <= 2
    with reading(warehouse) as con:
        assert con.execute(count, list(races)).fetchall() == before


def _race_rows(warehouse: Warehouse) -> dict[str, int]:
    with reading(warehouse) as con:
        return {t: con.execute(f"select count(*) from marts.{t} where race_key = ?", [RACE]).fetchone()[0]  # type: ignore[index]
                for t in RACE_TABLES}


LAUNCH = """mutation($params: ExecutionParams!) { launchRun(executionParams: $params) { __typename
  ... on LaunchRunSuccess { run { runId } } ... on PythonError { message stack }
  ... on RunConfigValidationInvalid { errors { message } } ... on InvalidSubsetError { message } } }"""
RUN = """query($id: ID!) { runOrError(runId: $id) { ... on Run { status stepStats { stepKey status } } } }"""
FAILURES = """query($id: ID!) { logsForRun(runId: $id) { ... on EventConnection { events { __typename
  ... on ExecutionStepFailureEvent { stepKey error { message } } ... on RunFailureEvent { message } } } } }"""


def test_launch_race_partition_through_the_webserver(dagit: Dagit, home: Path) -> None:
    warehouse = Warehouse.at(home)
    before = _race_rows(warehouse)
    assert before["time_lost"] > 0 and before["race_stories"] > 0, before  # the built home has this race...
    with writing(warehouse) as con:  # ...so remove it: only the run can put the rows back
        for table in RACE_TABLES:
            con.execute(f"delete from marts.{table} where race_key = ?", [RACE])
    assert not any(_race_rows(warehouse).values())

    params = {"selector": {"repositoryLocationName": "undercut", "repositoryName": "__repository__",
                           "jobName": "race_job"},
              "runConfigData": {}, "executionMetadata": {"tags": [{"key": "dagster/partition", "value": RACE}]}}
    launched = dagit.query(LAUNCH, {"params": params})["launchRun"]
    assert launched["__typename"] == "LaunchRunSuccess", launched
    run_id = launched["run"]["runId"]

    deadline = time.monotonic() + RUN_TIMEOUT
    while (run := dagit.query(RUN, {"id": run_id})["runOrError"])["status"] not in ("SUCCESS", "FAILURE", "CANCELED"):
        assert time.monotonic() < deadline, f"run {run_id} still {run['status']} after {RUN_TIMEOUT} s"
        time.sleep(3)
    failures = [e for e in dagit.query(FAILURES, {"id": run_id})["logsForRun"]["events"] if len(e) > 1]
    assert run["status"] == "SUCCESS", failures

    assert _race_rows(warehouse) == before
    with reading(warehouse) as con:
        headline = con.execute("select text from marts.race_stories where race_key = ? and language = 'en' and "
                               "tone = 'neutral' and length = 'short' order by story_rank limit 1", [RACE]).fetchone()
        fastest = con.execute("select team_name from marts.car_performance_scores where race_key = ? and "
                              "area = 'overall' and rank = 1", [RACE]).fetchone()
    assert headline == ("Norris wins the Hungarian Grand Prix.",)
    assert fastest == ("McLaren",)


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (`make setup` installs it)")
def test_asset_lineage_page_shows_every_group(dagit: Dagit, tmp_path: Path) -> None:
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    groups = {graph.get(k).group_name for k in graph.get_all_asset_keys()}
    dagit.query("mutation { setNuxSeen }")  # what "Skip" on the community pop-up does: keeps it off the screenshot
    screenshot = tmp_path / "asset_lineage.png"
    command = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={tmp_path / 'chromium'}", "--window-size=1600,1000",
               # the page renders from GraphQL answers and lays the graph out in a worker: give it (virtual) time
               "--virtual-time-budget=30000", "--run-all-compositor-stages-before-draw",
               f"--screenshot={screenshot}", "--dump-dom", f"{dagit.url}/asset-groups"]
    page = subprocess.run(command, capture_output=True, text=True, timeout=180)
    ARTIFACTS.mkdir(exist_ok=True)
    if screenshot.exists():
        shutil.copy(screenshot, ARTIFACTS / screenshot.name)
    print(f"asset lineage screenshot: {ARTIFACTS / screenshot.name}")
    assert screenshot.exists() and screenshot.stat().st_size > 10_000, page.stderr[-3000:]
    # each group's name is rendered in the sidebar's group list (twice: text and a width-measuring copy) and once
    # more as the group's box in the graph
    missing = {g for g in groups if page.stdout.count(f">{g}<") < 3}
    assert not missing, f"groups not on the page: {missing}\n{page.stdout[-3000:]}"
