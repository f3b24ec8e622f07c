"""Table-level data quality checks over the lake (used by Dagster asset checks and tests)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow.parquet as pq

from transforms.lake import Lake
from transforms.schemas import Partitioning, TableSpec
from transforms.warehouse import lake_connection, raw_view_sql

PARTITION_COLUMNS = {Partitioning.NONE: (), Partitioning.SEASON: ("season",),
                     Partitioning.SESSION: ("season", "round", "session")}


@dataclass(frozen=True)
class CheckOutcome:
    name: str
    passed: bool
    description: str
    metadata: dict[str, object] = field(default_factory=dict)


def check_table(lake: Lake, spec: TableSpec) -> list[CheckOutcome]:
    """non_empty, primary_key_unique (within each partition) and schema_matches, over every partition file."""
    files = lake.data_files(spec)
    mismatched = [f for f in files if not pq.read_schema(f, filesystem=lake.fs).remove_metadata().equals(spec.schema)]
    con = lake_connection(lake)
    rel = f"({raw_view_sql(lake, spec)})"
    rows = con.execute(f"SELECT count(*) FROM {rel}").fetchone()[0]  # type: ignore[index]
    outcomes = [
        CheckOutcome("non_empty", rows > 0, f"{spec.name} has rows", {"rows": rows, "files": len(files)}),
        CheckOutcome("schema_matches", not mismatched, f"every {spec.name} file has the declared schema",
                     {"mismatched_files": mismatched[:5]}),
    ]
    if spec.primary_key:
        key = ", ".join(f'"{c}"' for c in (*PARTITION_COLUMNS[spec.partitioning], *spec.primary_key))
        dups = con.execute(f"SELECT count(*) FROM (SELECT {key} FROM {rel} GROUP BY ALL HAVING count(*) > 1)"
                           ).fetchone()[0]  # type: ignore[index]
        outcomes.append(CheckOutcome("primary_key_unique", dups == 0, f"({key}) is unique",
                                     {"duplicate_keys": dups}))
    return outcomes
