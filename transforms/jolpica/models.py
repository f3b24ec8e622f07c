"""Boundary validation of Jolpica (Ergast-compatible) JSON: only the fields we normalise.

Attributes are snake_case; the wire's camelCase names come from the alias generator and its PascalCase objects
(``Circuit``, ``Results``, ...) from explicit aliases. Numbers arrive as strings and are coerced by pydantic.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, ValidationError
from pydantic.alias_generators import to_camel

from transforms.exceptions import JolpicaResponseError

# A lap time or pit-stop duration: "25.012", "1:37.284", "40:55.302" (h:mm:ss.sss also accepted).
Duration = Annotated[str, StringConstraints(pattern=r"^\d+(:\d\d){0,2}(\.\d+)?$")]


class _Wire(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, frozen=True)


class Season(_Wire):
    season: int
    url: str | None = None


class Location(_Wire):
    lat: float | None = None
    long: float | None = None
    locality: str | None = None
    country: str | None = None


class Circuit(_Wire):
    circuit_id: str
    url: str | None = None
    circuit_name: str
    location: Location = Field(default_factory=Location, alias="Location")


class Driver(_Wire):
    driver_id: str
    permanent_number: int | None = None
    code: str | None = None
    url: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    date_of_birth: dt.date | None = None
    nationality: str | None = None


class Constructor(_Wire):
    constructor_id: str
    url: str | None = None
    name: str | None = None
    nationality: str | None = None


class Status(_Wire):
    # The API prints "" for a status text it has no Ergast id for; the database dump has texts and no ids at all.
    status_id: Annotated[int | None, BeforeValidator(lambda v: None if v == "" else v)] = None
    status: str


class SessionTime(_Wire):
    date: dt.date
    time: str | None = None  # absent before ~2005 / for 2021 sprint weekends


class ResultTime(_Wire):
    millis: int | None = None
    time: str


class LapTime(_Wire):
    time: str


class AverageSpeed(_Wire):
    speed: float


class FastestLap(_Wire):
    rank: int | None = None
    lap: int | None = None
    time: LapTime | None = Field(None, alias="Time")
    average_speed: AverageSpeed | None = Field(None, alias="AverageSpeed")


class Result(_Wire):
    """A race or sprint classification row. ``position`` is Ergast's positionOrder (always set); the classified
    position is ``position_text`` when it is numeric (otherwise R, D, E, W, F, N)."""

    number: int | None = None
    position: int
    position_text: str
    points: float | None = None
    driver: Driver = Field(alias="Driver")
    constructor: Constructor = Field(alias="Constructor")
    grid: int | None = None
    laps: int | None = None
    status: str | None = None
    time: ResultTime | None = Field(None, alias="Time")
    fastest_lap: FastestLap | None = Field(None, alias="FastestLap")


class QualifyingResult(_Wire):
    number: int | None = None
    position: int
    driver: Driver = Field(alias="Driver")
    constructor: Constructor = Field(alias="Constructor")
    q1: str | None = Field(None, alias="Q1")
    q2: str | None = Field(None, alias="Q2")
    q3: str | None = Field(None, alias="Q3")


class Timing(_Wire):
    driver_id: str
    position: int | None = None
    time: Duration | None = None


class Lap(_Wire):
    number: int
    timings: list[Timing] = Field(alias="Timings")


class PitStop(_Wire):
    driver_id: str
    lap: int | None = None
    stop: int | None = None
    time: str | None = None  # local time of day, e.g. "15:05:43"
    duration: Duration | None = None  # "25.012", or "40:55.302" when it spans a red flag


class Race(_Wire):
    season: int
    round: int
    url: str | None = None
    race_name: str
    circuit: Circuit = Field(alias="Circuit")
    date: dt.date
    time: str | None = None
    first_practice: SessionTime | None = Field(None, alias="FirstPractice")
    second_practice: SessionTime | None = Field(None, alias="SecondPractice")
    third_practice: SessionTime | None = Field(None, alias="ThirdPractice")
    qualifying: SessionTime | None = Field(None, alias="Qualifying")
    sprint: SessionTime | None = Field(None, alias="Sprint")
    sprint_qualifying: SessionTime | None = Field(None, alias="SprintQualifying")  # 2024 onwards
    sprint_shootout: SessionTime | None = Field(None, alias="SprintShootout")  # 2023
    results: list[Result] = Field(default_factory=list, alias="Results")
    sprint_results: list[Result] = Field(default_factory=list, alias="SprintResults")
    qualifying_results: list[QualifyingResult] = Field(default_factory=list, alias="QualifyingResults")
    laps: list[Lap] = Field(default_factory=list, alias="Laps")
    pit_stops: list[PitStop] = Field(default_factory=list, alias="PitStops")


class DriverStanding(_Wire):
    position: int | None = None  # Jolpica omits it for a few excluded drivers (positionText "-")
    position_text: str
    points: float
    wins: int
    driver: Driver = Field(alias="Driver")

    @property
    def ref(self) -> str:
        return self.driver.driver_id


class ConstructorStanding(_Wire):
    position: int | None = None
    position_text: str
    points: float
    wins: int
    constructor: Constructor = Field(alias="Constructor")

    @property
    def ref(self) -> str:
        return self.constructor.constructor_id


class StandingsList(_Wire):
    season: int
    round: int
    driver_standings: list[DriverStanding] = Field(default_factory=list, alias="DriverStandings")
    constructor_standings: list[ConstructorStanding] = Field(default_factory=list, alias="ConstructorStandings")


M = TypeVar("M", bound=BaseModel)


def parse_items(model: type[M], items: list[dict[str, Any]], *, origin: str) -> list[M]:
    """Validate the merged items of a table; a failure names the origin and the offending item."""
    parsed = []
    for i, item in enumerate(items):
        try:
            parsed.append(model.model_validate(item))
        except ValidationError as exc:
            raise JolpicaResponseError(f"{origin}: item {i} is not a valid {model.__name__}: {exc}",
                                       url=origin) from exc
    return parsed


class _Paging(BaseModel):
    limit: int
    offset: int
    total: int


@dataclass(frozen=True)
class Page:
    limit: int
    offset: int
    total: int
    items: list[dict[str, Any]]  # the one list inside the page's *Table object (Races, Drivers, StandingsLists, ...)


def parse_page(url: str, body: Any) -> Page:
    """Check the ``MRData`` envelope shared by every endpoint and pull out its table's item list."""
    try:
        mrdata = body["MRData"]
        paging = _Paging.model_validate(mrdata)
        (table,) = [value for key, value in mrdata.items() if key.endswith("Table")]
        (items,) = [value for value in table.values() if isinstance(value, list)]
    except (TypeError, KeyError, ValueError) as exc:  # pydantic's ValidationError is a ValueError
        raise JolpicaResponseError(f"{url}: not an Ergast MRData page with one table: {exc}", url=url) from exc
    if paging.limit <= 0 and paging.total > paging.offset:
        raise JolpicaResponseError(f"{url}: page limit {paging.limit} would never reach total {paging.total}",
                                   url=url)
    return Page(paging.limit, paging.offset, paging.total, items)
