"""What the online store was last loaded with, so that a load writes only from the earliest row that changed.

A load up to `end` leaves, per feature view, the latest row of every entity with its timestamp in [start, end] in the
online store (an upsert: entities without such a row keep theirs). Loaded from EARLIEST, that is every entity's
latest row up to `end`. Those rows are kept here as Parquet after each load; the next load compares the rows it
would write with them and starts at the earliest that differs (a new race, a revised old result, a moved `end`).
Every entity whose row differs then has its latest row inside [start, end], and every other entity written there
gets the row it already has: the online store ends as a load from EARLIEST would leave it, without rewriting every
entry since 1950.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb


@dataclass(frozen=True)
class ViewRows:
    """A feature view as the online store sees it: its Parquet source, entity keys and the columns it stores."""

    name: str
    source: Path
    keys: list[str]
    features: list[str]
    timestamp: str

    def latest_sql(self) -> str:
        """Each entity's latest row up to the `$end` parameter (what a load from EARLIEST writes)."""
        columns = ", ".join(f'"{c}"' for c in [*self.keys, *self.features, self.timestamp])
        keys = ", ".join(f'"{k}"' for k in self.keys)
        return (f"select {columns} from read_parquet('{self.source}') where \"{self.timestamp}\" <= $end "
                f"qualify row_number() over (partition by {keys} order by \"{self.timestamp}\" desc) = 1")


class OnlineRecord:
    """The rows last loaded per view, in `directory`, valid for the online store described by `store_identity`
    (another store, e.g. the configuration moved to PostgreSQL, holds none of them)."""

    IDENTITY_FILE = "online_store.txt"

    def __init__(self, directory: Path, store_identity: str) -> None:
        self.directory = directory
        identity = directory / self.IDENTITY_FILE
        if not identity.exists() or identity.read_text() != store_identity:
            shutil.rmtree(directory, ignore_errors=True)
            directory.mkdir(parents=True)
            identity.write_text(store_identity)

    def _rows(self, view: ViewRows) -> Path:
        return self.directory / f"{view.name}.parquet"

    def start(self, view: ViewRows, end: datetime, earliest: datetime) -> datetime | None:
        """Where a load of `view` up to `end` must start: `earliest` without a record (or with another layout),
        None when no row changed."""
        previous = self._rows(view)
        if not previous.exists():
            return earliest
        with duckdb.connect() as con:
            latest = con.execute(f"select * from ({view.latest_sql()}) limit 0", {"end": end}).description
            recorded = con.execute(f"select * from read_parquet('{previous}') limit 0").description
            if [c[0] for c in latest] != [c[0] for c in recorded]:
                return earliest
            changed = con.execute(f"select min(\"{view.timestamp}\") from ({view.latest_sql()} except "
                                  f"select * from read_parquet('{previous}'))", {"end": end}).fetchone()
        return changed[0] if changed else None

    def record(self, view: ViewRows, end: datetime) -> None:
        """Keep what a load of `view` up to `end` left in the online store (after the load: a load killed before
        this line is redone from the older record)."""
        target = self._rows(view)
        tmp = target.with_suffix(".tmp")
        with duckdb.connect() as con:
            con.execute(f"copy ({view.latest_sql()}) to '{tmp}' (format parquet)", {"end": end})
        tmp.replace(target)

    def keep_only(self, views: list[ViewRows]) -> None:
        """Forget views no longer registered (`feast apply` dropped their online tables)."""
        names = {f"{v.name}.parquet" for v in views}
        for stale in self.directory.glob("*.parquet"):
            if stale.name not in names:
                stale.unlink()
