"""The progress line and the closing table count what a job's runs recorded in the instance: asset partitions
materialised of those planned, failed asset checks, failed steps."""

# no `from __future__ import annotations`: Dagster reads the assets' annotations (the context's type) as objects
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from dagster import (
    AssetCheckResult,
    AssetCheckSpec,
    AssetExecutionContext,
    DagsterInstance,
    Definitions,
    Output,
    StaticPartitionsDefinition,
    asset,
    define_asset_job,
)
from rich.console import Console

from orchestration.deployment import DAGSTER_YAML
from orchestration.progress import JobTally, planned, summary_table, track

PARTITIONS = StaticPartitionsDefinition(["a", "b", "c"])


@asset(partitions_def=PARTITIONS, check_specs=[AssetCheckSpec("not_b", asset="laps")])
def laps(context: AssetExecutionContext) -> Iterator[Output[str] | AssetCheckResult]:
    yield Output(context.partition_key)
    yield AssetCheckResult(passed=context.partition_key != "b")  # fails for one partition of three


@asset(partitions_def=PARTITIONS)
def stints(laps: str) -> str:
    return laps * 2


@asset(partitions_def=PARTITIONS)
def broken(stints: str) -> str:
    raise RuntimeError("a step that fails")


DEFS = Definitions(assets=[laps, stints, broken],
                   jobs=[define_asset_job("tiny", selection=["laps", "stints"], partitions_def=PARTITIONS),
                         define_asset_job("failing", selection=["laps", "stints", "broken"],
                                          partitions_def=PARTITIONS)])


@pytest.fixture
def instance(tmp_path: Path) -> Iterator[DagsterInstance]:
    (tmp_path / "dagster.yaml").write_text(DAGSTER_YAML)  # no telemetry notice among the lines counted
    with DagsterInstance.from_config(str(tmp_path)) as persistent:  # the poller opens its own from this one's ref
        yield persistent


def test_counts_what_the_runs_recorded(instance: DagsterInstance, capsys: pytest.CaptureFixture[str]) -> None:
    job = DEFS.resolve_job_def("tiny")
    keys = PARTITIONS.get_partition_keys()
    total = planned(job, None, [keys])
    assert total == 3 * 2
    tallies: dict[str, JobTally] = {}
    with track(instance, "tiny", total, tallies) as tags:
        for key in keys:  # one run per partition: the tally spans all runs of the job
            assert job.execute_in_process(instance=instance, partition_key=key, tags=tags).success
    tally = tallies["tiny"]
    assert (tally.runs, tally.materialised, tally.failed_checks, tally.failed_steps) == (3, 6, 1, 0)
    assert tally.seconds > 0
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip() and " - dagster - " not in line]
    # stderr is no terminal here: no live refresh, only the final state, once (below Dagster's event lines)
    assert len(lines) == 1 and lines[0].startswith("tiny") and "6/6" in lines[0] and lines[0].rstrip().endswith("1 failed check")


def test_a_failed_run_is_counted(instance: DagsterInstance, capsys: pytest.CaptureFixture[str]) -> None:
    job = DEFS.resolve_job_def("failing")
    tallies: dict[str, JobTally] = {}
    with pytest.raises(RuntimeError, match="a step that fails"), track(instance, "failing", 3, tallies) as tags:
        job.execute_in_process(instance=instance, partition_key="a", tags=tags)
    assert (tallies["failing"].runs, tallies["failing"].materialised, tallies["failing"].failed_steps) == (1, 2, 1)
    assert "2/3" in capsys.readouterr().err


def test_only_what_is_selected_is_planned() -> None:
    job = DEFS.resolve_job_def("failing")
    assert planned(job, None, [["a", "b"], ["c"]]) == 9
    assert planned(job, [laps.key], [["a", "b"]]) == 2


def test_closing_table_has_a_total_row() -> None:
    tallies = {"tiny": JobTally(runs=3, materialised=6, failed_checks=1, seconds=2.5),
               "failing": JobTally(runs=1, materialised=2, failed_steps=1, seconds=1.0)}
    console = Console(width=100, record=True)
    console.print(summary_table(tallies))
    rows = console.export_text().splitlines()
    assert [row.split("│")[1].strip() for row in rows if row.startswith("│")] == ["tiny", "failing", "total"]
    total = next(row for row in rows if "total" in row)
    assert re.findall(r"[\d.]+", total) == ["4", "8", "1", "1", "3.5"]
