"""Race-weekend precompute tables: the circuits' safety-car odds, the next race's strategies for the whole field,
what-if alternatives of finished races and championship odds. Plain functions over the marts (see
:mod:`simulation.marts`); the strategy assets only call the runners here and publish what they return.

Next-race strategies share the work across drivers: the plan shortlist depends only on the circuit and the weather,
so it is generated once, and the whole real field (every driver at the ML-predicted pace and grid slot) is raced
once. Every car draws one of the shortlisted plans uniformly in each simulated race, so a single batch of about
``plans x 10,000`` races gives every driver ``10,000`` races on every plan (the first 10,000 races in which the
driver drew it) against rivals spread over the same plans — instead of one field per driver and plan (20x the work).
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from simulation.championship import ChampionshipInput, EventKind, simulate_championship
from simulation.climate import race_weather, read_editions
from simulation.defaults import default_circuit
from simulation.engine import CarEntry, SimResult, simulate
from simulation.fitting import (
    RaceFit,
    fit_circuit_params,
    fit_race_models,
    fit_start_noise,
    is_finished,
    observed_passes_per_race,
)
from simulation.marts import FittingTables, MartTables
from simulation.params import CircuitParams, EventParams, RaceParams, WeatherParams, degradation_multiplier
from simulation.race_safety_car import with_race_model
from simulation.recommend import CANDIDATES_PER_STOP_COUNT, FIELD_PACE_STEP_S, conditional_mean, position_stats
from simulation.safety_car import circuit_safety_car_table, event_params
from simulation.strategies import Plan, generate_plans, shortlist
from simulation.whatif import alternatives_table, replay_from_tables
from transforms.sessions import race_key
from transforms.warehouse import Warehouse, read_frame

SAFETY_CAR_TABLE = "circuit_safety_car_probability"

N_PER_PLAN = 10_000
# Races simulated per plan on average: enough that every driver draws every plan N_PER_PLAN times.
DRAW_MARGIN = 1.06
# Paired simulations per what-if alternative of a finished race: P(gain/same/loss) within +-0.035 (one standard
# error); ~20,000 alternatives over 2018-2025 then take about a minute on two cores.
ALTERNATIVE_SIMULATIONS = 200
# Title odds per race: 5,000 seasons put the standard error of a probability under 0.007.
CHAMPIONSHIP_SIMULATIONS = 5_000


def _next_race(races: pd.DataFrame) -> pd.Series | None:
    upcoming = races[races["is_next_race"].fillna(False).astype(bool)]
    return upcoming.iloc[0] if len(upcoming) else None


def safety_car_table(tables: MartTables, covariates: pd.DataFrame) -> pd.DataFrame:
    """The SC table for every circuit with history, keyed like the marts (circuit_id int + circuit_ref), as seen
    from the next race's season (the last season with results when no race is ahead): the circuit rates with
    the per-race model's P(>=1 SC) (:func:`simulation.race_safety_car.with_race_model`, fitted on ``covariates``
    of the races held so far)."""
    races = tables.races
    held = races[races["has_results"].fillna(False).astype(bool)]
    upcoming = _next_race(races)
    season = int(held["season"].max() if upcoming is None else upcoming["season"])
    circuit_table = circuit_safety_car_table(tables.fitting.sc_history, held, season)
    table = with_race_model(circuit_table, covariates, season, pd.Timestamp(held["race_start_at"].max())
                            + pd.Timedelta(seconds=1), tables.street_circuits)
    calendar = set(races.loc[races["season"] == season, "circuit_id"])
    circuits = tables.circuits.set_index("circuit_ref")
    table = table.rename(columns={"circuit_id": "circuit_ref"})
    table.insert(0, "circuit_id", table["circuit_ref"].map(circuits["circuit_key"]).astype("Int64"))
    table.insert(2, "circuit_name", table["circuit_ref"].map(circuits["circuit_name"]))
    table.insert(3, "on_current_calendar", table["circuit_ref"].isin(calendar))
    table["reference_season"] = season
    return table


@dataclass(frozen=True)
class Entrant:
    """A driver of the next race: ML-predicted finish position (mean, std) and grid slot."""

    driver_id: int
    predicted_position_mean: float
    predicted_position_std: float
    grid_slot: int


def field_cars(entrants: list[Entrant], plans: tuple[Plan, ...], circuit: CircuitParams) -> list[CarEntry]:
    """The real field; pace in proportion to the predicted position as in the single-driver recommender."""
    return [
        CarEntry(
            car_id=str(e.driver_id),
            plans=plans,
            pace_offset_s=FIELD_PACE_STEP_S * (e.predicted_position_mean - 1.0),
            pace_sd_s=float(np.hypot(FIELD_PACE_STEP_S * e.predicted_position_std, circuit.race_pace_sd_s)),
            grid_slot=e.grid_slot,
        )
        for e in entrants
    ]


def _simulate_until_covered(cars: list[CarEntry], race: RaceParams, n_plans: int, n_per_plan: int,
                            seed: int) -> SimResult:
    """Simulate until every car drew every plan at least ``n_per_plan`` times (one batch in practice)."""
    parts: list[SimResult] = []
    batch = math.ceil(n_plans * n_per_plan * DRAW_MARGIN)
    while True:
        parts.append(simulate(cars, race, batch, seed=seed + len(parts)))
        result = SimResult.concat(parts)
        counts = np.stack([(result.plan_index == k).sum(axis=0) for k in range(n_plans)])
        if counts.min() >= n_per_plan:
            return result
        batch = math.ceil(n_plans * (n_per_plan - counts.min()) * 2)


def field_strategies(
    race: RaceParams, entrants: list[Entrant], n_per_plan: int = N_PER_PLAN, seed: int = 0
) -> tuple[pd.DataFrame, dict[tuple[int, int], np.ndarray]]:
    """Ranked strategies for every entrant (the recommender's ranking entries, one row per driver and plan) and
    the simulated finishing positions per (driver, strategy_id) for plots."""
    c = race.circuit
    deg_mult = degradation_multiplier(c, race.weather)
    two_compounds = not race.weather.is_wet_race
    candidates = shortlist(c, generate_plans(c, require_two_compounds=two_compounds, deg_multiplier=deg_mult),
                           CANDIDATES_PER_STOP_COUNT, deg_mult)
    plans = tuple(plan for plan, _ in candidates)
    result = _simulate_until_covered(field_cars(entrants, plans, c), race, len(plans), n_per_plan, seed)
    neutralised = (result.sc_laps > 0) | (result.vsc_laps > 0)
    n_cars = len(result.car_ids)
    rows: list[dict[str, Any]] = []
    positions: dict[tuple[int, int], np.ndarray] = {}
    for d, e in enumerate(entrants):
        entries = []
        for k, (plan, screen_s) in enumerate(candidates):
            races = np.flatnonzero(result.plan_index[:, d] == k)[:n_per_plan]
            position = result.position[races, d].astype(np.int64)
            positions[(e.driver_id, k)] = position
            with_sc = conditional_mean(position, neutralised[races])
            without_sc = conditional_mean(position, ~neutralised[races])
            stats = position_stats(position, n_cars)
            entries.append({
                "driver_id": e.driver_id,
                "predicted_position_mean": round(e.predicted_position_mean, 3),
                "predicted_position_std": round(e.predicted_position_std, 3),
                "grid_slot": e.grid_slot,
                "strategy_id": k,
                "label": plan.label,
                "stops": plan.stops,
                "compound_sequence": [x.value for x in plan.compounds],
                "stop_laps": list(plan.stop_laps),
                **{key: v for key, v in stats.items() if key != "position_distribution"},
                "position_distribution": [stats["position_distribution"][str(i + 1)] for i in range(n_cars)],
                "dnf_probability": round(float(np.mean(~result.finished[races, d])), 4),
                "mean_stops_made": round(float(result.stops[races, d].mean()), 3),
                "expected_position_with_neutralisation": with_sc,
                "expected_position_without_neutralisation": without_sc,
                "sc_benefit": round(without_sc - with_sc, 3) if with_sc is not None and without_sc is not None
                else 0.0,
                "mean_laps_held_up": round(float(result.laps_held[races, d].mean()), 2),
                "mean_time_s": float(result.race_time_s[races, d].mean()),
                "clean_air_time_s": round(screen_s, 2),
                "n_simulations": int(races.size),
            })
        best_time = min(x["mean_time_s"] for x in entries)
        for x in entries:
            x["mean_time_to_best_s"] = round(x.pop("mean_time_s") - best_time, 2)
        entries.sort(key=lambda x: (x["expected_position"], x["mean_time_to_best_s"]))
        rows += [x | {"rank": rank} for rank, x in enumerate(entries, start=1)]
    return pd.DataFrame(rows), positions


def fitted_circuit_until(tables: FittingTables, fits: list[RaceFit], circuit_ref: str, race_laps: int,
                         track_temp_c: pd.Series) -> CircuitParams:
    """Circuit parameters fitted on ``tables`` and their races' lap-time ``fits`` (pass only what was known
    before the race: the walk-forward evaluation does), the neutralisations from the SC history and the
    temperature effect from the races' mean track temperatures (``track_temp_c`` by race_id)."""
    own_laps = tables.laps[tables.laps["circuit_id"] == circuit_ref]
    passes = observed_passes_per_race(own_laps if len(own_laps) else tables.laps)
    return fit_circuit_params(circuit_ref, fits, tables.stints, tables.pit_stops, tables.sc_history,
                              tables.results, passes_per_race=passes, race_laps=race_laps,
                              start_noise_s=fit_start_noise(tables.laps, tables.results), track_temp_c=track_temp_c)


