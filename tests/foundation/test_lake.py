from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from transforms.lake import PART_FILE, Lake
from transforms.schemas import TABLES, conform
from transforms.sessions import SessionRef

LAP_TIMES = TABLES["lap_times"]


def lap_times(n: int, race_id: int = 1100) -> pa.Table:
    return conform(pa.table({"raceId": [race_id] * n, "driverId": list(range(n)), "lap": [3] * n,
                             "position": [1] * n, "time": ["1:30.000"] * n, "milliseconds": [90000] * n}),
                   LAP_TIMES, origin="test")


def test_rewriting_a_partition_replaces_it(tmp_path: Path) -> None:
    lake = Lake(str(tmp_path / "lake"))
    first = lake.write(LAP_TIMES, lap_times(20), season=2023)
    content = Path(first.path).read_bytes()
    lake.write(LAP_TIMES, lap_times(20), season=2023)
    assert Path(first.path).read_bytes() == content  # identical content, same single file
    lake.write(LAP_TIMES, lap_times(5, race_id=1101), season=2024)
    table = lake.read_all(LAP_TIMES)
    assert table.num_rows == 25  # never 45: the 2023 partition was replaced, not appended
    assert lake.data_files(LAP_TIMES) == [f"{lake.root}/historical/lap_times/season={s}/{PART_FILE}"
                                          for s in (2023, 2024)]


def test_write_refuses_undeclared_schema(tmp_path: Path) -> None:
    lake = Lake(str(tmp_path))
    with pytest.raises(ValueError, match="declared schema"):
        lake.write(LAP_TIMES, pa.table({"raceId": [1]}), season=2024)
    with pytest.raises(ValueError, match="partitioned by session"):
        lake.write(TABLES["session_laps"], TABLES["session_laps"].schema.empty_table())


KILLED_WRITER = """
import sys, pyarrow as pa
from transforms.lake import Lake
from transforms.schemas import TABLES, conform
n = 3_000_000
t = conform(pa.table({"raceId": pa.array([1]*n, pa.int32()), "driverId": pa.array(range(n), pa.int32())}),
            TABLES["lap_times"], origin="big")
print("ready", flush=True)
while True:
    Lake(sys.argv[1]).write(TABLES["lap_times"], t, season=2024)
"""


def test_writer_killed_mid_write_leaves_no_visible_partial_file(tmp_path: Path) -> None:
    lake = Lake(str(tmp_path / "lake"))
    part_dir = Path(lake.partition_dir(LAP_TIMES, season=2024))
    # `with` closes the pipe and waits, whatever happens (an open pipe would be a ResourceWarning)
    with subprocess.Popen([sys.executable, "-c", KILLED_WRITER, lake.uri], stdout=subprocess.PIPE) as proc:
        try:
            assert proc.stdout is not None and proc.stdout.readline().startswith(b"ready")
            deadline = time.monotonic() + 60
            while not list(part_dir.glob(f".{PART_FILE}.tmp-*")):  # wait until a write is under way
                assert time.monotonic() < deadline, "writer never started"
                time.sleep(0.005)
        finally:
            os.kill(proc.pid, signal.SIGKILL)
    # Whatever moment it died at, the visible file is absent or a complete earlier write.
    visible = part_dir / PART_FILE
    if visible.exists():
        assert pq.read_metadata(visible).num_rows == 3_000_000
    assert lake.read_all(LAP_TIMES).num_rows in (0, 3_000_000)
    lake.write(LAP_TIMES, lap_times(7), season=2024)  # the next run succeeds and tidies the temp file
    assert lake.read(LAP_TIMES, season=2024).num_rows == 7
    assert not list(part_dir.glob(".*tmp*"))


def test_session_partition_layout(tmp_path: Path) -> None:
    lake = Lake(str(tmp_path))
    spec = TABLES["track_status"]
    ref = SessionRef(2024, 8, "R")
    table = conform(pa.table({"Year": [2024], "Time": [12.5], "Status": ["4"], "Message": ["SCDeployed"]}), spec,
                    origin="test")
    result = lake.write(spec, table, session=ref)
    assert result.path.endswith("weekend/track_status/season=2024/round=08/session=R/part-0.parquet")
    assert lake.read(spec, session=ref).to_pylist()[0]["Status"] == "4"
