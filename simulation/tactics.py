"""Two-car pit-window tactics: undercut, overcut and the undercut threat from behind.

Both cars run the same plan and tyres. With the same pit-lane loss for both, what decides an undercut is the lap
time difference between a fresh tyre and the rival's worn one over the laps in between; an overcut works when the
worn tyre is still quicker than the fresh (harder) one and the car staying out gains clean air. Lap and
stationary-time noise come from the circuit parameters, so the answers are probabilities.
"""

from __future__ import annotations

import numpy as np

from simulation.params import CircuitParams, Compound

MAX_OFFSET_LAPS = 3
# A pass needs the follower to end up at least this far ahead for the move to stick.
CLEAR_AHEAD_S = 0.3


def _tyre_lap_s(circuit: CircuitParams, compound: Compound, tyre_life: np.ndarray, deg_multiplier: float) -> np.ndarray:
    p = circuit.compound(compound)
    over = np.maximum(0, tyre_life - p.cliff_lap)
    return p.pace_offset_s + p.deg_s_per_lap * deg_multiplier * tyre_life + p.cliff_s_per_lap * over


def _gain_distribution(
    circuit: CircuitParams,
    worn: Compound,
    fresh: Compound,
    worn_life: int,
    offset_laps: int,
    deg_multiplier: float,
    rng: np.random.Generator,
    n: int,
) -> np.ndarray:
    """Time the car on fresh tyres gains on the car on worn ones over ``offset_laps`` laps (noise included)."""
    laps = np.arange(1, offset_laps + 1)
    fresh_s = _tyre_lap_s(circuit, fresh, laps, deg_multiplier)
    worn_s = _tyre_lap_s(circuit, worn, worn_life + laps - 1, deg_multiplier)
    mean_gain = float((worn_s - fresh_s).sum())
    lap_sd = circuit.lap_noise_s * np.sqrt(2.0 * offset_laps)
    stop_sd = circuit.pit_stationary_sd_s * np.sqrt(2.0)
    return mean_gain + rng.normal(0.0, np.hypot(lap_sd, stop_sd), n)


def pit_window_tactics(
    circuit: CircuitParams,
    worn: Compound,
    fresh: Compound,
    stop_lap: int,
    gap_to_car_ahead_s: float,
    gap_to_car_behind_s: float,
    deg_multiplier: float = 1.0,
    seed: int = 0,
    n: int = 4000,
) -> dict[str, object]:
    """Undercut / overcut viability around a planned stop at ``stop_lap`` (tyre life = stop lap)."""
    rng = np.random.default_rng(seed)
    # (probability, offset laps, mean gain) of the best offset for each manoeuvre.
    best_under = (0.0, 0, 0.0)
    best_over = (0.0, 0, 0.0)
    threat = 0.0
    for k in range(1, MAX_OFFSET_LAPS + 1):
        # Undercut: we stop k laps before the car ahead; our fresh laps against its worn ones.
        gain = _gain_distribution(circuit, worn, fresh, stop_lap - k + 1, k, deg_multiplier, rng, n)
        p_under = float(np.mean(gain > gap_to_car_ahead_s + CLEAR_AHEAD_S))
        if p_under > best_under[0]:
            best_under = (p_under, k, float(gain.mean()))
        # The car behind trying the same on us.
        threat = max(threat, float(np.mean(gain > gap_to_car_behind_s + CLEAR_AHEAD_S)))
        # Overcut: the car ahead stops, we stay out k laps in clean air on worn tyres.
        clean_air_s = circuit.dirty_air_loss_s * k if gap_to_car_ahead_s < 1.0 else 0.0
        fresh_gain = _gain_distribution(circuit, worn, fresh, stop_lap - k + 1, k, deg_multiplier, rng, n)
        overcut_gain = clean_air_s - fresh_gain
        p_over = float(np.mean(overcut_gain > gap_to_car_ahead_s + CLEAR_AHEAD_S))
        if p_over > best_over[0]:
            best_over = (p_over, k, float(overcut_gain.mean()))
    return {
        "undercut": _manoeuvre(best_under, "pit_early"),
        "overcut": _manoeuvre(best_over, "stay_out"),
        "undercut_threat_from_behind": {
            "probability": round(threat, 3),
            "recommended_action": "cover_the_stop" if threat >= 0.5 else "none",
        },
        "reference_stop": {"lap": stop_lap, "from": worn.value, "to": fresh.value},
    }


def _manoeuvre(best: tuple[float, int, float], action: str) -> dict[str, object]:
    probability, offset_laps, gain_s = best
    viable = probability >= 0.5
    return {
        "viable": viable,
        "confidence": round(probability, 3),
        "best_offset_laps": offset_laps,
        "expected_gain_s": round(gain_s, 2),
        "recommended_action": action if viable else "none",
    }
