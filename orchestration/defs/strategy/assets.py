"""Strategy precompute assets: thin Dagster skin over simulation.safety_car / simulation.precompute.

Race-partitioned assets run as single-run backfills (they loop over ``context.partition_keys``); which race
partitions to recompute after new data is `race_refresh_sensor`'s call (orchestration/defs/races/sensors.py):
``eager`` would re-mark every old partition whenever the unpartitioned marts upstream change."""

import time
from typing import Any

import pandas as pd
from dagster import (
    AssetExecutionContext,
    AssetKey,
    AutomationCondition,
    BackfillPolicy,
    MaterializeResult,
    asset,
)

from orchestration.defs.races.partitions import race_partitions
from orchestration.defs.resources import UndercutResource
from orchestration.lib.plots import plot_metadata
from simulation import plots, precompute
from simulation.defaults import default_circuit
from simulation.marts import MartTables, load_marts
from simulation.params import RaceParams
from simulation.precompute import ALTERNATIVE_SIMULATIONS
from simulation.safety_car import circuit_safety_car_table, event_params
from transforms.derived import Publisher, publish
from transforms.sessions import race_key
from transforms.settings import Settings
from transforms.warehouse import read_frame

GROUP = "strategy"
SC_TABLE = "circuit_safety_car_probability"
NEXT_RACE_TABLE = "next_race_strategy"
ALTERNATIVES_TABLE = "alternative_strategies"
ODDS_TABLE = "championship_odds"
ALL_LAP_SEASONS = 100
# Title odds per race: 5,000 seasons put the standard error of a probability under 0.007.
CHAMPIONSHIP_SIMULATIONS = 5_000


def marts(*names: str) -> list[AssetKey]:
    return [AssetKey(["marts", n]) for n in names]


def _race_ids(tables: MartTables) -> dict[str, int]:
    races = tables.races
    return {race_key(int(s), int(r)): int(i) for s, r, i in zip(races["season"], races["round"], races["race_id"],
                                                                strict=True)}


def _names(settings: Settings) -> dict[str, dict[int, str]]:
    drivers = read_frame(settings.warehouse, "select driver_id, driver_code, driver_ref from marts.dim_drivers")
    teams = read_frame(settings.warehouse, "select constructor_id, constructor_ref from marts.dim_constructors")
    return {"driver_id": dict(zip(drivers["driver_id"], drivers["driver_code"].fillna(drivers["driver_ref"]),
                                  strict=True)),
            "constructor_id": dict(zip(teams["constructor_id"], teams["constructor_ref"], strict=True))}


def safety_car_table(tables: MartTables) -> pd.DataFrame:
    """The SC table for every circuit with history, keyed like the marts (circuit_id int + circuit_ref)."""
    races = tables.races
    held = races[races["has_results"].fillna(False).astype(bool)]
    upcoming = races[races["is_next_race"].fillna(False).astype(bool)]
    season = int((upcoming if len(upcoming) else held)["season"].max())  # the season of the next race
    table = circuit_safety_car_table(tables.fitting.sc_history, held, season)
    calendar = set(races.loc[races["season"] == season, "circuit_id"])
    circuits = tables.circuits.set_index("circuit_ref")
    table = table.rename(columns={"circuit_id": "circuit_ref"})
    table.insert(0, "circuit_id", table["circuit_ref"].map(circuits["circuit_key"]).astype("Int64"))
    table.insert(2, "circuit_name", table["circuit_ref"].map(circuits["circuit_name"]))
    table.insert(3, "on_current_calendar", table["circuit_ref"].isin(calendar))
    table["reference_season"] = season
    return table


@asset(
    group_name=GROUP, key=["marts", SC_TABLE], kinds={"duckdb"},
    deps=marts("fct_safety_car_periods", "dim_races", "dim_circuits"),
    automation_condition=AutomationCondition.eager(),
    description="Per circuit: P(>=1 SC), P(VSC only), P(red flag), expected SC/VSC counts and the SC start-lap "
                "distribution; recency-weighted (half-life 4 seasons), empirical-Bayes shrunk to the global rate",
)
def circuit_safety_car_probability(context: AssetExecutionContext, undercut: UndercutResource) -> MaterializeResult:
    settings = undercut.settings
    table = safety_car_table(load_marts(settings.warehouse, lap_seasons=0))
    published = publish(settings, SC_TABLE, table)
    current = table[table["on_current_calendar"]]
    context.log.info(f"{len(table)} circuits, prior strengths {table.attrs.get('prior_strength')}")
    return MaterializeResult(metadata={
        "rows": published.rows,
        "current_calendar_circuits": len(current),
        **{f"prior_strength.{k}": v for k, v in table.attrs.get("prior_strength", {}).items()},
        **plot_metadata(plots.safety_car_bars(current), settings.home / "plots" / f"{SC_TABLE}.png"),
    })


