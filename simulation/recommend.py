"""``recommend_strategy``: the seed recommender's ``/strategy`` contract, answered by full-field simulation.

The driver is one car of a 20-car field. The other 19 cars are placed around the driver's predicted position with
race pace in proportion to their expected positions, and each runs its own plausible strategy (drawn per race
from the circuit's best plans, with stop laps jittered). Candidate plans for the driver are every legal 1-, 2- and
3-stop plan, screened in clean air; the best of each compound sequence go to the Monte Carlo, where every plan
is raced against the same simulated races (common random numbers) and ranked by expected finishing position.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from simulation.defaults import default_circuit
from simulation.engine import CarEntry, SimResult, simulate
from simulation.params import (
    DRY_COMPOUNDS,
    FULL_FIELD_CARS,
    SLICK_CROSSOVER_WETNESS,
    CircuitParams,
    Compound,
    RaceParams,
    WeatherParams,
    degradation_multiplier,
)
from simulation.request import StrategyRequest
from simulation.strategies import Plan, generate_plans, shortlist, strategy_menu
from simulation.tactics import pit_window_tactics

DRIVER_ID = "driver"
# Race pace between consecutive expected finishing positions (s/lap); 2024 field, see fitting.field_pace_step_s.
FIELD_PACE_STEP_S = 0.1
# How many plans of each stop count go to the Monte Carlo.
CANDIDATES_PER_STOP_COUNT = {1: 3, 2: 3, 3: 2}
RIVAL_PIT_LAP_JITTER = 3
TOP_COMPOUND_STRATEGIES = 5


def _race_for(request: StrategyRequest, params: CircuitParams | RaceParams | None) -> tuple[RaceParams, str]:
    """The race parameters for a request: the caller's (fitted) parameters if given, else the built-in defaults;
    the request's race laps and green-flag pit loss override them (VSC/SC losses scale along). Weather comes
    from the request; with a RaceParams, its weather fills what the request leaves unset."""
    source = "caller"
    known = params.weather if isinstance(params, RaceParams) else WeatherParams()
    circuit = params.circuit if isinstance(params, RaceParams) else params
    if circuit is None:
        circuit, source = default_circuit(request.circuit_id)
    update: dict[str, Any] = {}
    if request.race_laps is not None:
        update["race_laps"] = request.race_laps
    if request.stint_limit_laps is not None:
        update["stint_limit_laps"] = request.stint_limit_laps
    if request.pit_loss_sec is not None:
        scale = request.pit_loss_sec / circuit.pit_loss_green_s
        update |= {
            "pit_loss_green_s": request.pit_loss_sec,
            "pit_loss_vsc_s": circuit.pit_loss_vsc_s * scale,
            "pit_loss_sc_s": circuit.pit_loss_sc_s * scale,
        }
    if update:
        circuit = CircuitParams.model_validate(circuit.model_dump() | update)
    weather = WeatherParams(
        track_temp_c=known.track_temp_c if request.track_temp is None else request.track_temp,
        air_temp_c=known.air_temp_c if request.air_temp is None else request.air_temp,
        humidity_pct=known.humidity_pct if request.humidity is None else request.humidity,
        rain_probability=max(request.rain_probability, known.rain_probability),
        is_wet_race=request.is_wet_race or known.is_wet_race,
    )
    return RaceParams(circuit=circuit, weather=weather), source


def build_field(
    request: StrategyRequest,
    race: RaceParams,
    driver_plan: Plan,
    rival_menu: tuple[tuple[Plan, ...], tuple[float, ...]],
) -> list[CarEntry]:
    """The driver at its predicted position plus 19 rivals filling the other grid slots, quicker ahead; rivals
    draw their strategies from ``rival_menu`` (plans, weights)."""
    mean, std = request.predicted_position_mean, request.predicted_position_std
    driver_slot = int(np.clip(round(mean), 1, FULL_FIELD_CARS))
    plans, weights = rival_menu
    cars = [
        CarEntry(
            car_id=DRIVER_ID,
            plans=(driver_plan,),
            pace_offset_s=FIELD_PACE_STEP_S * (mean - 1.0),
            pace_sd_s=float(np.hypot(FIELD_PACE_STEP_S * std, race.circuit.race_pace_sd_s)),
            grid_slot=driver_slot,
        )
    ]
    rival_slots = [slot for slot in range(1, FULL_FIELD_CARS + 1) if slot != driver_slot]
    for slot in rival_slots:
        cars.append(
            CarEntry(
                car_id=f"P{slot:02d}",
                plans=plans,
                plan_weights=weights,
                pit_lap_jitter=RIVAL_PIT_LAP_JITTER,
                pace_offset_s=FIELD_PACE_STEP_S * (slot - 1.0),
                grid_slot=slot,
            )
        )
    return cars


def position_stats(position: np.ndarray, n_cars: int) -> dict[str, Any]:
    counts = np.bincount(position, minlength=n_cars + 1)[1:]
    return {
        "expected_position": round(float(position.mean()), 3),
        "std_position": round(float(position.std()), 3),
        "median_position": float(np.median(position)),
        "best_case": int(position.min()),
        "worst_case": int(position.max()),
        "percentile_25": float(np.percentile(position, 25)),
        "percentile_75": float(np.percentile(position, 75)),
        "win_probability": round(float(counts[0] / position.size), 4),
        "podium_probability": round(float(counts[:3].sum() / position.size), 4),
        "points_probability": round(float(counts[:10].sum() / position.size), 4),
        "position_distribution": {str(i + 1): round(float(c / position.size), 4) for i, c in enumerate(counts)},
    }


def conditional_mean(values: np.ndarray, mask: np.ndarray) -> float | None:
    return round(float(values[mask].mean()), 3) if mask.any() else None


def _strategy_entry(plan: Plan, screen_s: float, result: SimResult, plan_id: int) -> dict[str, Any]:
    d = result.index(DRIVER_ID)
    position = result.position[:, d].astype(np.int64)
    neutralised = (result.sc_laps > 0) | (result.vsc_laps > 0)
    with_sc = conditional_mean(position, neutralised)
    without_sc = conditional_mean(position, ~neutralised)
    return {
        "strategy_id": plan_id,
        **plan.describe(),
        "typical_stops": plan.stops,
        **position_stats(position, len(result.car_ids)),
        "dnf_probability": round(float(np.mean(~result.finished[:, d])), 4),
        "mean_stops_made": round(float(result.stops[:, d].mean()), 3),
        "sc_benefit": round(without_sc - with_sc, 3) if with_sc is not None and without_sc is not None else 0.0,
        "sc_pit_time_saved_s": round(float(result.pit_time_saved_s[:, d].mean()), 3),
        "expected_position_with_neutralisation": with_sc,
        "expected_position_without_neutralisation": without_sc,
        "mean_laps_held_up": round(float(result.laps_held[:, d].mean()), 2),
        "clean_air_time_s": round(screen_s, 2),
    }


def _probability_best(positions: np.ndarray) -> np.ndarray:
    """Share of races in which each plan (column) gives the best finish; ties are shared."""
    best = positions == positions.min(axis=1, keepdims=True)
    return (best / best.sum(axis=1, keepdims=True)).mean(axis=0)


def _weather_impact(race: RaceParams, deg_mult: float, results: list[SimResult]) -> dict[str, Any]:
    w = race.weather
    adjustments = []
    if w.is_wet_race:
        adjustments.append("wet_conditions")
    elif w.rain_probability > 0.3:
        adjustments.append("potential_rain")
    if deg_mult >= 1.15:
        adjustments.append("high_degradation")
    elif deg_mult <= 0.87:
        adjustments.append("low_degradation")
    if w.humidity_pct is not None and w.humidity_pct > 80:
        adjustments.append("high_humidity")
    if w.is_wet_race or w.rain_probability > 0.7:
        recommended = [Compound.INTERMEDIATE.value, Compound.WET.value]
    elif w.rain_probability > 0.3:
        recommended = [Compound.INTERMEDIATE.value, Compound.MEDIUM.value, Compound.SOFT.value]
    else:
        recommended = [c.value for c in (Compound.MEDIUM, Compound.HARD, Compound.SOFT)]
    wet_laps = np.concatenate([r.wet_laps for r in results])
    return {
        "degradation_multiplier": round(deg_mult, 3),
        "recommended_compounds": recommended,
        "strategy_adjustments": adjustments,
        "wet_race_share_simulated": round(float(np.mean(wet_laps > 0)), 4),
        "expected_wet_laps": round(float(wet_laps.mean()), 2),
        "crossover_wetness": round(SLICK_CROSSOVER_WETNESS, 3),
        "conditions": {
            "track_temp": w.track_temp_c,
            "air_temp": w.air_temp_c,
            "humidity": w.humidity_pct,
            "rain_probability": w.rain_probability,
            "is_wet_race": w.is_wet_race,
        },
    }


def _safety_car_analysis(race: RaceParams, ranking: list[dict[str, Any]], result: SimResult) -> dict[str, Any]:
    ev = race.circuit.events
    with_sc = [r for r in ranking if r["expected_position_with_neutralisation"] is not None]
    without_sc = [r for r in ranking if r["expected_position_without_neutralisation"] is not None]
    return {
        "circuit_id": race.circuit.circuit_id,
        "safety_car_probability": round(1.0 - float(np.exp(-ev.sc_per_race)), 3),
        "expected_safety_cars": round(ev.sc_per_race, 3),
        "vsc_probability": round(1.0 - float(np.exp(-ev.vsc_per_race)), 3),
        "red_flag_probability": round(ev.red_flag_prob, 3),
        "sc_mean_length_laps": round(ev.sc_mean_laps, 2),
        "simulated_sc_share": round(float(np.mean(result.sc_laps > 0)), 4),
        "simulated_vsc_share": round(float(np.mean(result.vsc_laps > 0)), 4),
        "expected_neutralised_laps": round(float((result.sc_laps + result.vsc_laps).mean()), 2),
        "best_strategy_if_neutralised": (
            min(with_sc, key=lambda r: r["expected_position_with_neutralisation"])["label"] if with_sc else None
        ),
        "best_strategy_if_green": (
            min(without_sc, key=lambda r: r["expected_position_without_neutralisation"])["label"]
            if without_sc
            else None
        ),
    }


def _strategy_summary(ranking: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Best option per number of stops, as the seed's one-stop / two-stop / three-stop summary."""
    names = {1: "one-stop", 2: "two-stop", 3: "three-stop"}
    summary = []
    for stops, name in names.items():
        of_k = [r for r in ranking if r["typical_stops"] == stops]
        if not of_k:
            continue
        best = min(of_k, key=lambda r: r["rank"])
        summary.append(
            {
                "strategy_id": best["strategy_id"],
                "label": name,
                "typical_stops": stops,
                "best_plan": best["label"],
                "typical_lap_of_stop": float(np.mean(best["stop_laps"])),
                "expected_position": best["expected_position"],
                "probability_best": round(sum(r["probability_best"] for r in of_k), 4),
            }
        )
    return summary


