"""Legal plan generation and screening."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from simulation.params import DRY_COMPOUNDS, CircuitParams, Compound
from simulation.strategies import Plan, generate_plans, screen_plans, shortlist, strategy_menu


def _small_circuit() -> CircuitParams:
    circuit = CircuitParams(circuit_id="short", race_laps=30)
    compounds = {
        c: p.model_copy(update={"min_stint_laps": lo, "max_stint_laps": hi})
        for (c, p), (lo, hi) in zip(
            circuit.compounds.items(), [(5, 14), (8, 20), (10, 25), (1, 60), (1, 70)], strict=True
        )
    }
    return circuit.model_copy(update={"compounds": compounds})


def test_every_generated_plan_is_legal_and_none_is_missing() -> None:
    circuit = _small_circuit()
    plans = generate_plans(circuit)
    generated = {plans.plan(i) for i in range(len(plans))}
    assert all(plan.is_legal_dry(circuit) for plan in generated)
    assert all(len(set(plan.compounds)) >= 2 for plan in generated)
    assert {plan.stops for plan in generated} == {1, 2, 3}
    # Brute force over every compound sequence and stint split gives the same set.
    expected = set()
    shortest, longest = 5, 25  # no compound's usable range goes beyond these here
    for n_stints in (2, 3, 4):
        for seq in itertools.product(DRY_COMPOUNDS, repeat=n_stints):
            for laps in itertools.product(range(shortest, longest + 1), repeat=n_stints - 1):
                last = 30 - sum(laps)
                if shortest <= last <= longest:
                    plan = Plan.of(*zip(seq, (*laps, last), strict=True))
                    if plan.is_legal_dry(circuit):
                        expected.add(plan)
    assert generated == expected


def test_wet_race_waives_the_two_compound_rule() -> None:
    circuit = _small_circuit()
    dry = generate_plans(circuit)
    wet = generate_plans(circuit, require_two_compounds=False)
    single = [wet.plan(i) for i in range(len(wet)) if len(set(wet.plan(i).compounds)) == 1]
    assert len(wet) > len(dry) and single


def test_hot_track_shortens_usable_stints() -> None:
    circuit = _small_circuit()
    hot = generate_plans(circuit, deg_multiplier=1.5)
    assert (hot.stint_laps.max() < generate_plans(circuit).stint_laps.max()) and len(hot) > 0


def test_screening_prefers_fewer_stops_without_wear() -> None:
    circuit = CircuitParams(circuit_id="flat")
    flat = {
        c: p.model_copy(update={"deg_s_per_lap": 0.0, "cliff_s_per_lap": 0.0, "pace_offset_s": 0.0})
        for c, p in circuit.compounds.items()
    }
    circuit = circuit.model_copy(update={"compounds": flat})
    plans = generate_plans(circuit)
    times = screen_plans(circuit, plans)
    best_by_stops = {k: times[plans.stops == k].min() for k in (1, 2, 3)}
    assert best_by_stops[1] < best_by_stops[2] < best_by_stops[3]
    ranked = shortlist(circuit, plans, {1: 2, 2: 2, 3: 1})
    assert ranked[0][0].stops == 1 and len(ranked) == 5


def test_strategy_menu_is_a_distribution() -> None:
    plans, weights = strategy_menu(CircuitParams(circuit_id="generic"))
    assert len(plans) == len(weights) and np.isclose(sum(weights), 1.0)


def test_plan_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        Plan.of(("MEDIUM", 0))
    with pytest.raises(ValueError):
        Plan.of(*[("SOFT", 5)] * 6)
    assert Plan.of((Compound.MEDIUM, 20), ("HARD", 37)).stop_laps == (20,)
