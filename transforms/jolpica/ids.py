"""Ergast numeric ids for the API's natural keys.

The API names drivers, constructors and circuits by ref strings (``"hamilton"``), races by (season, round) and
statuses by text; the lake's Ergast tables use integers. :class:`IdMap` holds those mappings, seeded from the
reference tables the caller already has, and hands out new ids for keys it has never seen.

Row ids the API has no notion of (resultId, qualifyId, driverStandingsId, constructorStandingsId,
constructorResultsId) come from :func:`row_id`, a pure function of the row's natural key.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Literal

import pyarrow as pa

log = logging.getLogger("undercut.jolpica")

Kind = Literal["driver", "constructor", "circuit", "race", "status"]
Key = str | tuple[int, int]  # a ref or status text; (year, round) for races

# Where each kind's mapping lives in its Ergast reference table: key column(s) → id column.
SEED_COLUMNS: dict[Kind, tuple[tuple[str, ...], str]] = {
    "driver": (("driverRef",), "driverId"),
    "constructor": (("constructorRef",), "constructorId"),
    "circuit": (("circuitRef",), "circuitId"),
    "race": (("year", "round"), "raceId"),
    "status": (("status",), "statusId"),
}


class IdMap:
    """Natural key → Ergast id, per kind.

    New keys get ``max(known ids) + 1, + 2, ...`` in *sorted key order*, so which id a new driver gets depends only
    on the seed and on the set of keys registered together, never on the order rows arrive in. The caller persists
    the resulting reference tables and seeds the next run from them, so ids are stable across runs.
    """

    def __init__(self) -> None:
        self._ids: dict[Kind, dict[Key, int]] = {kind: {} for kind in SEED_COLUMNS}

    @classmethod
    def from_tables(cls, *, drivers: pa.Table | None = None, constructors: pa.Table | None = None,
                    circuits: pa.Table | None = None, races: pa.Table | None = None,
                    status: pa.Table | None = None) -> IdMap:
        ids = cls()
        seeds: dict[Kind, pa.Table | None] = {"driver": drivers, "constructor": constructors, "circuit": circuits,
                                              "race": races, "status": status}
        for kind, table in seeds.items():
            if table is not None:
                ids.seed(kind, table)
        return ids

    def seed(self, kind: Kind, table: pa.Table) -> None:
        """Adopt the mappings of an Ergast reference table (``drivers``, ``races``, ...)."""
        key_columns, id_column = SEED_COLUMNS[kind]
        missing = [c for c in (*key_columns, id_column) if c not in table.column_names]
        if missing:
            raise ValueError(f"cannot seed {kind} ids: table lacks column(s) {missing}")
        columns = [table.column(c).to_pylist() for c in key_columns]
        keys: list[Key] = columns[0] if len(columns) == 1 else list(zip(*columns, strict=True))
        self.add(kind, zip(keys, table.column(id_column).to_pylist(), strict=True))

    def add(self, kind: Kind, pairs: Iterable[tuple[Key | None, int | None]]) -> None:
        """Adopt known key → id pairs. The first mapping of a key, or of an id, wins: a later pair that contradicts
        it is ignored, so seeding never renumbers rows the lake already holds."""
        known = self._ids[kind]
        taken = set(known.values())
        for key, id_ in pairs:
            if key is None or id_ is None or key in known or id_ in taken:
                continue
            known[key] = id_
            taken.add(id_)

    def unknown(self, kind: Kind, keys: Iterable[Key | None]) -> list[Key]:
        known = self._ids[kind]
        # Keys of one kind are all strings or all (year, round) pairs, so they sort.
        return sorted({k for k in keys if k is not None and k not in known})  # type: ignore[type-var]

    def register(self, kind: Kind, keys: Iterable[Key | None]) -> None:
        """Give every unseen key a new id (max + 1, ... in sorted key order)."""
        new = self.unknown(kind, keys)
        if not new:
            return
        known = self._ids[kind]
        first = max(known.values(), default=0) + 1
        known.update((key, first + i) for i, key in enumerate(new))
        log.info("new %s ids %d..%d for %s", kind, first, first + len(new) - 1, new)

    def id(self, kind: Kind, key: Key) -> int:
        try:
            return self._ids[kind][key]
        except KeyError:
            raise KeyError(f"no {kind} id for {key!r}: register it first") from None

    def optional_id(self, kind: Kind, key: Key | None) -> int | None:
        return None if key is None else self.id(kind, key)


# Row ids: raceId * stride + member, where member is the row's position in a classification (results, sprint
# results, qualifying; unique per race by construction) or its driverId / constructorId (standings, constructor
# results: the declared primary key). Ergast's own sequential ids are all far below the stride, so API rows can
# sit next to archive rows without colliding.
ROW_ID_STRIDE = 1_000_000


def row_id(race_id: int, member: int) -> int:
    if not 0 <= member < ROW_ID_STRIDE:
        raise ValueError(f"row id member {member} of race {race_id} is outside 0..{ROW_ID_STRIDE - 1}")
    return race_id * ROW_ID_STRIDE + member
