"""Drivers' championship odds by Monte Carlo over the remaining calendar.

Each remaining event (Grand Prix or sprint) is simulated for every title contender at once: a driver's finishing
order comes from their expected finishing position plus normal noise, with retirements sent to the back; points
follow the season's system. Ties on points are broken by countback (more wins, then more second places), as the
FIA does (a full dead heat is split at random). The fastest-lap bonus point (2019-2024, top-ten finishers only) is not modelled: it is worth at most one
point per race and cannot be predicted from finishing-position strength.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, Self

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

RACE_POINTS_FROM_2010 = (25, 18, 15, 12, 10, 8, 6, 4, 2, 1)
RACE_POINTS_2003_2009 = (10, 8, 6, 5, 4, 3, 2, 1)
SPRINT_POINTS_FROM_2022 = (8, 7, 6, 5, 4, 3, 2, 1)
SPRINT_POINTS_2021 = (3, 2, 1)
EventKind = Literal["race", "sprint"]


def points_system(season: int, kind: EventKind = "race") -> tuple[int, ...]:
    """Points for P1, P2, ... of a Grand Prix or a sprint in ``season`` (2003 onwards)."""
    if kind == "sprint":
        if season >= 2022:
            return SPRINT_POINTS_FROM_2022
        if season == 2021:
            return SPRINT_POINTS_2021
        raise ValueError(f"there were no sprints in {season}")
    if season >= 2010:
        return RACE_POINTS_FROM_2010
    if season >= 2003:
        return RACE_POINTS_2003_2009
    raise ValueError(f"points systems before 2003 are not supported (got {season})")


class ChampionshipInput(BaseModel):
    """Standings now plus how strong each driver is expected to be in the remaining events."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    season: int = Field(ge=2003, le=2100)
    drivers: tuple[str, ...] = Field(min_length=2)
    points: tuple[float, ...]
    wins: tuple[int, ...] | None = None
    expected_position: tuple[float, ...]
    position_sd: float = Field(default=3.0, gt=0, le=20)
    dnf_prob: float = Field(default=0.07, ge=0, le=1)
    remaining_events: tuple[EventKind, ...]

    @model_validator(mode="after")
    def _aligned(self) -> Self:
        n = len(self.drivers)
        for name in ("points", "expected_position", "wins"):
            value = getattr(self, name)
            if value is not None and len(value) != n:
                raise ValueError(f"{name} has {len(value)} entries for {n} drivers")
        if len(set(self.drivers)) != n:
            raise ValueError("driver ids must be unique")
        return self


def simulate_championship(
    inputs: ChampionshipInput,
    n_simulations: int = 10000,
    seed: int = 0,
    team_of: Mapping[str, str] | None = None,
    team_points: Mapping[str, float] | None = None,
) -> dict[str, object]:
    """Title probability and expected final points per driver, best first. With ``team_of`` (driver -> team of
    the drivers still racing) and ``team_points`` (constructors' standings), also the constructors' title: a
    team's points now plus its drivers' simulated points (ties are split at random)."""
    rng = np.random.default_rng(seed)
    n = len(inputs.drivers)
    start = np.asarray(inputs.points, dtype=np.float64)
    points = np.tile(start, (n_simulations, 1))
    wins = np.tile(np.asarray(inputs.wins or (0,) * n, dtype=np.int64), (n_simulations, 1))
    seconds = np.zeros((n_simulations, n), dtype=np.int64)
    strength = np.asarray(inputs.expected_position, dtype=np.float32)
    races = np.arange(n_simulations)
    for kind in inputs.remaining_events:
        system = np.asarray(points_system(inputs.season, kind)[:n], dtype=np.float64)
        score = strength + np.float32(inputs.position_sd) * rng.standard_normal((n_simulations, n), dtype=np.float32)
        score[rng.random((n_simulations, n), dtype=np.float32) < inputs.dnf_prob] += np.float32(1e6)
        finishers = np.argsort(score, axis=1)[:, : system.size]  # scoring finishers, winner first
        points[races[:, None], finishers] += system
        if kind == "race":
            wins[races, finishers[:, 0]] += 1
            seconds[races, finishers[:, 1]] += 1
    # Countback: points first, then wins, then second places (scaled so they never outweigh a point); a complete
    # dead heat is settled by a coin toss rather than by the order of the input.
    key = points * 1e6 + wins * 1e3 + seconds + 0.5 * rng.random((n_simulations, n))
    out: dict[str, object] = {
        "season": inputs.season,
        "remaining_events": len(inputs.remaining_events),
        "n_simulations": n_simulations,
        "fastest_lap_point_modelled": False,
        "drivers": [e | {"driver_id": inputs.drivers[i]}
                    for i, e in _title_table(key, points, start)],
    }
    if team_of is not None and team_points is not None:
        teams = sorted(team_points)
        gained = points - start
        team_start = np.array([team_points[t] for t in teams])
        member = np.array([[team_of.get(d) == t for t in teams] for d in inputs.drivers], dtype=np.float64)
        team_final = team_start + gained @ member
        team_key = team_final + 0.5 * rng.random(team_final.shape)
        out["constructors"] = [e | {"constructor_id": teams[i]}
                               for i, e in _title_table(team_key, team_final, team_start)]
    return out


def _title_table(key: np.ndarray, points: np.ndarray, start: np.ndarray) -> list[tuple[int, dict[str, float]]]:
    """(column, stats) best first: title probability (share of simulations with the highest key) and points."""
    n_simulations, n = points.shape
    title = np.bincount(np.argmax(key, axis=1), minlength=n) / n_simulations
    mean_points = points.mean(axis=0)
    p05, p95 = np.percentile(points, [5, 95], axis=0)
    return [
        (int(i), {
            "points": float(start[i]),
            "title_probability": round(float(title[i]), 4),
            "expected_points": round(float(mean_points[i]), 1),
            "points_p05": float(p05[i]),
            "points_p95": float(p95[i]),
        })
        for i in np.argsort(-title - mean_points * 1e-9)
    ]
