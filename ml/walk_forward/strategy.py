"""Walk-forward evaluation of the strategy recommender (issue 17 item 5).

Per race (fold): the circuit is fitted on the races that started before it (the product's fit,
:func:`simulation.precompute.fitted_circuit_until`), the weather is the circuit's climate from its earlier editions (:func:`simulation.climate.race_weather`),
and the product's field simulation (:func:`simulation.precompute.field_strategies`) ranks the shortlisted plans
for every car of the real grid (strategy is set after qualifying, so the grid is known). Scored against the race:

* ``stop_count_right``: the most recommended stop count (the mode of the drivers' top-ranked plans) equals the
  most common stop count of the top ten finishers. Baseline: the top ten's most common stop count at this circuit
  in its earlier editions (1 stop where there is none).
* ``compound_order_right``: the most recommended compound sequence equals the top ten's most common one; baseline:
  the earlier editions' most common sequence.
* ``regret_s`` / ``regret_positions``: the race replayed with hindsight (this race's own tyre fit and pit loss,
  its real neutralisations and retirements), every car on the shortlisted plans: how much slower (and how many
  places lower) the plan recommended to each car finishes than that car's best shortlisted plan, averaged over
  cars. Baseline: the plan the forecast ranks best among those with the baseline stop count. Dry races only
  (a wet race has no dry tyre fit to replay with).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ml.walk_forward import PER_SEASON_COLUMNS, Fold, WalkForwardScores
from ml.walk_forward.scoring import per_race_table, race_score
from simulation.climate import race_weather, read_editions
from simulation.engine import FixedEvents, simulate
from simulation.fitting import RaceFit, fit_circuit_params, fit_race_models, track_states_by_lap
from simulation.marts import LAP_SEASONS, FittingTables, load_marts
from simulation.params import RaceParams
from simulation.precompute import (
    Entrant,
    field_cars,
    field_strategies,
    fitted_circuit_until,
    race_track_temps,
    stint_limit_laps,
)
from simulation.strategies import Plan
from transforms.warehouse import Warehouse, read_frame

SUBJECT = "strategy"
# Simulated races per driver and shortlisted plan: the product runs 10,000; the ranking of a handful of plans
# settles well before that (see the report in NOTES.md), and 61 folds must run in minutes.
EVAL_RACES_PER_PLAN = 400
REPLAY_RACES = 400
# A grid slot's finishing position is uncertain by this many places (the product's ML std is about this).
GRID_POSITION_SD = 3.0
TOP_TEN = 10
MIN_STINT_LAPS = 2
NO_HISTORY_STOPS = 1


@dataclass(frozen=True)
class _Known:
    """The warehouse facts every fold draws from, read once."""

    tables: FittingTables
    fits: list[RaceFit]
    starts: pd.Series  # race_start_at by race_id
    race_laps: pd.Series  # scheduled laps by race_id
    max_stint_laps: pd.Series  # published limit by race_id (null: none)
    editions: pd.DataFrame  # simulation.climate.read_editions
    track_temp_c: pd.Series  # race mean by race_id


def _load(warehouse: Warehouse, first_season: int) -> _Known:
    """Everything from the earliest season a fold's fit may see (LAP_SEASONS before ``first_season``)."""
    last = int(read_frame(warehouse, "select max(season) as season from marts.fct_laps")["season"].iloc[0])
    marts = load_marts(warehouse, last - first_season + LAP_SEASONS)
    races = read_frame(warehouse, "select race_id, race_start_at, race_laps, max_stint_laps from marts.dim_races "
                       "order by race_id")
    return _Known(tables=marts.fitting, fits=fit_race_models(marts.fitting.laps),
                  starts=races.set_index("race_id")["race_start_at"].map(pd.Timestamp),
                  race_laps=races.set_index("race_id")["race_laps"],
                  max_stint_laps=races.set_index("race_id")["max_stint_laps"], editions=read_editions(warehouse),
                  track_temp_c=race_track_temps(warehouse))


def top_ten_plans(tables: FittingTables, race_id: int) -> pd.DataFrame:
    """The top ten finishers' ``stops`` and ``sequence`` (compound initials in stint order, 'M-H') of one race.

    A tyre change under a red flag is not a stop (the pit-stop table leaves those out), and neither is a stop
    followed by fewer than MIN_STINT_LAPS laps: the marts split the last laps behind a safety car into one-lap
    stints with 'stops' (Canada 2025: five for the winner)."""
    results = tables.results[tables.results["race_id"] == race_id]
    top = results.loc[results["position_order"] <= TOP_TEN, "driver_id"]
    stints = tables.stints[(tables.stints["race_id"] == race_id) & tables.stints["driver_id"].isin(top)]
    stints = stints[(stints["end_lap"] - stints["start_lap"] + 1 >= MIN_STINT_LAPS) | (stints["stint"] == 1)]
    per_driver = stints.sort_values(["driver_id", "stint"]).groupby("driver_id")["compound"].agg(list)
    last_lap = stints.groupby("driver_id")["end_lap"].max()
    stops = tables.pit_stops[tables.pit_stops["race_id"] == race_id]
    stops = stops[stops["lap"] <= stops["driver_id"].map(last_lap) - MIN_STINT_LAPS]
    return pd.DataFrame({"stops": stops.groupby("driver_id").size().reindex(per_driver.index, fill_value=0),
                         "sequence": per_driver.map(lambda cs: "-".join(str(c)[0] for c in cs))})