def fitted_circuit(tables: FittingTables, circuit_ref: str, race_laps: int, events: EventParams,
                   track_temp_c: pd.Series) -> CircuitParams:
    """Circuit parameters fitted on ``tables``, with the neutralisations taken from the safety-car table
    (``events``)."""
    circuit = fitted_circuit_until(tables, fit_race_models(tables.laps), circuit_ref, race_laps, track_temp_c)
    return circuit.model_copy(update={"events": events})


def race_track_temps(warehouse: Warehouse) -> pd.Series:
    """Mean race-session track temperature (°C) by race_id."""
    return read_frame(warehouse, "select race_id, avg(track_temp_c) as track_temp_c from marts.fct_session_weather "
                      "where session_code = 'R' group by race_id order by race_id").set_index("race_id")[
        "track_temp_c"]


@dataclass(frozen=True)
class NextRacePlans:
    """The next race's ranked plans for every entrant (``rows``: the published table, one row per driver and
    plan), the simulated finishing positions per (driver_id, strategy_id), the weather raced in and the time spent
    fitting and simulating."""

    race_key: str
    rows: pd.DataFrame
    positions: dict[tuple[int, int], np.ndarray]
    weather: WeatherParams
    fit_s: float
    simulation_s: float


def next_race_key(races: pd.DataFrame) -> str | None:
    """The race key of the calendar's next race (``marts.dim_races`` flags it); None when none is ahead."""
    race = _next_race(races)
    return None if race is None else race_key(int(race["season"]), int(race["round"]))


