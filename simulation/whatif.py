"""Alternative strategy (what-if) for a finished race.

The real race is replayed in the engine: every driver with their actual stints, race pace and grid slot, the
real neutralisations and retirements. The same replay is then run with one driver's plan changed while everybody
else keeps theirs. Both runs share every random number (same seed, counter-based noise), so the per-race
differences isolate the effect of the plan change: an unchanged plan gives exactly zero. The deltas are then
applied to the actual result: counterfactual position = actual position + simulated position delta.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from simulation.engine import CarEntry, FixedEvents, SimResult, simulate_variants
from simulation.params import DRY_COMPOUNDS, MAX_PLANNED_STOPS, MAX_STINTS, CircuitParams, Compound, RaceParams
from simulation.strategies import Plan, Stint

PERCENTILES = (5, 25, 50, 75, 95)


@dataclass(frozen=True)
class RaceReplay:
    """A finished race ready to be replayed. Dicts are keyed by driver id; ``retire_lap`` holds the lap each
    non-finisher retired on (laps completed + 1); ``track_state`` the per-lap TrackState of the real race."""

    race: RaceParams
    plans: Mapping[str, Plan]
    pace_offset_s: Mapping[str, float]
    grid: Mapping[str, int]
    actual_position: Mapping[str, int]
    retire_lap: Mapping[str, int] = field(default_factory=dict)
    track_state: np.ndarray | None = None

    @property
    def drivers(self) -> tuple[str, ...]:
        return tuple(sorted(self.plans, key=lambda d: self.grid[d]))

    def cars(self, overrides: Mapping[str, Plan] | None = None) -> list[CarEntry]:
        overrides = overrides or {}
        return [
            CarEntry(
                car_id=d,
                plans=(overrides.get(d, self.plans[d]),),
                pace_offset_s=self.pace_offset_s[d],
                pace_sd_s=0.0,  # the pace is what the driver actually did
                grid_slot=self.grid[d],
            )
            for d in self.drivers
        ]

    def replay_race(self) -> RaceParams:
        """The race as replayed: stops happen on the laps the plans say (no opportunistic stops under a SC
        or VSC, since the real stops already reflect how the teams reacted)."""
        circuit = self.race.circuit.model_copy(update={"sc_pit_window_laps": 0})
        return self.race.model_copy(update={"circuit": circuit})

    def fixed_events(self) -> FixedEvents:
        laps = self.race.circuit.race_laps
        retire = np.array([self.retire_lap.get(d, laps + 1) for d in self.drivers], dtype=np.int16)
        return FixedEvents(track_state=self.track_state, retire_lap=retire)


def plan_from_stints(stints: pd.DataFrame, race_laps: int) -> Plan:
    """A driver's actual plan from their stint rows (columns ``stint, compound, start_lap, end_lap``).

    Unknown compounds become MEDIUM; stints beyond the engine's MAX_STINTS are merged into the last one it can
    carry (this only happens in chaotic wet races)."""
    rows = np.argsort(stints["stint"].to_numpy(), kind="stable")[:MAX_STINTS]
    known = {c.value for c in Compound}
    compounds = [Compound(c) if c in known else Compound.MEDIUM for c in stints["compound"].to_numpy()[rows].astype(str)]
    ends = [int(e) for e in stints["end_lap"].to_numpy()[rows]]
    ends[-1] = race_laps  # the last stint runs to the flag (for a retirement the engine stops the car anyway)
    for i in range(1, len(ends)):
        ends[i] = max(ends[i], ends[i - 1] + 1)
    laps = np.diff([0, *ends])
    return Plan(tuple(Stint(c, int(n)) for c, n in zip(compounds, laps, strict=True)))


# Drivers the lap-time fit could not rate (a lap-1 retirement, say) are put this much slower than the slowest.
UNRATED_PACE_MARGIN_S = 1.0


def replay_from_tables(
    race_id: object,
    laps: pd.DataFrame,
    stints: pd.DataFrame,
    results: pd.DataFrame,
    circuit: CircuitParams,
    driver_pace_s: Mapping[Any, float] | None = None,
) -> RaceReplay:
    """A finished race as a RaceReplay, from the marts (columns as in :mod:`simulation.fitting`).

    Plans come from the stints, race pace from the race's own lap-time fit (``driver_pace_s``, fitted here when
    not given), the grid and the classification from the results (pit-lane starters line up last), the
    neutralisations from the laps' track status, and non-finishers retire on the lap after their last completed
    one."""
    from simulation.fitting import fit_race_models, is_finished, track_states_by_lap

    entries = results[results["race_id"] == race_id]
    race_laps_frame = laps[laps["race_id"] == race_id]
    race_laps = int(race_laps_frame["lap_number"].max())
    circuit = circuit.model_copy(update={"race_laps": race_laps})
    if driver_pace_s is None:
        fits = fit_race_models(race_laps_frame)
        driver_pace_s = fits[0].driver_pace_s if fits else {}
    pace = driver_pace_s
    quickest = min(pace.values(), default=0.0)
    slowest = max(pace.values(), default=0.0) - quickest + UNRATED_PACE_MARGIN_S
    grid_key = entries["grid"].where(entries["grid"] > 0, len(entries) + 1)
    grid = dict(zip(entries["driver_id"], grid_key.rank(method="first").astype(int), strict=True))
    own_stints = dict(tuple(stints[stints["race_id"] == race_id].groupby("driver_id", sort=False)))
    plans = {
        driver: plan_from_stints(own_stints[driver], race_laps) if driver in own_stints
        else Plan.of((Compound.MEDIUM, race_laps))
        for driver in entries["driver_id"]
    }
    finished = is_finished(entries["status"])
    laps_done = entries["laps_completed"].fillna(0).astype(int)
    return RaceReplay(
        race=RaceParams(circuit=circuit),
        plans=plans,
        pace_offset_s={d: pace[d] - quickest if d in pace else slowest for d in entries["driver_id"]},
        grid=grid,
        actual_position=dict(zip(entries["driver_id"], entries["position_order"].astype(int), strict=True)),
        retire_lap={
            d: min(n + 1, race_laps)
            for d, n, ok in zip(entries["driver_id"], laps_done, finished, strict=True)
            if not ok
        },
        track_state=track_states_by_lap(race_laps_frame, race_laps),
    )


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    """Rank correlation (average ranks for ties), without pulling in scipy for one number per race."""
    return float(pd.Series(a).rank().corr(pd.Series(b).rank()))


def _distribution(values: np.ndarray, decimals: int = 3) -> dict[str, Any]:
    pct = np.percentile(values, PERCENTILES)
    return {
        "mean": round(float(values.mean()), decimals),
        "std": round(float(values.std()), decimals),
        **{f"p{p:02d}": round(float(v), decimals) for p, v in zip(PERCENTILES, pct, strict=True)},
    }


def _integer_histogram(values: np.ndarray) -> dict[str, float]:
    keys, counts = np.unique(values, return_counts=True)
    return {str(int(k)): round(float(c / values.size), 4) for k, c in zip(keys, counts, strict=True)}


def what_if(
    replay: RaceReplay, driver_id: str, alternative: Plan, n_simulations: int = 2000, seed: int = 0
) -> dict[str, Any]:
    """Position- and time-delta distributions of ``driver_id`` running ``alternative`` instead of their plan."""
    if driver_id not in replay.plans:
        raise ValueError(f"driver {driver_id!r} did not start this race")
    base, alt = simulate_variants(replay.cars(), replay.replay_race(), n_simulations, [(driver_id, alternative)],
                                  seed, replay.fixed_events())
    return summarise_what_if(replay, driver_id, alternative, base, alt)


def summarise_what_if(
    replay: RaceReplay, driver_id: str, alternative: Plan, base: SimResult, alt: SimResult
) -> dict[str, Any]:
    d = base.index(driver_id)
    position_delta = alt.position[:, d].astype(np.int64) - base.position[:, d]
    time_delta = alt.race_time_s[:, d] - base.race_time_s[:, d]
    n_cars = len(base.car_ids)
    actual = replay.actual_position[driver_id]
    counterfactual = np.clip(actual + position_delta, 1, n_cars)
    mean_base = base.position.mean(axis=0)
    actual_order = np.array([replay.actual_position[c] for c in base.car_ids])
    return {
        "driver_id": driver_id,
        "actual_plan": replay.plans[driver_id].describe(),
        "alternative_plan": alternative.describe(),
        "actual_position": actual,
        "position_delta": _distribution(position_delta) | {"distribution": _integer_histogram(position_delta)},
        "time_delta_s": _distribution(time_delta),
        "counterfactual_position": {
            "expected": round(float(counterfactual.mean()), 3),
            "distribution": _integer_histogram(counterfactual),
        },
        "probability_gain": round(float(np.mean(position_delta < 0)), 4),
        "probability_same": round(float(np.mean(position_delta == 0)), 4),
        "probability_loss": round(float(np.mean(position_delta > 0)), 4),
        "replay_fidelity": {
            "simulated_position_actual_plan": round(float(mean_base[d]), 3),
            "spearman_simulated_vs_actual": round(spearman(mean_base, actual_order), 3),
        },
        "n_simulations": base.n_races,
    }


def alternative_plans(
    plan: Plan,
    circuit: CircuitParams,
    pit_shift_laps: int = 3,
    allow_extra_stop: bool = True,
    pit_shifts: tuple[int, ...] | None = None,
) -> dict[str, Plan]:
    """Standard what-if variants of a plan: each stop moved by +-1..pit_shift_laps laps (or by exactly the laps in
    ``pit_shifts``), each stint on another dry compound (keeping two dry compounds), and one extra stop splitting
    the longest stint."""
    out: dict[str, Plan] = {}
    stints = list(plan.stints)
    shifts = pit_shifts if pit_shifts is not None else tuple(range(-pit_shift_laps, pit_shift_laps + 1))
    for i in range(len(stints) - 1):
        for shift in shifts:
            a, b = stints[i].laps + shift, stints[i + 1].laps - shift
            if shift == 0 or a < 1 or b < 1:
                continue
            changed = stints[:i] + [Stint(stints[i].compound, a), Stint(stints[i + 1].compound, b)] + stints[i + 2:]
            out[f"stop {i + 1} {shift:+d} laps"] = Plan(tuple(changed))
    for i, st in enumerate(stints):
        for comp in DRY_COMPOUNDS:
            if comp == st.compound or comp not in circuit.compounds:
                continue
            changed = stints[:i] + [Stint(comp, st.laps)] + stints[i + 1:]
            if len({s.compound for s in changed if s.compound in DRY_COMPOUNDS}) >= 2:
                out[f"stint {i + 1} on {comp.value}"] = Plan(tuple(changed))
    if allow_extra_stop and len(stints) <= MAX_PLANNED_STOPS:
        i = max(range(len(stints)), key=lambda j: stints[j].laps)
        longest = stints[i]
        if longest.laps >= 2:
            half = longest.laps // 2
            fresh = Compound.SOFT if Compound.SOFT in circuit.compounds else longest.compound
            changed = stints[:i] + [Stint(longest.compound, half), Stint(fresh, longest.laps - half)] + stints[i + 1:]
            out[f"extra stop in stint {i + 1}"] = Plan(tuple(changed))
    return out


# The precompute table's alternatives: each stop 3 laps earlier or later, each stint on another compound.
TABLE_PIT_SHIFTS = (-3, 3)


def alternatives_table(replay: RaceReplay, n_simulations: int, seed: int = 0) -> pd.DataFrame:
    """Every driver's standard alternatives (stops +-3 laps, other compounds) in one finished race, one row per
    (driver, alternative): position-delta percentiles and histogram, time delta, P(gain/same/loss) and the
    counterfactual position. All alternatives share the base replay's random numbers (see :func:`what_if`)."""
    circuit = replay.race.circuit
    variants = [
        (driver, name, plan)
        for driver in replay.drivers
        for name, plan in alternative_plans(replay.plans[driver], circuit, allow_extra_stop=False,
                                            pit_shifts=TABLE_PIT_SHIFTS).items()
    ]
    if not variants:
        return pd.DataFrame()
    results = simulate_variants(replay.cars(), replay.replay_race(), n_simulations,
                                [(driver, plan) for driver, _, plan in variants], seed, replay.fixed_events())
    base, alts = results[0], results[1:]
    index = np.array([base.index(driver) for driver, _, _ in variants])
    position = np.stack([alt.position[:, d] for alt, d in zip(alts, index, strict=True)]).astype(np.int64)
    delta = position - base.position[:, index].T
    time_delta = np.stack([alt.race_time_s[:, d] for alt, d in zip(alts, index, strict=True)]) - base.race_time_s[:, index].T
    actual = np.array([replay.actual_position[driver] for driver, _, _ in variants])
    counterfactual = np.clip(actual[:, None] + delta, 1, len(base.car_ids))
    mean_base = base.position.mean(axis=0)
    actual_order = [replay.actual_position[c] for c in base.car_ids]
    fidelity = spearman(mean_base, np.array(actual_order))
    pct = np.percentile(delta, PERCENTILES, axis=1)
    histograms = [np.unique(row, return_counts=True) for row in delta]
    frame = pd.DataFrame({
        "driver_id": [driver for driver, _, _ in variants],
        "alternative": [name for _, name, _ in variants],
        "actual_plan": [replay.plans[driver].label for driver, _, _ in variants],
        "alternative_plan": [plan.label for _, _, plan in variants],
        "alternative_stop_laps": [list(plan.stop_laps) for _, _, plan in variants],
        "alternative_compounds": [[c.value for c in plan.compounds] for _, _, plan in variants],
        "actual_position": actual,
        "simulated_position_actual_plan": np.round(mean_base[index], 3),
        "position_delta_mean": np.round(delta.mean(axis=1), 3),
        "position_delta_std": np.round(delta.std(axis=1), 3),
        **{f"position_delta_p{p:02d}": pct[i] for i, p in enumerate(PERCENTILES)},
        "position_delta_values": [list(values.astype(int)) for values, _ in histograms],
        "position_delta_probabilities": [list(np.round(counts / n_simulations, 4)) for _, counts in histograms],
        "time_delta_mean_s": np.round(time_delta.mean(axis=1), 3),
        "time_delta_std_s": np.round(time_delta.std(axis=1), 3),
        "probability_gain": (delta < 0).mean(axis=1),
        "probability_same": (delta == 0).mean(axis=1),
        "probability_loss": (delta > 0).mean(axis=1),
        "counterfactual_position_expected": np.round(counterfactual.mean(axis=1), 3),
        "replay_spearman": round(fidelity, 3),
        "n_simulations": n_simulations,
    })
    return frame