def most_common(values: pd.Series) -> Any:
    """The mode; ties go to the smallest value (fewer stops: the cheaper call)."""
    counts = values.value_counts()
    return min(counts.index[counts == counts.max()])


def _history(known: _Known, fold: Fold, circuit_ref: str) -> pd.DataFrame:
    """The top-ten plans of the circuit's editions that started before the fold."""
    results = known.tables.results
    editions = results.loc[(results["circuit_id"] == circuit_ref), "race_id"].drop_duplicates()
    frames = [top_ten_plans(known.tables, r) for r in editions
              if known.starts.get(r, fold.race_start_at) < fold.race_start_at]
    return pd.concat(frames) if frames else pd.DataFrame(columns=["stops", "sequence"])


def _entrants(tables: FittingTables, race_id: int) -> list[Entrant]:
    """The real grid, each car expected to finish where it starts (pit-lane starters last)."""
    results = tables.results[tables.results["race_id"] == race_id].sort_values("driver_id")
    slot = results["grid"].where(results["grid"] > 0, len(results) + 1).rank(method="first").astype(int)
    return [Entrant(int(d), float(s), GRID_POSITION_SD, int(s))
            for d, s in zip(results["driver_id"], slot, strict=True)]


def _sequence(plan_compounds: Sequence[str]) -> str:
    return "-".join(c[0] for c in plan_compounds)


def _replay_regret(known: _Known, fold: Fold, race: RaceParams, entrants: list[Entrant], plans: tuple[Plan, ...],
                   chosen: dict[int, int], baseline: dict[int, int]) -> tuple[float, float, float, float] | None:
    """Mean regret (s, places) of the chosen and the baseline plan per car, in the hindsight replay."""
    own = next((f for f in known.fits if f.race_id == fold.race_id), None)
    if own is None:
        return None
    t = known.tables
    of_race = {name: frame[frame["race_id"] == fold.race_id] for name, frame in
               (("stints", t.stints), ("pit_stops", t.pit_stops), ("results", t.results))}
    hindsight = fit_circuit_params(race.circuit.circuit_id, [own], of_race["stints"], of_race["pit_stops"],
                                   t.sc_history, of_race["results"], race_laps=race.circuit.race_laps,
                                   calibrate_overtaking=False)
    # The replay knows this race's tyres: no drawn degradation, the forecast's overtaking and stint limit.
    compounds = {c: p.model_copy(update={"deg_rel_sd": 0.0}) for c, p in hindsight.compounds.items()}
    circuit = hindsight.model_copy(update={"overtake_threshold_s": race.circuit.overtake_threshold_s,
                                           "stint_limit_laps": race.circuit.stint_limit_laps,
                                           "compounds": compounds})
    laps = t.laps[t.laps["race_id"] == fold.race_id]
    fixed = FixedEvents(track_state=track_states_by_lap(laps, circuit.race_laps))
    # Every car draws every plan uniformly; its time on plan k is averaged over the races it drew k.
    result = simulate(field_cars(entrants, plans, circuit), RaceParams(circuit=circuit), REPLAY_RACES * len(plans),
                      seed=fold.race_id, fixed=fixed)
    regrets = []
    for d, e in enumerate(entrants):
        drew = [result.plan_index[:, d] == k for k in range(len(plans))]
        time_s = np.array([result.race_time_s[m, d].mean() if m.any() else np.inf for m in drew])
        place = np.array([result.position[m, d].mean() if m.any() else np.inf for m in drew])
        ok = result.finished[:, d]
        if not ok.all():  # a retirement's time says nothing about the plan
            time_s = np.array([result.race_time_s[m & ok, d].mean() if (m & ok).any() else np.inf for m in drew])
        best_s, best_p = time_s.min(), place.min()
        k, b = chosen[e.driver_id], baseline[e.driver_id]
        regrets.append((time_s[k] - best_s, place[k] - best_p, time_s[b] - best_s, place[b] - best_p))
    mean = np.nanmean(np.array(regrets, dtype=float), axis=0)
    return float(mean[0]), float(mean[1]), float(mean[2]), float(mean[3])


