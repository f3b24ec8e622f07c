"""A second process querying marts.fct_results in a loop while the session's refresh writes (see built_home).

    python tests/warehouse_reader.py OUT_JSONL STOP_FILE        (UNDERCUT_HOME names the home)

One analyst connection stays open throughout. Each line: the snapshot the query saw and what it saw in that one
statement, or the error; the test then checks each line against the warehouse AT that snapshot."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from transforms.settings import Settings
from transforms.warehouse import analyst_connection

QUERY = ("select (select id from lake.current_snapshot()), count(*), count(distinct race_id), "
         "coalesce(sum(points), 0) from marts.fct_results")


def main(out: Path, stop: Path) -> None:
    con = analyst_connection(Settings().warehouse)
    with out.open("a") as sink:
        while not stop.exists():
            try:
                snapshot, rows, races, points = con.execute(QUERY).fetchone()  # type: ignore[misc]
                line = {"snapshot": snapshot, "state": [rows, races, float(points)]}
            except Exception as exc:  # noqa: BLE001 - every failure is what the test looks for
                line = {"error": f"{type(exc).__name__}: {exc}"}
            sink.write(json.dumps(line) + "\n")
            sink.flush()
            time.sleep(0.2)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