def _tactical_recommendations(
    best: dict[str, Any], competitor: dict[str, Any], sc: dict[str, Any], weather: dict[str, Any], rain: float
) -> list[dict[str, Any]]:
    recs: list[dict[str, Any]] = [
        {
            "type": "plan",
            "action": f"Run {best['label']}: stops on laps {best['stop_laps']}",
            "confidence": best["probability_best"],
        }
    ]
    if competitor["undercut"]["viable"]:
        recs.append(
            {
                "type": "undercut_opportunity",
                "action": f"Pit {competitor['undercut']['best_offset_laps']} lap(s) before the car ahead",
                "confidence": competitor["undercut"]["confidence"],
            }
        )
    if competitor["overcut"]["viable"]:
        recs.append(
            {
                "type": "overcut_opportunity",
                "action": f"Stay out {competitor['overcut']['best_offset_laps']} lap(s) longer than the car ahead",
                "confidence": competitor["overcut"]["confidence"],
            }
        )
    if competitor["undercut_threat_from_behind"]["probability"] >= 0.5:
        recs.append(
            {
                "type": "undercut_threat",
                "action": "Cover the car behind: pit the lap after it does",
                "confidence": competitor["undercut_threat_from_behind"]["probability"],
            }
        )
    if sc["safety_car_probability"] > 0.5:
        recs.append(
            {
                "type": "safety_car_likely",
                "action": f"Box under SC/VSC if within the window; best plan if neutralised: "
                f"{sc['best_strategy_if_neutralised']}",
                "confidence": sc["safety_car_probability"],
            }
        )
    if "high_degradation" in weather["strategy_adjustments"]:
        recs.append({"type": "high_degradation", "action": "Favour harder compounds", "confidence": 0.8})
    if "potential_rain" in weather["strategy_adjustments"] or "wet_conditions" in weather["strategy_adjustments"]:
        recs.append(
            {
                "type": "rain_risk",
                "action": "Keep intermediates ready; switch when the track passes the crossover",
                "confidence": rain,
            }
        )
    return recs