def _score_fold(known: _Known, fold: Fold, runs_per_plan: int) -> list[dict[str, object]]:
    t = known.tables
    results = t.results[t.results["race_id"] == fold.race_id]
    if results.empty or not (t.stints["race_id"] == fold.race_id).any():
        return []
    circuit_ref = str(results["circuit_id"].iloc[0])
    earlier = known.starts[known.starts < fold.race_start_at]
    seen = set(earlier.index)
    since = fold.season - LAP_SEASONS + 1
    visible = FittingTables(*(frame[frame["race_id"].isin(seen)] for frame in
                              (t.laps[t.laps["season"] >= since], t.stints, t.pit_stops, t.sc_history, t.results)))
    fits = [f for f in known.fits if f.race_id in seen and f.season >= since]
    race_laps = int(known.race_laps.get(fold.race_id) or results["laps_completed"].max())
    circuit = fitted_circuit_until(visible, fits, circuit_ref, race_laps, known.track_temp_c.loc[
        known.track_temp_c.index.isin(seen)])
    # the product's weather for a race not yet run: its circuit's climate from the editions before it
    weather = race_weather(known.editions[known.editions["race_id"] != fold.race_id], fold.race_id, fold.circuit_id,
                           fold.race_start_at)
    circuit = circuit.model_copy(update={"stint_limit_laps": stint_limit_laps(known.max_stint_laps[fold.race_id])})
    race = RaceParams(circuit=circuit, weather=weather.model_copy(update={"rain_probability": 0.0}))
    entrants = _entrants(t, fold.race_id)
    rows, _ = field_strategies(race, entrants, n_per_plan=runs_per_plan, seed=fold.race_id)
    shortlisted = rows.drop_duplicates("strategy_id").sort_values("strategy_id")
    plans = tuple(Plan.of(*zip(sequence, _stint_laps(stop_laps, race_laps), strict=True))
                  for sequence, stop_laps in zip(shortlisted["compound_sequence"], shortlisted["stop_laps"],
                                                 strict=True))
    top = rows[rows["rank"] == 1].set_index("driver_id")
    recommended_stops = int(most_common(top["stops"]))
    recommended_sequence = str(most_common(top["compound_sequence"].map(_sequence)))
    actual = top_ten_plans(t, fold.race_id)
    history = _history(known, fold, circuit_ref)
    actual_stops, actual_sequence = int(most_common(actual["stops"])), str(most_common(actual["sequence"]))
    base_stops = int(most_common(history["stops"])) if len(history) else NO_HISTORY_STOPS
    base_sequence = str(most_common(history["sequence"])) if len(history) else ""
    # The baseline's plan per car: the forecast's best-ranked plan with the baseline stop count.
    of_base = rows[rows["stops"] == base_stops] if (rows["stops"] == base_stops).any() else rows
    base_first = of_base.sort_values("rank").groupby("driver_id")["strategy_id"].first()
    baseline_plan = dict(zip(base_first.index.to_numpy(int), base_first.to_numpy(int), strict=True))
    chosen_plan = dict(zip(top.index.to_numpy(int), top["strategy_id"].to_numpy(int), strict=True))
    regret = _replay_regret(known, fold, race, entrants, plans, chosen_plan, baseline_plan)
    trained_until = earlier.max()
    metrics: list[tuple[str, float, str, float, int, bool]] = [
        ("stop_count_right", float(recommended_stops == actual_stops), "circuit_history_stops",
         float(base_stops == actual_stops), len(actual), True),
        ("compound_order_right", float(recommended_sequence == actual_sequence), "circuit_history_sequence",
         float(base_sequence == actual_sequence), len(actual), True),
        ("recommended_stops", float(recommended_stops), "top_ten_stops", float(actual_stops), len(top), True),
    ]
    if regret is not None:
        metrics += [("regret_s", regret[0], "circuit_history_stops", regret[2], len(entrants), False),
                    ("regret_positions", regret[1], "circuit_history_stops", regret[3], len(entrants), False)]
    return [race_score(fold, trained_until, *metric) for metric in metrics]


def _stint_laps(stop_laps: Sequence[int], race_laps: int) -> list[int]:
    return [int(n) for n in np.diff([0, *stop_laps, race_laps])]


def evaluate(warehouse: Warehouse, folds: Sequence[Fold], runs_per_plan: int = EVAL_RACES_PER_PLAN
             ) -> WalkForwardScores:
    """The strategy scores of ``folds`` (see the module doc); folds without stints are skipped."""
    if not folds:
        raise ValueError("no folds to evaluate")
    known = _load(warehouse, min(fold.season for fold in folds))
    per_race = per_race_table([row for fold in folds for row in _score_fold(known, fold, runs_per_plan)])
    # n = races (season_means would sum the per-race counts of drivers)
    per_season = (per_race.groupby(["season", "metric", "baseline_name", "higher_is_better"], as_index=False)
                  .agg(value=("value", "mean"), baseline=("baseline", "mean"), n=("race_id", "size")))
    return WalkForwardScores(subject=SUBJECT, per_race=per_race, per_season=per_season[PER_SEASON_COLUMNS])