@asset(
    group_name=GROUP, key=["marts", NEXT_RACE_TABLE], kinds={"duckdb"},
    deps=[*marts(SC_TABLE, "fct_laps", "fct_stints", "fct_pit_stops", "fct_results", "fct_session_weather",
                 "dim_races", "predictions_race_entries")],
    partitions_def=race_partitions, backfill_policy=BackfillPolicy.single_run(),
    description="For every driver of the next race: the shortlisted strategies ranked by full-field Monte Carlo "
                "(10,000 races per driver and plan) with fitted circuit parameters, ML-predicted pace and grid, "
                "the SC table and the weekend's (or the circuit's) weather. Other race partitions are skipped.",
)
def next_race_strategy(context: AssetExecutionContext, undercut: UndercutResource) -> MaterializeResult:
    settings = undercut.settings
    tables = load_marts(settings.warehouse)
    upcoming = tables.races[tables.races["is_next_race"].fillna(False).astype(bool)]
    next_key = race_key(int(upcoming["season"].iloc[0]), int(upcoming["round"].iloc[0])) if len(upcoming) else None
    skipped = [k for k in context.partition_keys if k != next_key]
    if skipped:
        context.log.info(f"{len(skipped)} partitions are not the next race ({next_key}): nothing to precompute")
    if next_key not in context.partition_keys:
        return MaterializeResult(metadata={"rows": 0, "next_race": str(next_key), "skipped_partitions": len(skipped)})
    race = upcoming.iloc[0]
    started = time.perf_counter()
    sc_row = read_frame(settings.warehouse, f"select * from marts.{SC_TABLE} where circuit_ref = ?",
                        [race["circuit_id"]])
    events = event_params(sc_row.iloc[0]) if len(sc_row) else default_circuit(race["circuit_id"])[0].events
    held = tables.races[(tables.races["circuit_id"] == race["circuit_id"]) & tables.races["has_results"].fillna(False)]
    results = tables.fitting.results
    latest_laps = results[results["race_id"].isin(held["race_id"])].sort_values("season")
    race_laps = int(race["race_laps"]) if pd.notna(race["race_laps"]) else int(
        latest_laps.groupby("race_id")["laps_completed"].max().iloc[-1])
    circuit = precompute.fitted_circuit(tables.fitting, race["circuit_id"], race_laps, events)
    weather_samples = read_frame(settings.warehouse, "select race_id, air_temp_c, track_temp_c, humidity_pct, "
                                 "is_raining from marts.fct_session_weather where session_code = 'R' "
                                 "order by race_id, sample_session_time_s")
    own = weather_samples["race_id"] == race["race_id"]
    weather = precompute.circuit_climate(weather_samples, [int(race["race_id"])] if own.any() else
                                         held.sort_values("season")["race_id"].tail(precompute.CLIMATE_EDITIONS)
                                         .tolist())
    fitted_s = time.perf_counter() - started
    predictions = read_frame(settings.warehouse, "select * from marts.predictions_race_entries where race_id = ? "
                             "order by driver_id",  # the entrants' order decides each car's random draws
                             [int(race["race_id"])])
    grid = predictions["predicted_qualifying_position"].fillna(predictions["predicted_finish_rank"])
    entrants = [
        precompute.Entrant(int(d), float(m), float(s), int(g))
        for d, m, s, g in zip(predictions["driver_id"], predictions["predicted_finish_position_mean"],
                              predictions["predicted_finish_position_std"], grid.rank(method="first"), strict=True)
    ]
    started = time.perf_counter()
    rows, positions = precompute.field_strategies(RaceParams(circuit=circuit, weather=weather), entrants)
    simulated_s = time.perf_counter() - started
    rows.insert(0, "race_id", int(race["race_id"]))
    rows.insert(1, "circuit_ref", race["circuit_id"])
    published = publish(settings, NEXT_RACE_TABLE, rows, race=next_key)
    names = _names(settings)["driver_id"]
    best = rows[rows["rank"] == 1]
    return MaterializeResult(metadata={
        "rows": published.rows,
        "next_race": next_key,
        "drivers": int(rows["driver_id"].nunique()),
        "plans": int(rows["strategy_id"].nunique()),
        "simulations_per_plan": int(rows["n_simulations"].min()),
        "fit_seconds": round(fitted_s, 2),
        "simulation_seconds": round(simulated_s, 2),
        "track_temp_c": weather.track_temp_c or 0.0,
        "rain_probability": weather.rain_probability,
        "most_recommended_plan": str(best["label"].mode().iloc[0]),
        **plot_metadata(plots.position_fan(rows, positions, names),
                        settings.home / "plots" / NEXT_RACE_TABLE / f"{next_key}.png", "fan_chart"),
    })


