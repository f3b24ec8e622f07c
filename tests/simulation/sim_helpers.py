"""Small race set-ups shared by the simulation tests."""

from __future__ import annotations

from simulation.engine import CarEntry
from simulation.params import CircuitParams, EventParams, RaceParams
from simulation.strategies import Plan

NO_EVENTS = EventParams(sc_per_race=0.0, vsc_per_race=0.0, red_flag_prob=0.0)


def quiet_circuit(**update: object) -> CircuitParams:
    """A circuit without random events or retirements, so tests see only what they change."""
    base = CircuitParams(circuit_id="test", race_laps=50, events=NO_EVENTS, retirement_prob=0.0)
    return base.model_copy(update=update)


def flat_tyres(circuit: CircuitParams) -> CircuitParams:
    """Zero degradation and no cliff on every compound."""
    compounds = {
        c: p.model_copy(update={"deg_s_per_lap": 0.0, "cliff_s_per_lap": 0.0}) for c, p in circuit.compounds.items()
    }
    return circuit.model_copy(update={"compounds": compounds})


def field(plans: dict[str, Plan], pace_step_s: float = 0.2) -> list[CarEntry]:
    return [
        CarEntry(car_id=car_id, plans=(plan,), pace_offset_s=pace_step_s * i, grid_slot=i + 1)
        for i, (car_id, plan) in enumerate(plans.items())
    ]


def race(circuit: CircuitParams) -> RaceParams:
    return RaceParams(circuit=circuit)
