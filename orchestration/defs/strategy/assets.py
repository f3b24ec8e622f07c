"""Strategy precompute assets: a thin Dagster skin over simulation.precompute's runners (they read the marts and
simulate; an asset publishes what they return, with its metadata and figure).

Race-partitioned assets run as single-run backfills (they loop over ``context.partition_keys``); which race
partitions to recompute after new data is `race_refresh_sensor`'s call (orchestration/defs/races/sensors.py):
``eager`` would re-mark every old partition whenever the unpartitioned marts upstream change."""

import time
from typing import Any

from dagster import (
    AssetExecutionContext,
    AutomationCondition,
    BackfillPolicy,
    MaterializeResult,
    asset,
)

from orchestration.defs.races.partitions import race_partitions
from orchestration.defs.resources import UndercutResource
from orchestration.lib.keys import marts, race_ids
from orchestration.lib.plots import plot_metadata
from simulation import plots, precompute
from simulation.marts import ALL_LAP_SEASONS, load_labels, load_marts
from simulation.precompute import ALTERNATIVE_SIMULATIONS, CHAMPIONSHIP_SIMULATIONS
from simulation.precompute import SAFETY_CAR_TABLE as SC_TABLE
from simulation.race_safety_car import read_covariates
from transforms.derived import Publisher, publish

GROUP = "strategy"
NEXT_RACE_TABLE = "next_race_strategy"
ALTERNATIVES_TABLE = "alternative_strategies"
ODDS_TABLE = "championship_odds"


@asset(
    group_name=GROUP, key=["marts", SC_TABLE], kinds={"duckdb"},
    deps=marts("fct_safety_car_periods", "dim_races", "dim_circuits", "fct_results", "fct_qualifying",
               "fct_session_weather", "fct_laps"),
    automation_condition=AutomationCondition.eager(),
    description="Per circuit: P(>=1 SC) from the per-race model (shrunk circuit rate + street circuit, logistic "
                "regression), P(VSC only), P(red flag), expected SC/VSC counts and the SC start-lap distribution; "
                "recency-weighted (half-life 4 seasons), empirical-Bayes shrunk to the global rate",
)
def circuit_safety_car_probability(context: AssetExecutionContext, undercut: UndercutResource) -> MaterializeResult:
    settings = undercut.settings
    table = precompute.safety_car_table(load_marts(settings.warehouse, lap_seasons=0),
                                        read_covariates(settings.warehouse))
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
    next_key = precompute.next_race_key(tables.races)
    skipped = [k for k in context.partition_keys if k != next_key]
    if skipped:
        context.log.info(f"{len(skipped)} partitions are not the next race ({next_key}): nothing to precompute")
    if next_key not in context.partition_keys:
        return MaterializeResult(metadata={"rows": 0, "next_race": str(next_key), "skipped_partitions": len(skipped)})
    plans = precompute.next_race_plans(settings.warehouse, tables)
    rows, weather = plans.rows, plans.weather
    published = publish(settings, NEXT_RACE_TABLE, rows, race=next_key)
    names = load_labels(settings.warehouse)["driver_id"]
    best = rows[rows["rank"] == 1]
    return MaterializeResult(metadata={
        "rows": published.rows,
        "next_race": next_key,
        "drivers": int(rows["driver_id"].nunique()),
        "plans": int(rows["strategy_id"].nunique()),
        "simulations_per_plan": int(rows["n_simulations"].min()),
        "fit_seconds": round(plans.fit_s, 2),
        "simulation_seconds": round(plans.simulation_s, 2),
        "track_temp_c": weather.track_temp_c or 0.0,
        "rain_probability": weather.rain_probability,
        "most_recommended_plan": str(best["label"].mode().iloc[0]),
        **plot_metadata(plots.position_fan(rows, plans.positions, names),
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
    keys = {race_id: key for key, race_id in race_ids(settings.warehouse, context.partition_keys).items()}
    tables = load_marts(settings.warehouse, lap_seasons=ALL_LAP_SEASONS, races=list(keys))
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
    keys = {race_id: key for key, race_id in race_ids(settings.warehouse, context.partition_keys).items()}
    rows, done, last = 0, [], None
    with Publisher(settings) as publisher:
        for race_id, odds in precompute.title_odds(settings.warehouse, tables, list(keys), CHAMPIONSHIP_SIMULATIONS):
            rows += publisher.publish(ODDS_TABLE, odds, race=keys[race_id]).rows
            done.append(keys[race_id])
            last = odds
    skipped = len(context.partition_keys) - len(done)
    if skipped:
        context.log.info(f"{skipped} partitions without standings after the race yet: skipped")
    metadata: dict[str, Any] = {"rows": rows}
    if last is not None:
        leader = last[last["championship"] == "drivers"].iloc[0]
        metadata |= {"last_race_id": int(last["race_id"].iloc[0]), "leader_driver_id": int(leader["driver_id"]),
                     "leader_title_probability": float(leader["title_probability"]),
                     **plot_metadata(plots.title_odds(last, load_labels(settings.warehouse)),
                                     settings.home / "plots" / ODDS_TABLE / f"{done[-1]}.png")}
    return MaterializeResult(metadata=metadata)


strategy_assets = [circuit_safety_car_probability, next_race_strategy, alternative_strategies, championship_odds]