@asset(
    group_name=GROUP, key=["marts", ALTERNATIVES_TABLE], kinds={"duckdb"},
    deps=marts("fct_laps", "fct_stints", "fct_results", "dim_races"),
    partitions_def=race_partitions, backfill_policy=BackfillPolicy.single_run(),
    description="Every driver's what-if alternatives of a finished race (each stop 3 laps earlier/later, each "
                f"stint on another compound): replayed race, {ALTERNATIVE_SIMULATIONS} paired simulations each, "
                "position- and time-delta distributions",
)
def alternative_strategies(context: AssetExecutionContext, undercut: UndercutResource) -> MaterializeResult:
    settings = undercut.settings
    tables = load_marts(settings.warehouse, lap_seasons=ALL_LAP_SEASONS)
    ids = _race_ids(tables)
    keys = {ids[k]: k for k in context.partition_keys if k in ids}
    started, rows, done = time.perf_counter(), 0, []
    with Publisher(settings) as publisher:
        for race_id, frame in precompute.race_alternatives(tables.fitting, list(keys), ALTERNATIVE_SIMULATIONS):
            rows += publisher.publish(ALTERNATIVES_TABLE, frame, race=keys[race_id]).rows
            done.append(keys[race_id])
    skipped = len(context.partition_keys) - len(done)
    if skipped:
        context.log.info(f"{skipped} partitions without stint data (not run yet, or no timing): skipped")
    return MaterializeResult(metadata={"rows": rows, "races": len(done), "skipped_partitions": skipped,
                                       "simulations_per_alternative": ALTERNATIVE_SIMULATIONS,
                                       "seconds": round(time.perf_counter() - started, 1)})


@asset(
    group_name=GROUP, key=["marts", ODDS_TABLE], kinds={"duckdb"},
    deps=marts("fct_standings", "fct_results", "dim_races"),
    partitions_def=race_partitions, backfill_policy=BackfillPolicy.single_run(),
    description="Drivers' and constructors' title probabilities after the race, simulating the rest of the "
                "season's calendar (races and sprints) from the standings and each driver's recent form",
)
def championship_odds(context: AssetExecutionContext, undercut: UndercutResource) -> MaterializeResult:
    settings = undercut.settings
    tables = load_marts(settings.warehouse, lap_seasons=0)
    ids = _race_ids(tables)
    standings = read_frame(settings.warehouse, "select race_id, championship, driver_id, constructor_id, points, "
                           "wins from marts.fct_standings order by race_id, championship, driver_id, constructor_id")
    after = set(standings["race_id"])
    rows, last, last_key = 0, None, ""
    with Publisher(settings) as publisher:
        for key in context.partition_keys:
            race_id = ids.get(key)
            if race_id is None or race_id not in after:
                context.log.info(f"{key}: no standings after this race yet: skipped")
                continue
            last = precompute.championship_table(tables.fitting.results, standings, tables.races, race_id,
                                                 CHAMPIONSHIP_SIMULATIONS, seed=race_id)
            rows += publisher.publish(ODDS_TABLE, last, race=key).rows
            last_key = key
    metadata: dict[str, Any] = {"rows": rows}
    if last is not None:
        leader = last[last["championship"] == "drivers"].iloc[0]
        metadata |= {"last_race_id": int(last["race_id"].iloc[0]), "leader_driver_id": int(leader["driver_id"]),
                     "leader_title_probability": float(leader["title_probability"]),
                     **plot_metadata(plots.title_odds(last, _names(settings)),
                                     settings.home / "plots" / ODDS_TABLE / f"{last_key}.png")}
    return MaterializeResult(metadata=metadata)


strategy_assets = [circuit_safety_car_probability, next_race_strategy, alternative_strategies, championship_odds]