def _next_race_circuit(warehouse: Warehouse, tables: MartTables, race: pd.Series, held: pd.DataFrame
                       ) -> CircuitParams:
    """The circuit fitted on the marts, with the published safety-car row's events (built-in ones without)."""
    sc_row = read_frame(warehouse, f"select * from marts.{SAFETY_CAR_TABLE} where circuit_ref = ?",
                        [race["circuit_id"]])
    events = event_params(sc_row.iloc[0]) if len(sc_row) else default_circuit(race["circuit_id"])[0].events
    results = tables.fitting.results
    latest_laps = results[results["race_id"].isin(held["race_id"])].sort_values("season")
    race_laps = int(race["race_laps"]) if pd.notna(race["race_laps"]) else int(
        latest_laps.groupby("race_id")["laps_completed"].max().iloc[-1])
    circuit = fitted_circuit(tables.fitting, race["circuit_id"], race_laps, events, race_track_temps(warehouse))
    return circuit.model_copy(update={"stint_limit_laps": stint_limit_laps(race["max_stint_laps"])})


def stint_limit_laps(max_stint_laps: float | None) -> int | None:
    """A race's published maximum laps on one set of slicks (``dim_races.max_stint_laps``; null when none)."""
    return None if max_stint_laps is None or pd.isna(max_stint_laps) else int(max_stint_laps)


