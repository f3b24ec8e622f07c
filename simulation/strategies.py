"""Race strategies (plans): representation, legal-plan generation and a quick clean-air screening.

A plan is a sequence of stints (compound, laps). Legal dry plans have 1-3 stops, use at least two different dry
compounds (the FIA rule, waived in a wet race) and keep every stint within its compound's usable range at the
circuit. Generation is vectorised: all legal plans of a race (typically tens of thousands) come back as arrays
(:class:`PlanSet`); :func:`screen_plans` prices them all in clean air, and only a shortlist is turned into
:class:`Plan` objects and raced in the Monte Carlo engine.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from simulation.params import (
    COMPOUND_CODE,
    COMPOUND_ORDER,
    DRY_COMPOUNDS,
    MAX_GENERATED_STOPS,
    MAX_STINTS,
    CircuitParams,
    Compound,
    compound_tables,
)


@dataclass(frozen=True)
class Stint:
    compound: Compound
    laps: int


@dataclass(frozen=True)
class Plan:
    """A tyre strategy: stints in order. Stops happen at the end of each stint but the last."""

    stints: tuple[Stint, ...]

    def __post_init__(self) -> None:
        if not 1 <= len(self.stints) <= MAX_STINTS:
            raise ValueError(f"a plan needs 1 to {MAX_STINTS} stints, got {len(self.stints)}")
        if any(st.laps < 1 for st in self.stints):
            raise ValueError("every stint needs at least one lap")

    @classmethod
    def of(cls, *stints: tuple[Compound | str, int]) -> Plan:
        """``Plan.of(("MEDIUM", 20), ("HARD", 37))``."""
        return cls(tuple(Stint(Compound(c), int(n)) for c, n in stints))

    @property
    def stops(self) -> int:
        return len(self.stints) - 1

    @property
    def race_laps(self) -> int:
        return sum(st.laps for st in self.stints)

    @property
    def stop_laps(self) -> tuple[int, ...]:
        """Lap numbers of the in-laps (the car pits at the end of these laps)."""
        return tuple(itertools.accumulate(st.laps for st in self.stints[:-1]))

    @property
    def compounds(self) -> tuple[Compound, ...]:
        return tuple(st.compound for st in self.stints)

    @property
    def label(self) -> str:
        seq = "-".join(c.value[0] for c in self.compounds)
        return f"{seq} ({self.stops}-stop)" if self.stops else f"{seq} (no stop)"

    def describe(self) -> dict[str, object]:
        return {
            "label": self.label,
            "stops": self.stops,
            "compound_sequence": [c.value for c in self.compounds],
            "stop_laps": list(self.stop_laps),
            "stints": [
                {"stint": i + 1, "compound": st.compound.value, "laps": st.laps} for i, st in enumerate(self.stints)
            ],
        }

    def is_legal_dry(self, circuit: CircuitParams) -> bool:
        """Two dry compounds, stints within usable ranges, 1..MAX_GENERATED_STOPS stops, full race distance."""
        if not 1 <= self.stops <= MAX_GENERATED_STOPS or self.race_laps != circuit.race_laps:
            return False
        if len({c for c in self.compounds if c in DRY_COMPOUNDS}) < 2 or any(
            c not in DRY_COMPOUNDS for c in self.compounds
        ):
            return False
        limit = circuit.stint_limit_laps or circuit.race_laps
        return all(
            circuit.compound(st.compound).min_stint_laps <= st.laps
            <= min(circuit.compound(st.compound).max_stint_laps, limit)
            for st in self.stints
        )


@dataclass(frozen=True)
class PlanSet:
    """Many plans as arrays: ``codes`` (P, MAX_STINTS) compound codes (-1 past the last stint) and
    ``stint_laps`` (P, MAX_STINTS) (0 past the last stint)."""

    codes: np.ndarray
    stint_laps: np.ndarray

    def __len__(self) -> int:
        return int(self.codes.shape[0])

    @property
    def stops(self) -> np.ndarray:
        return (self.stint_laps > 0).sum(axis=1) - 1

    def plan(self, i: int) -> Plan:
        stints = [
            Stint(COMPOUND_ORDER[int(c)], int(n))
            for c, n in zip(self.codes[i], self.stint_laps[i], strict=True)
            if n > 0
        ]
        return Plan(tuple(stints))

    def family(self) -> np.ndarray:
        """An integer per plan identifying its compound sequence (plans of one family differ only in stop laps)."""
        base = len(COMPOUND_ORDER) + 1
        return ((self.codes + 1) * base ** np.arange(MAX_STINTS)).sum(axis=1)


def _compositions(lows: list[int], highs: list[int], total: int) -> np.ndarray:
    """All integer vectors x with lows <= x <= highs and sum(x) == total, as an (M, len(lows)) array."""
    free = [np.arange(lo, hi + 1) for lo, hi in zip(lows[:-1], highs[:-1], strict=True)]
    grids = np.meshgrid(*free, indexing="ij") if free else []
    head = np.stack([g.ravel() for g in grids], axis=1) if free else np.zeros((1, 0), dtype=np.int64)
    last = total - head.sum(axis=1)
    ok = (last >= lows[-1]) & (last <= highs[-1])
    return np.concatenate([head[ok], last[ok, None]], axis=1)


def generate_plans(
    circuit: CircuitParams,
    race_laps: int | None = None,
    max_stops: int = MAX_GENERATED_STOPS,
    require_two_compounds: bool = True,
    deg_multiplier: float = 1.0,
) -> PlanSet:
    """Every legal dry plan with 1..max_stops stops.

    Usable stint ranges come from the circuit's compounds; when tyres wear faster (``deg_multiplier`` > 1, a hot
    track) the maximum stint shrinks in proportion, and grows when they wear slower. A published stint limit
    (``circuit.stint_limit_laps``) caps every stint. ``require_two_compounds`` is the FIA dry-race rule; it is
    waived in a wet race.
    """
    laps = race_laps or circuit.race_laps
    if not 1 <= max_stops <= MAX_GENERATED_STOPS:
        raise ValueError(f"max_stops must be 1..{MAX_GENERATED_STOPS}")
    dry = circuit.dry_compounds()
    ranges = {}
    for c in dry:
        p = circuit.compound(c)
        high = max(p.min_stint_laps, int(round(p.max_stint_laps / deg_multiplier)))
        ranges[c] = (p.min_stint_laps, min(high, laps, circuit.stint_limit_laps or laps))
    codes_out: list[np.ndarray] = []
    laps_out: list[np.ndarray] = []
    for n_stints in range(2, max_stops + 2):
        for seq in itertools.product(dry, repeat=n_stints):
            if require_two_compounds and len(set(seq)) < 2:
                continue
            lengths = _compositions([ranges[c][0] for c in seq], [ranges[c][1] for c in seq], laps)
            if lengths.size == 0:
                continue
            pad = MAX_STINTS - n_stints
            codes = np.array([COMPOUND_CODE[c] for c in seq] + [-1] * pad, dtype=np.int8)
            codes_out.append(np.broadcast_to(codes, (lengths.shape[0], MAX_STINTS)))
            laps_out.append(np.pad(lengths, ((0, 0), (0, pad))).astype(np.int16))
    if not codes_out:
        raise ValueError(f"no legal plan for {laps} laps with the usable stint ranges of {circuit.circuit_id}")
    return PlanSet(np.concatenate(codes_out), np.concatenate(laps_out))


def stint_time_s(
    circuit: CircuitParams, codes: np.ndarray, stint_laps: np.ndarray, deg_multiplier: float = 1.0
) -> np.ndarray:
    """Clean-air time spent on the tyres of each stint beyond base pace (compound offset + wear + cliff), summed
    in closed form per stint. ``codes``/``stint_laps`` broadcast; stints with 0 laps cost 0."""
    tables = compound_tables(circuit, deg_multiplier)
    idx = np.where(codes >= 0, codes, 0)
    n = stint_laps.astype(np.float64)
    over = np.maximum(0.0, n - tables.cliff_lap[idx])
    total = (
        n * tables.pace_offset_s[idx]
        + tables.deg_s_per_lap[idx] * n * (n + 1) / 2
        + tables.cliff_s_per_lap[idx] * over * (over + 1) / 2
    )
    return np.where(stint_laps > 0, total, 0.0)


def screen_plans(
    circuit: CircuitParams, plans: PlanSet, deg_multiplier: float = 1.0, pit_loss_s: float | None = None
) -> np.ndarray:
    """Expected race time of every plan in clean air relative to running the whole race at base pace, seconds.

    Pit stops cost the green-flag loss reduced by the expected saving from stopping under a neutralisation (the
    chance a stop window contains a SC/VSC phase times the saving). This ignores traffic and is only used to
    shortlist plans before the full-field Monte Carlo.
    """
    loss = circuit.pit_loss_green_s if pit_loss_s is None else pit_loss_s
    ev = circuit.events
    window = max(1, circuit.sc_pit_window_laps)
    # P(a neutralisation starts inside a stop's window) for Poisson phases spread over the race.
    p_sc = 1.0 - np.exp(-ev.sc_per_race * window / circuit.race_laps)
    p_vsc = 1.0 - np.exp(-ev.vsc_per_race * min(window, 2) / circuit.race_laps)
    expected_loss = loss - p_sc * (loss - circuit.pit_loss_sc_s) - p_vsc * (loss - circuit.pit_loss_vsc_s)
    tyre = stint_time_s(circuit, plans.codes, plans.stint_laps, deg_multiplier).sum(axis=1)
    return tyre + plans.stops * expected_loss


def shortlist(
    circuit: CircuitParams,
    plans: PlanSet,
    per_stop_count: dict[int, int],
    deg_multiplier: float = 1.0,
    pit_loss_s: float | None = None,
) -> list[tuple[Plan, float]]:
    """The best-screened plan of each compound sequence, then the best ``per_stop_count[k]`` sequences for
    each number of stops k: a diverse shortlist (1-, 2- and 3-stop options) for the Monte Carlo, with their
    screening times."""
    times = screen_plans(circuit, plans, deg_multiplier, pit_loss_s)
    family = plans.family()
    order = np.lexsort((times, family))
    first_of_family = np.ones(order.size, dtype=bool)
    first_of_family[1:] = family[order][1:] != family[order][:-1]
    best = order[first_of_family]
    stops = plans.stops[best]
    chosen: list[tuple[Plan, float]] = []
    for k, count in sorted(per_stop_count.items()):
        of_k = best[stops == k]
        for i in of_k[np.argsort(times[of_k])][:count]:
            chosen.append((plans.plan(int(i)), float(times[i])))
    chosen.sort(key=lambda pt: pt[1])
    return chosen


# Cars choose among a menu of good plans with weights exp(-screening time / temperature): plans a few seconds
# apart in clean air are about equally likely, as in a real field where teams split strategies.
MENU_PER_STOP_COUNT = {1: 3, 2: 2, 3: 1}
MENU_TEMPERATURE_S = 4.0


def strategy_menu(
    circuit: CircuitParams,
    deg_multiplier: float = 1.0,
    per_stop_count: dict[int, int] | None = None,
    require_two_compounds: bool = True,
) -> tuple[tuple[Plan, ...], tuple[float, ...]]:
    """Plausible plans for a car with no known strategy, and their probabilities."""
    plans = generate_plans(circuit, require_two_compounds=require_two_compounds, deg_multiplier=deg_multiplier)
    menu = shortlist(circuit, plans, per_stop_count or MENU_PER_STOP_COUNT, deg_multiplier)
    times = np.array([t for _, t in menu])
    weights = np.exp(-(times - times.min()) / MENU_TEMPERATURE_S)
    return tuple(p for p, _ in menu), tuple(float(w) for w in weights / weights.sum())
