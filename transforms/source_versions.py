"""Source data versions: a content digest per partition of the source (reference tables, season, session, race).

A refresh compares them with what it last recorded, so it re-reads exactly what the source added or revised (a
stewards' penalty republished, timing that landed before the classification) and nothing else. Digests are
order-independent: a source that returns the same rows in another order has not changed."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pandas as pd
import pyarrow as pa

from transforms.schemas import HISTORICAL, Partitioning
from transforms.sessions import SessionRef, race_key


class VersionedSource(Protocol):
    def seasons(self) -> list[int]: ...

    def historical_table(self, name: str, season: int | None = None) -> pa.Table: ...

    def session_versions(self) -> dict[SessionRef, str]: ...


def row_hashes(table: pa.Table) -> np.ndarray:
    """One 64-bit content hash per row (column names included through the frame's layout)."""
    if table.num_rows == 0:
        return np.zeros(0, dtype=np.uint64)
    frame = table.to_pandas(types_mapper=pd.ArrowDtype)
    return pd.util.hash_pandas_object(frame, index=False).to_numpy(dtype=np.uint64)


def digest(hashes: np.ndarray, *salt: str) -> str:
    """An order-independent digest of row hashes (sorted first), salted with e.g. the table name."""
    h = hashlib.blake2b(digest_size=12)
    for s in salt:
        h.update(s.encode())
    h.update(np.sort(hashes).tobytes())
    return h.hexdigest()


def combine(parts: Iterable[str]) -> str:
    h = hashlib.blake2b(digest_size=12)
    for part in sorted(parts):
        h.update(part.encode())
    return h.hexdigest()


@dataclass(frozen=True)
class SourceVersions:
    """Digests by partition key: the unpartitioned reference tables, seasons (``2024``), sessions (``2024-05-R``)
    and races (``2024-05``: that race's rows of every season table, its sessions' digests and the version of the
    season's previous race)."""

    reference: str
    seasons: dict[str, str]
    sessions: dict[str, str]
    races: dict[str, str]


def _race_rounds(name: str, table: pa.Table, races: pa.Table) -> np.ndarray:
    """The round each row of a season table belongs to (0: none, e.g. a season-level row)."""
    if name == "races":
        return np.asarray(table["round"].to_numpy(zero_copy_only=False), dtype=np.int64)
    if "raceId" in table.column_names:
        by_id = dict(zip(races["raceId"].to_pylist(), races["round"].to_pylist(), strict=True))
        return np.array([by_id.get(r, 0) for r in table["raceId"].to_pylist()], dtype=np.int64)
    by_name = {f"{y} {n}": r for y, n, r in zip(races["year"].to_pylist(), races["name"].to_pylist(),
                                                  races["round"].to_pylist(), strict=True)}
    return np.array([by_name.get(r, 0) for r in table["Race"].to_pylist()], dtype=np.int64)


def season_versions(source: VersionedSource, season: int) -> tuple[str, dict[int, str]]:
    """The season's digest and one digest per round (that race's rows of every season-partitioned table)."""
    races = source.historical_table("races", season)
    table_digests: list[str] = []
    by_round: dict[int, list[str]] = {}
    for spec in HISTORICAL:
        if spec.partitioning is not Partitioning.SEASON:
            continue
        table = source.historical_table(spec.name, season)
        hashes = row_hashes(table)
        table_digests.append(digest(hashes, spec.name))
        rounds = _race_rounds(spec.name, table, races)
        for rnd in np.unique(rounds):
            by_round.setdefault(int(rnd), []).append(digest(hashes[rounds == rnd], spec.name))
    return combine(table_digests), {rnd: combine(parts) for rnd, parts in by_round.items() if rnd}


def probe(source: VersionedSource, race_keys: Iterable[str]) -> SourceVersions:
    """Every digest of the source; `race_keys` are the race partitions (races with a race session + the next)."""
    reference = combine(digest(row_hashes(source.historical_table(s.name)), s.name)
                        for s in HISTORICAL if s.partitioning is Partitioning.NONE)
    seasons: dict[str, str] = {}
    race_rows: dict[str, str] = {}
    for season in source.seasons():
        seasons[str(season)], rounds = season_versions(source, season)
        race_rows.update({race_key(season, rnd): v for rnd, v in rounds.items()})
    sessions = {ref.key: v for ref, v in source.session_versions().items()}
    by_race: dict[str, list[str]] = {}
    for key, version in sessions.items():
        by_race.setdefault(key.rsplit("-", 1)[0], []).append(f"{key}={version}")
    # A race's version chains its season's earlier races: a revised result moves the standings and championship
    # odds of every later race of that season, and nothing before it.
    races: dict[str, str] = {}
    previous: dict[str, str] = {}
    for key in sorted(race_keys):
        year = key.split("-")[0]
        races[key] = combine([race_rows.get(key, ""), *by_race.get(key, []), f"after={previous.get(year, '')}"])
        previous[year] = races[key]
    return SourceVersions(reference, seasons, sessions, races)


def session_digests(tables: Mapping[str, tuple[pa.Table, Mapping[SessionRef, np.ndarray]]],
                    files: Mapping[SessionRef, Iterable[bytes]]) -> dict[SessionRef, str]:
    """Per session: the digest of its rows of each table (`tables`: name -> (table, rows per session)) and of
    whole per-session files (`files`, e.g. telemetry)."""
    parts: dict[SessionRef, list[str]] = {}
    for name, (table, index) in tables.items():
        hashes = row_hashes(table)
        for ref, rows in index.items():
            parts.setdefault(ref, []).append(digest(hashes[np.asarray(rows)], name))
    for ref, contents in files.items():
        parts.setdefault(ref, []).extend(hashlib.blake2b(c, digest_size=12).hexdigest() for c in contents)
    return {ref: combine(p) for ref, p in parts.items()}
