"""`undercut serve`: the strategy engine and the precomputed marts over HTTP (FastAPI).

`/strategy` is the seed recommender's endpoint (GET with query parameters, POST with the same fields as JSON), the
engine behind `undercut strategy`. The other endpoints read the marts, race-keyed ("2025-15" = season 2025, round
15) where it applies. Each request reads the latest committed warehouse snapshot through a cursor of its own: a
refresh committing meanwhile is neither blocked nor seen half-done."""

from __future__ import annotations

import math
from typing import Annotated, Any

from fastapi import FastAPI, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.responses import Response

from insights.narration import LENGTHS, LOCALES, TONES
from simulation.request import StrategyRequest
from transforms.settings import Settings
from transforms.warehouse import Warehouse, reading

MAX_BODY_BYTES = 64 * 1024  # a strategy request is a few hundred bytes
RaceKey = Annotated[str, Path(pattern=r"^\d{4}-\d{2}$", description="season-round, e.g. 2025-15")]


class _BodyLimit(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
            return JSONResponse({"detail": f"body larger than {MAX_BODY_BYTES} bytes"}, status_code=413)
        return await call_next(request)


def _clean(value: Any) -> Any:
    """JSON-safe: NaN -> null, numpy/Decimal scalars -> Python, nested lists/dicts recursively."""
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if hasattr(value, "item"):
        return _clean(value.item())
    return value


def _rows(warehouse: Warehouse, sql: str, params: list[object] | None = None) -> list[dict[str, Any]]:
    with reading(warehouse) as cursor:
        result = cursor.execute(sql, params or [])
        names = [d[0] for d in result.description]
        return [_clean(dict(zip(names, row, strict=True))) for row in result.fetchall()]


def create_app(settings: Settings) -> FastAPI:
    warehouse = settings.warehouse
    app = FastAPI(title="undercut", description=__doc__, version="1")
    app.add_middleware(_BodyLimit)

    def rows(sql: str, params: list[object] | None = None) -> list[dict[str, Any]]:
        return _rows(warehouse, sql, params)

    @app.get("/health")
    def health() -> dict[str, Any]:
        return {"status": "ok", "warehouse": warehouse.described()}

    def _recommend(request: StrategyRequest) -> dict[str, Any]:
        from simulation.defaults import CIRCUIT_DEFAULTS
        from simulation.recommend import recommend  # the engine (Numba): loaded at the first strategy asked for

        if request.circuit_id is not None and request.circuit_id not in CIRCUIT_DEFAULTS:
            raise HTTPException(404, f"unknown circuit_id {request.circuit_id!r}; known: "
                                     f"{', '.join(sorted(CIRCUIT_DEFAULTS))}")
        return _clean(recommend(request))  # type: ignore[no-any-return]

    @app.get("/strategy", summary="Rank strategies for one driver (full-field Monte Carlo)")
    def strategy_get(request: Annotated[StrategyRequest, Query()]) -> dict[str, Any]:
        return _recommend(request)

    @app.post("/strategy", summary="The same as GET /strategy, the inputs as a JSON body")
    def strategy_post(request: StrategyRequest) -> dict[str, Any]:
        return _recommend(request)

    def race_rows(race_key: str, sql: str, params: list[object]) -> list[dict[str, Any]]:
        """Rows of one race (`sql` takes the race key first): one query; the calendar is asked only when there are
        none, to tell an unknown race (404) from a race with nothing computed yet ([])."""
        found = rows(sql, [race_key, *params])
        if not found and not rows("select 1 from marts.dim_races where race_key = ?", [race_key]):
            raise HTTPException(404, f"no race {race_key} in the calendar")
        return found

    @app.get("/races/next", summary="The next race of the calendar")
    def next_race() -> dict[str, Any]:
        found = rows("select race_key, race_id, season, round, race_name, circuit_ref, race_date "
                     "from marts.dim_races as d where is_next_race")
        if not found:
            raise HTTPException(404, "the calendar has no next race")
        return found[0]

    @app.get("/races/next/strategy", summary="Precomputed strategies of every entrant of the next race")
    def next_race_strategy(driver_id: int | None = None) -> list[dict[str, Any]]:
        return rows("select s.* from marts.next_race_strategy as s join marts.dim_races as d "
                    "on d.is_next_race and s.race_key = d.race_key where ? is null or s.driver_id = ? "
                    "order by s.driver_id, s.rank", [driver_id, driver_id])

    @app.get("/races/{race_key}/strategy", summary="Strategies precomputed before the race, per entrant")
    def race_strategy(race_key: RaceKey, driver_id: int | None = None) -> list[dict[str, Any]]:
        return race_rows(race_key, "select * from marts.next_race_strategy where race_key = ? "
                                   "and (? is null or driver_id = ?) order by driver_id, rank", [driver_id, driver_id])

    @app.get("/races/{race_key}/predictions", summary="Pre-race qualifying and finish predictions per driver")
    def predictions(race_key: RaceKey) -> list[dict[str, Any]]:
        return race_rows(race_key, "select * from marts.predictions_race_entries "
                                   "where race_id = (select race_id from marts.dim_races where race_key = ?) "
                                   "order by predicted_finish_rank", [])

    @app.get("/races/{race_key}/championship-odds", summary="Title odds after this race")
    def championship_odds(race_key: RaceKey) -> list[dict[str, Any]]:
        return race_rows(race_key, "select * from marts.championship_odds where race_key = ? "
                                   "order by championship, title_probability desc", [])

    @app.get("/races/{race_key}/battle-forecast", summary="Per lap, the battles and how likely an overtake is")
    def battle_forecast(race_key: RaceKey,
                        lap_number: int | None = Query(default=None, ge=1)) -> list[dict[str, Any]]:
        return race_rows(race_key, "select * from marts.battle_forecast where race_key = ? "
                                   "and (? is null or lap_number = ?) order by lap_number, position",
                         [lap_number, lap_number])

    @app.get("/races/{race_key}/time-lost", summary="Seconds each car lost to pit stops, traffic, SC/VSC, mistakes")
    def time_lost(race_key: RaceKey) -> list[dict[str, Any]]:
        return race_rows(race_key, "select * from marts.time_lost where race_key = ? "
                                   "order by driver_total_s desc, driver_id, lap_number, category", [])

    @app.get("/races/{race_key}/stories", summary="The race's stories, narrated")
    def stories(race_key: RaceKey, language: str = "en", tone: str | None = None,
                length: str | None = None) -> list[dict[str, Any]]:
        for name, value, allowed in (("language", language, LOCALES), ("tone", tone, TONES),
                                     ("length", length, LENGTHS)):
            if value is not None and value not in allowed:
                raise HTTPException(422, [{"loc": ["query", name], "msg": f"one of {', '.join(allowed)}",
                                           "input": value}])
        return race_rows(race_key, "select story_rank, kind, priority, lap_number, driver_codes, language, tone, "
                                   "length, text from marts.race_stories where race_key = ? "
                                   "and language = ? and (? is null or tone = ?) and (? is null or length = ?) "
                                   "order by story_rank, tone, length", [language, tone, tone, length, length])

    @app.get("/circuits/safety-car", summary="SC / VSC / red-flag probabilities of every circuit")
    def safety_car_all() -> list[dict[str, Any]]:
        return rows("select * from marts.circuit_safety_car_probability order by circuit_ref")

    @app.get("/circuits/{circuit_ref}/safety-car", summary="SC / VSC / red-flag probabilities of one circuit")
    def safety_car(circuit_ref: Annotated[str, Path(max_length=64)]) -> dict[str, Any]:
        found = rows("select * from marts.circuit_safety_car_probability where circuit_ref = ?", [circuit_ref])
        if not found:
            raise HTTPException(404, f"no circuit {circuit_ref!r} (GET /circuits/safety-car lists them)")
        return found[0]

    return app

