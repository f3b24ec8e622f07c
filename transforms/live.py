"""The live source: Jolpica for the historical tables (its database dump, then the API for what is newer), FastF1
for race weekends from ``Settings.fastf1_first_season`` on (all with on-disk caches)."""

from __future__ import annotations

import datetime as dt
import logging
from functools import cached_property

import pyarrow as pa

from transforms import fastf1_loader
from transforms.exceptions import DumpError
from transforms.jolpica import NOT_IN_API, IdMap, JolpicaClient, JolpicaSource
from transforms.jolpica.dump import fetch_dump
from transforms.jolpica.dump_tables import DumpClient
from transforms.jolpica.history import JolpicaHistory
from transforms.lake import Lake
from transforms.schemas import TABLES, Partitioning
from transforms.sessions import SessionRef
from transforms.settings import Settings
from transforms.sources import SourceUnavailableError

log = logging.getLogger("undercut.live")

SESSION_DURATION = dt.timedelta(hours=3)  # a session's data is final a while after its scheduled start


class LiveSource:
    def __init__(self, settings: Settings, *, now: dt.datetime | None = None) -> None:
        self.settings = settings
        self.now = now or settings.clock()
        self.lake = Lake(settings.lake_uri)
        self.jolpica = JolpicaSource(JolpicaClient(settings.jolpica_url, settings.cache_dir / "jolpica"),
                                     self._ids_from_lake())
        self._loaded: tuple[SessionRef, bool, dict[str, pa.Table]] | None = None
        self._ff1_cache = settings.cache_dir / "fastf1"
        self._ff1_replay = settings.fastf1_http_cache  # a frozen HTTP cache implies offline replay

    def _ids_from_lake(self) -> IdMap:
        # Ids assigned by earlier runs live in the lake's reference tables: seed from them so they stay stable.
        seeds = {name: self.lake.read_all(TABLES[name]) for name in ("drivers", "constructors", "circuits", "races",
                                                                     "status")}
        return IdMap.from_tables(**{k: (v if v.num_rows else None) for k, v in seeds.items()})

    @cached_property
    def history(self) -> JolpicaHistory:
        """Opened on first use: the dump is downloaded (or found in the cache) only when history is asked for."""
        url = self.settings.jolpica_dump_url
        try:
            dump = DumpClient(fetch_dump(url, self.settings.cache_dir / "jolpica_dump")) if url else None
        except DumpError as exc:  # the CLI reports an unusable source in one line, with what to do
            raise SourceUnavailableError(f"{exc}. To read the whole history through the API instead (slow: 500 "
                                         "requests an hour), set UNDERCUT_JOLPICA_DUMP_URL to nothing") from exc
        return JolpicaHistory(self.jolpica, dump)

    def seasons(self) -> list[int]:
        return [s for s in self.history.seasons() if s <= self.now.year]

    def historical_table(self, name: str, season: int | None = None) -> pa.Table:
        if name in NOT_IN_API:
            return TABLES[name].schema.empty_table()  # archive-only history; dbt derives periods from track status
        return self.history.table(name, season if TABLES[name].partitioning is Partitioning.SEASON else None)

    @cached_property
    def _race_ids(self) -> dict[tuple[int, int], int]:
        races = self.lake.read_all(TABLES["races"]).to_pylist()
        return {(r["year"], r["round"]): r["raceId"] for r in races}

    def sessions(self) -> list[SessionRef]:
        out = []
        for season in range(self.settings.fastf1_first_season, self.now.year + 1):
            for ref, start in fastf1_loader.list_sessions(season, cache_dir=self._ff1_cache,
                                                          http_cache_dir=self._ff1_replay,
                                                          offline=self._ff1_replay is not None):
                if start + SESSION_DURATION <= self.now:
                    out.append(ref)
        return out

    def session_versions(self) -> dict[SessionRef, str]:
        # FastF1 publishes a session once, final (see SESSION_DURATION): being listed is its version. Revisions
        # of results come through Jolpica's season tables, whose current-season pages the cache expires.
        return dict.fromkeys(self.sessions(), "listed")

    def weekend_table(self, name: str, session: SessionRef) -> pa.Table:
        telemetry = name == "car_telemetry"
        if self._loaded is None or self._loaded[0] != session or (telemetry and not self._loaded[1]):
            # One FastF1 load serves every table of the session; telemetry only when that asset asks.
            tables = fastf1_loader.load_session(session, telemetry=telemetry, cache_dir=self._ff1_cache,
                                                ergast_race_id=self._race_ids.get((session.season, session.round)),
                                                http_cache_dir=self._ff1_replay, offline=self._ff1_replay is not None)
            self._loaded = (session, telemetry, tables)
        return self._loaded[2][name]
