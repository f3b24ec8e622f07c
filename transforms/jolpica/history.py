"""The historical Ergast tables from Jolpica: its database dump where the dump has them, the API for the rest.

A season whose every round has results in the dump comes from the dump alone. A season the dump holds in part (the
one under way when the dump was made) takes its calendar, results and qualifying from the API (a few pages, with any
revision since) and its per-round tables (laps, pit stops, standings) from the dump for the rounds it has, the API
for the rounds after them. Seasons newer than the dump come from the API. The reference tables are the dump's,
plus the API's entries of those newer seasons. The dump has no Ergast status ids: the API's status list gives them.

Both sources share one IdMap, and every season is numbered once, oldest first, by the source that owns its
calendar (the dump for complete seasons, else the API): ids depend on the data only, never on which table a process
builds first.
"""

from __future__ import annotations

import logging

import pyarrow as pa

from transforms.jolpica.dump_tables import DumpClient
from transforms.jolpica.source import REFERENCE_ENDPOINTS, SEASON_ENDPOINTS, JolpicaSource
from transforms.schemas import TABLES

log = logging.getLogger("undercut.jolpica")

PER_ROUND = frozenset(name for name, endpoint in SEASON_ENDPOINTS.items() if endpoint.per_round)


class JolpicaHistory:
    def __init__(self, api: JolpicaSource, dump: DumpClient | None) -> None:
        self.api = api
        self.dump = dump
        if dump is None:
            return
        self.from_dump = JolpicaSource(dump, api.ids)
        self.final = dump.final_seasons()
        self.newer = [s for s in self.seasons() if s not in self.final]
        # Ergast's status ids from the API first, then the texts only the dump has; then every season in order.
        self.api.table("status")
        self.from_dump.table("status")
        for season in self.seasons():
            (self.from_dump if season in self.final else self.api).register_season(season)
        log.info("jolpica history: %d seasons from the dump, %s from the API", len(self.final),
                 ", ".join(map(str, self.newer)) or "none")

    def seasons(self) -> list[int]:
        api = self.api.seasons()
        return sorted(set(api) | set(self.from_dump.seasons())) if self.dump is not None else api

    def table(self, name: str, season: int | None = None) -> pa.Table:
        if self.dump is None:
            return self.api.table(name, season)
        if name in REFERENCE_ENDPOINTS:
            return self._reference(name)
        assert season is not None  # every other table is per season (JolpicaSource checks it)
        if season in self.final:
            return self.from_dump.table(name, season)
        if name in PER_ROUND and season in self.from_dump.seasons():
            held = self.dump.raced_rounds(season)
            return pa.concat_tables([self.from_dump.table(name, season),
                                     self.api.table(name, season, skip_rounds=held)])
        return self.api.table(name, season)

    def _reference(self, name: str) -> pa.Table:
        """The API's rows first (newer, and its status ids are Ergast's), then the dump's other rows."""
        if name in ("seasons", "status"):
            parts = [self.api.table(name), self.from_dump.table(name)]
        else:
            parts = [*(self.api.table(name, season) for season in self.newer), self.from_dump.table(name)]
        key = TABLES[name].primary_key
        seen: set[tuple[object, ...]] = set()
        keep = []
        table = pa.concat_tables(parts)
        for i, row in enumerate(zip(*(table.column(k).to_pylist() for k in key), strict=True)):
            if row not in seen:
                seen.add(row)
                keep.append(i)
        return table.take(keep)
