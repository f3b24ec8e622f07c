"""The Jolpica source: which endpoints make which lake table, for a season or for the whole history."""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any, Protocol

import pyarrow as pa
from pydantic import BaseModel

from transforms.jolpica import normalise
from transforms.jolpica.ids import IdMap
from transforms.jolpica.models import Circuit, Constructor, Driver, Race, Season, StandingsList, Status, parse_items
from transforms.schemas import TABLES

log = logging.getLogger("undercut.jolpica")

Normaliser = Callable[[list[Any], IdMap, str], pa.Table]


class ItemSource(Protocol):
    """Where API items come from: the API itself (JolpicaClient) or Jolpica's database dump (DumpClient)."""

    base_url: str

    def get_all(self, path: str) -> list[dict[str, Any]]: ...


@dataclass(frozen=True)
class Endpoint:
    path: str  # after the optional "{season}/" (and "{round}/" when per_round)
    model: type[BaseModel]
    normalise: Normaliser
    per_round: bool = False  # the API serves it one race at a time


REFERENCE_ENDPOINTS: dict[str, Endpoint] = {
    "seasons": Endpoint("seasons", Season, lambda items, _ids, origin: normalise.seasons(items, origin)),
    "circuits": Endpoint("circuits", Circuit, normalise.circuits),
    "constructors": Endpoint("constructors", Constructor, normalise.constructors),
    "drivers": Endpoint("drivers", Driver, normalise.drivers),
    "status": Endpoint("status", Status, normalise.status),
}
SEASON_ENDPOINTS: dict[str, Endpoint] = {
    "races": Endpoint("races", Race, normalise.races),
    "results": Endpoint("results", Race, normalise.results),
    "sprint_results": Endpoint("sprint", Race, normalise.sprint_results),
    "qualifying": Endpoint("qualifying", Race, normalise.qualifying),
    "pit_stops": Endpoint("pitstops", Race, normalise.pit_stops, per_round=True),
    "lap_times": Endpoint("laps", Race, normalise.lap_times, per_round=True),
    "driver_standings": Endpoint("driverStandings", StandingsList, normalise.driver_standings, per_round=True),
    "constructor_standings": Endpoint("constructorStandings", StandingsList, normalise.constructor_standings,
                                      per_round=True),
}
DERIVED_TABLES = ("constructor_results",)  # from results + sprint results; the API has no such endpoint
TABLE_NAMES: tuple[str, ...] = (*REFERENCE_ENDPOINTS, *SEASON_ENDPOINTS, *DERIVED_TABLES)

# Historical tables the lake has but the API does not serve: these only come from the archive.
NOT_IN_API = ("safety_cars", "virtual_safety_cars", "red_flags")

CONSTRUCTORS_CHAMPIONSHIP_FROM = 1958  # Ergast has no constructor results before the championship existed


class JolpicaSource:
    """Builds lake tables from the API. Ids go through ``ids``; keep one source (and IdMap) per run so responses
    fetched once (a season's results, the calendar) are reused by every table that needs them."""

    def __init__(self, client: ItemSource, ids: IdMap) -> None:
        self.client = client
        self.ids = ids
        self._parsed_items: dict[tuple[type[Any], str], list[Any]] = {}
        self._registered_seasons: set[int] = set()

    def seasons(self) -> list[int]:
        return sorted(s.season for s in self._parsed(Season, "seasons"))

    def table(self, name: str, season: int | None = None, *, skip_rounds: Collection[int] = ()) -> pa.Table:
        """One lake table: a reference table (``season=None`` for all history, or just one season's entries) or
        a season table (``season`` required; per-round tables cover the rounds that have results, except
        ``skip_rounds``: another source has those)."""
        self._check(name, season)
        table = self._build(name, season, skip_rounds)
        log.info("jolpica %s%s: %d rows", name, "" if season is None else f" {season}", table.num_rows)
        return table

    def _check(self, name: str, season: int | None) -> None:
        if name in NOT_IN_API:
            raise ValueError(f"{name!r} is not served by the Jolpica API (it has no safety-car, VSC or red-flag "
                             "data); read it from the archive")
        if name not in TABLE_NAMES:
            raise ValueError(f"unknown Jolpica table {name!r}; expected one of {', '.join(TABLE_NAMES)}")
        if season is None and name not in REFERENCE_ENDPOINTS:
            raise ValueError(f"{name!r} is a per-season table: pass season=")
        if season is not None and season not in (known := self.seasons()):
            span = f"{known[0]}-{known[-1]}" if known else "none"
            raise ValueError(f"season {season} is not in the Jolpica API (seasons: {span})")

    def _build(self, name: str, season: int | None, skip_rounds: Collection[int] = ()) -> pa.Table:
        if name in REFERENCE_ENDPOINTS:
            endpoint = REFERENCE_ENDPOINTS[name]
            path = endpoint.path if season is None else f"{season}/{endpoint.path}"
            return endpoint.normalise(self._parsed(endpoint.model, path), self.ids, self._origin(path))
        assert season is not None  # _check: every other table is per season
        self.register_season(season)
        if name == "constructor_results":
            if season < CONSTRUCTORS_CHAMPIONSHIP_FROM:
                return TABLES[name].schema.empty_table()
            return normalise.constructor_results(self._build("results", season),
                                                 self._build("sprint_results", season),
                                                 self._origin(f"{season}/results+sprint"))
        endpoint = SEASON_ENDPOINTS[name]
        if endpoint.per_round:
            rounds = [r for r in self._rounds(season) if r not in skip_rounds]
            paths = [f"{season}/{round_}/{endpoint.path}" for round_ in rounds]
            origin = self._origin(f"{season}/{{round}}/{endpoint.path}")
        else:
            paths = [f"{season}/{endpoint.path}"]
            origin = self._origin(paths[0])
        items = [item for path in paths for item in self._parsed(endpoint.model, path)]
        if endpoint.model is Race:
            self._learn_statuses(items)
        return endpoint.normalise(items, self.ids, origin)

    def register_season(self, season: int) -> None:
        """Number a season's new races, circuits, drivers and constructors up front, from the calendar and the
        season's entry lists, so their ids do not depend on which table of the season is built first."""
        if season in self._registered_seasons:
            return
        calendar = self._parsed(Race, f"{season}/races")
        self.ids.register("race", ((r.season, r.round) for r in calendar))
        self.ids.register("circuit", (r.circuit.circuit_id for r in calendar))
        self.ids.register("driver", (d.driver_id for d in self._parsed(Driver, f"{season}/drivers")))
        self.ids.register("constructor",
                          (c.constructor_id for c in self._parsed(Constructor, f"{season}/constructors")))
        self._registered_seasons.add(season)

    def _learn_statuses(self, races: list[Race]) -> None:
        """Adopt the API's own statusIds (Ergast's) before an unseen status text would be numbered max+1."""
        texts = [x.status for race in races for x in (*race.results, *race.sprint_results)]
        if self.ids.unknown("status", texts):
            self._build("status", None)

    def _rounds(self, season: int) -> list[int]:
        """Rounds that have been raced: the ones with results (the calendar also lists future rounds)."""
        return sorted({race.round for race in self._parsed(Race, f"{season}/results")})

    def _parsed(self, model: type[Any], path: str) -> list[Any]:
        if (model, path) not in self._parsed_items:
            self._parsed_items[model, path] = parse_items(model, self.client.get_all(path), origin=self._origin(path))
        return self._parsed_items[model, path]

    def _origin(self, path: str) -> str:
        return f"{self.client.base_url}/{path}"