def predicted_entrants(warehouse: Warehouse, race_id: int) -> list[Entrant]:
    """The race's entrants at their ML-predicted finish position, on the grid: the real qualifying order once the
    race has qualified, else the predicted one (the predicted finish rank where qualifying has no prediction)."""
    predictions = read_frame(warehouse, "select * from marts.predictions_race_entries where race_id = ? "
                             "order by driver_id",  # the entrants' order decides each car's random draws
                             [race_id])
    grid = (predictions["actual_qualifying_position"].fillna(predictions["predicted_qualifying_position"])
            .fillna(predictions["predicted_finish_rank"]))
    return [
        Entrant(int(d), float(m), float(s), int(g))
        for d, m, s, g in zip(predictions["driver_id"], predictions["predicted_finish_position_mean"],
                              predictions["predicted_finish_position_std"], grid.rank(method="first"), strict=True)
    ]


def next_race_plans(warehouse: Warehouse, tables: MartTables) -> NextRacePlans:
    """Every entrant's ranked plans for the next race (:func:`field_strategies`): the circuit fitted on the marts,
    the published SC table's events, the weekend's (or the circuit's) weather, the ML-predicted field."""
    race = _next_race(tables.races)
    if race is None:
        raise ValueError("no next race in marts.dim_races")
    started = time.perf_counter()
    races = tables.races
    held = races[(races["circuit_id"] == race["circuit_id"]) & races["has_results"].fillna(False)]
    circuit = _next_race_circuit(warehouse, tables, race, held)
    weather = race_weather(read_editions(warehouse), int(race["race_id"]), int(race["circuit_key"]),
                           pd.Timestamp(race["race_start_at"]))
    fit_s = time.perf_counter() - started
    entrants = predicted_entrants(warehouse, int(race["race_id"]))
    started = time.perf_counter()
    rows, positions = field_strategies(RaceParams(circuit=circuit, weather=weather), entrants)
    simulation_s = time.perf_counter() - started
    rows.insert(0, "race_id", int(race["race_id"]))
    rows.insert(1, "circuit_ref", race["circuit_id"])
    return NextRacePlans(race_key=race_key(int(race["season"]), int(race["round"])), rows=rows,
                         positions=positions, weather=weather, fit_s=fit_s, simulation_s=simulation_s)


def race_alternatives(
    tables: FittingTables, race_ids: Sequence[int], n_simulations: int
) -> Iterator[tuple[int, pd.DataFrame]]:
    """Every driver's what-if alternatives (:func:`simulation.whatif.alternatives_table`) for each finished race,
    race by race as ``(race_id, table)``, seeded with the race id. Races without laps or stints are skipped. The
    lap-time fits and the per-race slices of the tables are prepared once for all races."""
    with_data = set(tables.stints["race_id"]) & set(tables.laps["race_id"]) & set(tables.results["race_id"])
    wanted = [r for r in race_ids if r in with_data]
    laps = dict(tuple(tables.laps[tables.laps["race_id"].isin(wanted)].groupby("race_id", sort=False)))
    stints = dict(tuple(tables.stints[tables.stints["race_id"].isin(wanted)].groupby("race_id", sort=False)))
    results = dict(tuple(tables.results[tables.results["race_id"].isin(wanted)].groupby("race_id", sort=False)))
    # One small least-squares fit per race: BLAS threads would only fight the simulator's threads for the cores.
    with threadpool_limits(limits=1, user_api="blas"):
        pace = {fit.race_id: fit.driver_pace_s for fit in fit_race_models(pd.concat(laps.values()))} if laps else {}
    for race_id in wanted:
        entries = results[race_id]
        circuit = default_circuit(entries["circuit_id"].iloc[0])[0]
        replay = replay_from_tables(race_id, laps[race_id], stints[race_id], entries, circuit, pace.get(race_id, {}))
        frame = alternatives_table(replay, n_simulations, seed=race_id)
        frame.insert(0, "race_id", race_id)
        yield race_id, frame