def recommend(request: StrategyRequest, params: CircuitParams | RaceParams | None = None) -> dict[str, Any]:
    """Rank strategies for one driver by full-field Monte Carlo. See :func:`recommend_strategy`."""
    race, source = _race_for(request, params)
    c = race.circuit
    deg_mult = degradation_multiplier(c, race.weather)
    plans = generate_plans(c, require_two_compounds=not race.weather.is_wet_race, deg_multiplier=deg_mult)
    candidates = shortlist(c, plans, CANDIDATES_PER_STOP_COUNT, deg_mult)
    rival_menu = strategy_menu(c, deg_mult, require_two_compounds=not race.weather.is_wet_race)

    results = [
        simulate(build_field(request, race, plan, rival_menu), race, request.n_simulations, seed=request.seed)
        for plan, _ in candidates
    ]
    d = results[0].index(DRIVER_ID)
    positions = np.stack([r.position[:, d] for r in results], axis=1)
    times = np.stack([r.race_time_s[:, d] for r in results], axis=1)
    p_best = _probability_best(positions)
    entries = [
        _strategy_entry(plan, screen_s, result, i) | {"probability_best": round(float(p_best[i]), 4)}
        for i, ((plan, screen_s), result) in enumerate(zip(candidates, results, strict=True))
    ]
    mean_time = times.mean(axis=0)
    for i, e in enumerate(entries):
        e["mean_time_to_best_s"] = round(float(mean_time[i] - mean_time.min()), 2)
    ranking = sorted(entries, key=lambda e: (e["expected_position"], e["mean_time_to_best_s"]))
    for rank, e in enumerate(ranking, start=1):
        e["rank"] = rank
    best = ranking[0]
    best_result = results[best["strategy_id"]]

    best_plan = candidates[best["strategy_id"]][0]
    first = best_plan.stints[0]
    competitor = pit_window_tactics(
        c,
        worn=first.compound,
        fresh=best_plan.stints[1].compound,
        stop_lap=first.laps,
        gap_to_car_ahead_s=request.gap_to_car_ahead,
        gap_to_car_behind_s=request.gap_to_car_behind,
        deg_multiplier=deg_mult,
        seed=request.seed,
    )
    held = best_result.laps_held[:, d]
    competitor["traffic_analysis"] = {
        "in_traffic": request.gap_to_car_ahead < 1.5,
        "clear_air_available": request.gap_to_car_ahead > 3.0,
        "gap_to_car_ahead": request.gap_to_car_ahead,
        "gap_to_car_behind": request.gap_to_car_behind,
        "expected_laps_held_up": round(float(held.mean()), 2),
        "share_of_race_held_up": round(float(held.mean() / c.race_laps), 4),
        "expected_on_track_passes": round(float(best_result.passes[:, d].mean()), 2),
    }
    competitor["position"] = int(np.clip(round(request.predicted_position_mean), 1, FULL_FIELD_CARS))

    screened = shortlist(c, plans, {1: TOP_COMPOUND_STRATEGIES, 2: TOP_COMPOUND_STRATEGIES,
                                    3: TOP_COMPOUND_STRATEGIES}, deg_mult)[:TOP_COMPOUND_STRATEGIES]
    fastest = screened[0][1]
    compound_strategies = [
        plan.describe() | {"clean_air_time_s": round(t, 2), "delta_to_fastest_s": round(t - fastest, 2)}
        for plan, t in screened
    ]
    sc_analysis = _safety_car_analysis(race, ranking, best_result)
    weather = _weather_impact(race, deg_mult, results)
    return {
        "predicted_position_mean": request.predicted_position_mean,
        "predicted_position_std": request.predicted_position_std,
        "best_strategy": best,
        "strategy_ranking": ranking,
        "strategy_summary": _strategy_summary(ranking),
        "safety_car_analysis": sc_analysis,
        "weather_impact": weather,
        "competitor_analysis": competitor,
        "compound_strategies": compound_strategies,
        "tactical_recommendations": _tactical_recommendations(
            best, competitor, sc_analysis, weather, race.weather.rain_probability
        ),
        "race_parameters": {
            "circuit_id": c.circuit_id,
            "parameters_source": source,
            "race_laps": c.race_laps,
            "stint_limit_laps": c.stint_limit_laps,
            "pit_loss_sec": round(c.pit_loss_green_s, 3),
            "pit_loss_vsc_sec": round(c.pit_loss_vsc_s, 3),
            "pit_loss_sc_sec": round(c.pit_loss_sc_s, 3),
            "base_lap_time_s": c.base_lap_time_s,
            "overtake_threshold_s": c.overtake_threshold_s,
            "degradation_multiplier": round(deg_mult, 3),
            "available_compounds": [x.value for x in DRY_COMPOUNDS if x in c.compounds],
            "legal_plans_generated": len(plans),
            "plans_simulated": len(candidates),
            "n_simulations": request.n_simulations,
            "seed": request.seed,
            "field_cars": FULL_FIELD_CARS,
        },
    }


def recommend_strategy(circuit_params: CircuitParams | RaceParams | None = None, **inputs: Any) -> dict[str, Any]:
    """Strategy recommendation for one driver, in the shape of the seed recommender's ``/strategy`` answer.

    ``inputs`` are the fields of :class:`StrategyRequest` (validated; a ``pydantic.ValidationError`` names every
    bad field and its allowed range). ``circuit_params`` are fitted parameters (a CircuitParams, or a RaceParams
    whose weather fills inputs left unset); without them the built-in defaults for ``circuit_id`` are used (a
    generic circuit for unknown ids).
    """
    return recommend(StrategyRequest(**inputs), circuit_params)