def championship_inputs(results: pd.DataFrame, standings: pd.DataFrame, races: pd.DataFrame,
                        race_id: int) -> tuple[ChampionshipInput, dict[str, str], dict[str, float]]:
    """Drivers' standings after ``race_id``, each driver's strength (recency-weighted finishing position over
    their last FORM_RACES classified finishes) and the season's remaining events; plus driver -> constructor of this race and
    the constructors' points (for the constructors' title)."""
    race = races[races["race_id"] == race_id].iloc[0]
    season, round_ = int(race["season"]), int(race["round"])
    drivers = standings[(standings["race_id"] == race_id) & (standings["championship"] == "drivers")]
    constructors = standings[(standings["race_id"] == race_id) & (standings["championship"] == "constructors")]
    history = results[(results["season"] < season) | ((results["season"] == season) & (results["round"] <= round_))]
    # Form from classified finishes: retirements are simulated separately (dnf_prob), not as a slow car.
    history = history[is_finished(history["status"])]
    history = history.sort_values(["season", "round"]).groupby("driver_id").tail(FORM_RACES)
    age = history.groupby("driver_id").cumcount(ascending=False)
    weight = 0.5 ** (age / FORM_HALF_LIFE_RACES)
    form = (history["position_order"] * weight).groupby(history["driver_id"]).sum() / weight.groupby(
        history["driver_id"]).sum()
    this_race = results[results["race_id"] == race_id]
    entered = set(this_race["driver_id"])
    # Drivers who were not in this race (replaced, injured) are not expected to score again.
    strength = [float(form.get(d, len(drivers))) if d in entered else ABSENT_POSITION for d in drivers["driver_id"]]
    season_results = results[(results["season"] == season) & (results["round"] <= round_)]
    later = races[(races["season"] == season) & (races["round"] > round_)].sort_values("round")
    events: list[EventKind] = []
    for sprint in later["is_sprint_weekend"].fillna(False).astype(bool):
        events += ["sprint", "race"] if sprint else ["race"]
    inputs = ChampionshipInput(
        season=season,
        drivers=tuple(str(d) for d in drivers["driver_id"]),
        points=tuple(float(p) for p in drivers["points"]),
        wins=tuple(int(w) for w in drivers["wins"].fillna(0)),
        expected_position=tuple(strength),
        dnf_prob=float(np.clip(1.0 - is_finished(season_results["status"]).mean(), 0.02, 0.3)),
        remaining_events=tuple(events),
    )
    team_of = {str(d): str(t) for d, t in zip(this_race["driver_id"], this_race["constructor_id"], strict=True)}
    team_points = {str(t): float(p) for t, p in zip(constructors["constructor_id"], constructors["points"],
                                                     strict=True)}
    return inputs, team_of, team_points


FORM_RACES = 10
FORM_HALF_LIFE_RACES = 3.0
ABSENT_POSITION = 100.0


def championship_table(results: pd.DataFrame, standings: pd.DataFrame, races: pd.DataFrame, race_id: int,
                       n_simulations: int = 10_000, seed: int = 0) -> pd.DataFrame:
    """Title probabilities after ``race_id``: one row per driver and per constructor (``championship``)."""
    inputs, team_of, team_points = championship_inputs(results, standings, races, race_id)
    odds = simulate_championship(inputs, n_simulations, seed, team_of=team_of, team_points=team_points)
    drivers, teams = cast(list[dict[str, Any]], odds["drivers"]), cast(list[dict[str, Any]], odds["constructors"])
    rows = [{"championship": "drivers", "driver_id": int(d["driver_id"]), "constructor_id": None, **_odds(d)}
            for d in drivers]
    rows += [{"championship": "constructors", "driver_id": None, "constructor_id": int(t["constructor_id"]),
              **_odds(t)} for t in teams]
    frame = pd.DataFrame(rows).astype({"driver_id": "Int64", "constructor_id": "Int64"})
    return frame.assign(race_id=race_id, season=inputs.season, remaining_events=len(inputs.remaining_events),
                        n_simulations=n_simulations)


def title_odds(warehouse: Warehouse, tables: MartTables, race_ids: Sequence[int],
               n_simulations: int = CHAMPIONSHIP_SIMULATIONS) -> Iterator[tuple[int, pd.DataFrame]]:
    """:func:`championship_table` after each race that has standings (seeded with the race id), race by race as
    ``(race_id, table)``; races without standings yet are skipped."""
    standings = read_frame(warehouse, "select race_id, championship, driver_id, constructor_id, points, wins "
                           "from marts.fct_standings order by race_id, championship, driver_id, constructor_id")
    after = set(standings["race_id"])
    for race_id in race_ids:
        if race_id in after:
            yield race_id, championship_table(tables.fitting.results, standings, tables.races, race_id,
                                              n_simulations, seed=race_id)


def _odds(entry: dict[str, Any]) -> dict[str, Any]:
    return {k: entry[k] for k in ("points", "title_probability", "expected_points", "points_p05", "points_p95")}
