"""Monte Carlo race engine: turns a field of cars and race parameters into many simulated full-field races.

Simulations run in chunks of :data:`CHUNK_RACES` races so memory stays bounded whatever the simulation count;
:func:`iter_simulate` yields per-chunk results (constant memory), :func:`simulate` concatenates them.
Each chunk draws from its own ``numpy.random.Generator`` spawned from the seed and the chunk index, so results
depend only on (seed, n_races) and never on thread count. Random draws are made in a fixed order whatever the
cars' plans are, so two runs that differ only in one car's strategy see the same events and the same noise.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, fields

import numpy as np

from simulation.events import sample_track_states, sample_wetness
from simulation.kernel import NO_STOP_LAP, FieldTables, KernelConstants, KernelOutputs, PlanVariants, run_races
from simulation.params import (
    COMPOUND_CODE,
    FULL_FIELD_CARS,
    MAX_PLANNED_STOPS,
    MAX_STINTS,
    SLICK_CROSSOVER_WETNESS,
    CompoundTables,
    RaceParams,
    TrackState,
    compound_tables,
    degradation_multiplier,
)
from simulation.strategies import Plan

CHUNK_RACES = 4096
# A kernel call with plan variants writes (variants + 1) x races result rows: this bounds its memory (~55 MB
# for a 20-car field).
MAX_ROWS_PER_CALL = 1 << 17
# Teams react to changing weather with this probability per lap once another tyre is this much quicker per lap.
WEATHER_REACT_PROB = 0.5
WEATHER_SWITCH_MARGIN_S = 1.0


@dataclass(frozen=True)
class CarEntry:
    """One car of the field. ``plans``/``plan_weights`` is the menu its strategy is drawn from in each race
    (one plan = a fixed strategy); planned stop laps move by up to ``pit_lap_jitter`` laps either way."""

    car_id: str
    plans: tuple[Plan, ...]
    pace_offset_s: float = 0.0
    grid_slot: int = 1
    plan_weights: tuple[float, ...] = ()
    pit_lap_jitter: int = 0
    pace_sd_s: float | None = None
    retirement_prob: float | None = None
    start_tyre_life: int = 0

    def __post_init__(self) -> None:
        if not self.plans:
            raise ValueError(f"car {self.car_id}: at least one plan is needed")
        if self.plan_weights and (len(self.plan_weights) != len(self.plans) or min(self.plan_weights) < 0):
            raise ValueError(f"car {self.car_id}: plan_weights must be non-negative, one per plan")
        if self.grid_slot < 1 or self.pit_lap_jitter < 0 or self.start_tyre_life < 0:
            raise ValueError(f"car {self.car_id}: grid_slot >= 1, pit_lap_jitter >= 0, start_tyre_life >= 0")


@dataclass(frozen=True)
class FixedEvents:
    """Known events for replaying a real race instead of sampling them: per-lap track state (race_laps,),
    per-car retirement lap (n_cars,) with race_laps + 1 for finishers, per-lap wetness (race_laps,)."""

    track_state: np.ndarray | None = None
    retire_lap: np.ndarray | None = None
    wetness: np.ndarray | None = None


@dataclass
class SimResult:
    """Per race (rows) and car (columns, in field order) outcomes of a batch of simulated races."""

    car_ids: tuple[str, ...]
    position: np.ndarray  # (S, N) int8, classified position (retirements behind finishers)
    race_time_s: np.ndarray  # (S, N) float64, cumulative time at the flag (at retirement for DNFs)
    stops: np.ndarray  # (S, N) int8, pit stops made (weather stops included)
    pit_time_saved_s: np.ndarray  # (S, N) float32, pit loss saved by stopping under SC/VSC
    laps_held: np.ndarray  # (S, N) int16, laps spent held up behind a slower car
    passes: np.ndarray  # (S, N) int16, on-track passes made
    laps_completed: np.ndarray  # (S, N) int16
    plan_index: np.ndarray  # (S, N) int8, which plan of its menu the car ran
    sc_laps: np.ndarray  # (S,) int16
    vsc_laps: np.ndarray  # (S,) int16
    red_flag: np.ndarray  # (S,) bool
    wet_laps: np.ndarray  # (S,) int16, laps wet enough for intermediates

    @property
    def n_races(self) -> int:
        return int(self.position.shape[0])

    def index(self, car_id: str) -> int:
        return self.car_ids.index(car_id)

    @property
    def finished(self) -> np.ndarray:
        return self.laps_completed == self.laps_completed.max(axis=1, keepdims=True)

    @classmethod
    def concat(cls, parts: Sequence[SimResult]) -> SimResult:
        if len(parts) == 1:
            return parts[0]
        arrays = {
            f.name: np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(cls) if f.name != "car_ids"
        }
        return cls(car_ids=parts[0].car_ids, **arrays)


def spaced_field(
    plans: tuple[Plan, ...],
    plan_weights: tuple[float, ...],
    pace_step_s: float,
    n_cars: int = FULL_FIELD_CARS,
    pit_lap_jitter: int = 3,
) -> list[CarEntry]:
    """A generic field: cars ``pace_step_s`` apart per place, lined up in pace order, all drawing their strategy
    from the same menu."""
    return [
        CarEntry(
            car_id=f"P{i + 1:02d}",
            plans=plans,
            plan_weights=plan_weights,
            pit_lap_jitter=pit_lap_jitter,
            pace_offset_s=pace_step_s * i,
            grid_slot=i + 1,
        )
        for i in range(n_cars)
    ]


def _plan_tables(plans: Sequence[Plan]) -> tuple[np.ndarray, np.ndarray]:
    """Stop laps (P, MAX_PLANNED_STOPS) padded with NO_STOP_LAP and stint codes (P, MAX_STINTS) padded with the
    last compound (a weather stop back to slicks after the plan has run out takes the last planned compound)."""
    stops = np.full((len(plans), MAX_PLANNED_STOPS), NO_STOP_LAP, dtype=np.int16)
    codes = np.empty((len(plans), MAX_STINTS), dtype=np.int8)
    for i, plan in enumerate(plans):
        if plan.stops > MAX_PLANNED_STOPS:
            raise ValueError(f"plan {plan.label} has more than {MAX_PLANNED_STOPS} stops")
        stops[i, : plan.stops] = plan.stop_laps
        seq = [COMPOUND_CODE[c] for c in plan.compounds]
        codes[i] = seq + [seq[-1]] * (MAX_STINTS - len(seq))
    return stops, codes


def _kernel_constants(race: RaceParams, has_rain: bool) -> KernelConstants:
    c = race.circuit
    return KernelConstants(
        base_lap_time_s=c.base_lap_time_s,
        fuel_effect_start_s=c.fuel_start_kg * c.fuel_s_per_kg,
        pit_loss_green_s=c.pit_loss_green_s,
        pit_loss_vsc_s=c.pit_loss_vsc_s,
        pit_loss_sc_s=c.pit_loss_sc_s,
        pit_stationary_sd_s=c.pit_stationary_sd_s,
        slow_stop_prob=c.slow_stop_prob,
        slow_stop_extra_s=c.slow_stop_extra_s,
        overtake_threshold_s=c.overtake_threshold_s,
        drs_gain_s=c.drs_gain_s,
        dirty_air_loss_s=c.dirty_air_loss_s,
        pass_time_loss_s=c.pass_time_loss_s,
        follow_gap_s=c.follow_gap_s,
        lap_noise_s=c.lap_noise_s,
        lap1_noise_s=float(np.hypot(c.lap_noise_s, c.start_noise_s)),
        sc_lap_time_factor=c.sc_lap_time_factor,
        vsc_lap_time_factor=c.vsc_lap_time_factor,
        sc_train_gap_s=c.sc_train_gap_s,
        sc_pit_window_laps=float(c.sc_pit_window_laps),
        weather_react_prob=WEATHER_REACT_PROB,
        weather_switch_margin_s=WEATHER_SWITCH_MARGIN_S,
        has_rain=1.0 if has_rain else 0.0,
        stint_limit_laps=float(NO_STOP_LAP if c.stint_limit_laps is None else c.stint_limit_laps),
    )


def _field_tables(cars: Sequence[CarEntry], race: RaceParams, fixed_retire_lap: np.ndarray | None) -> FieldTables:
    """The field as the kernel's per-car arrays; all cars' plan menus are stacked into one table."""
    c = race.circuit
    if len(cars) < 2:
        raise ValueError("a race needs at least two cars")
    ids = [car.car_id for car in cars]
    if len(set(ids)) != len(ids):
        raise ValueError("car ids must be unique")
    menus = [_plan_tables(car.plans) for car in cars]
    sizes = np.array([len(car.plans) for car in cars], dtype=np.int64)
    cum_weight = np.ones((len(cars), int(sizes.max())))
    for i, car in enumerate(cars):
        w = np.asarray(car.plan_weights or [1.0] * len(car.plans), dtype=np.float64)
        cum_weight[i, : len(w)] = np.cumsum(w) / w.sum()
    return FieldTables(
        pace_mean_s=np.array([car.pace_offset_s for car in cars], dtype=np.float64),
        pace_sd_s=np.array([c.race_pace_sd_s if car.pace_sd_s is None else car.pace_sd_s for car in cars]),
        start_offset_s=np.array([(car.grid_slot - 1) * c.start_slot_gap_s for car in cars], dtype=np.float64),
        start_tyre_life=np.array([car.start_tyre_life for car in cars], dtype=np.int64),
        retirement_prob=np.array(
            [c.retirement_prob if car.retirement_prob is None else car.retirement_prob for car in cars],
            dtype=np.float64,
        ),
        fixed_retire_lap=(
            np.zeros(len(cars), np.int64) if fixed_retire_lap is None else fixed_retire_lap.astype(np.int64)
        ),
        menu_offset=np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64),
        menu_size=sizes,
        menu_cum_weight=cum_weight,
        pit_lap_jitter=np.array([car.pit_lap_jitter for car in cars], dtype=np.int64),
        menu_stop_laps=np.concatenate([m[0] for m in menus]),
        menu_codes=np.concatenate([m[1] for m in menus]),
    )


def _check_fixed(fixed: FixedEvents, laps: int, n_cars: int) -> None:
    if fixed.track_state is not None and fixed.track_state.shape != (laps,):
        raise ValueError(f"fixed track_state must have shape ({laps},)")
    if fixed.retire_lap is not None and fixed.retire_lap.shape != (n_cars,):
        raise ValueError(f"fixed retire_lap must have shape ({n_cars},)")
    if fixed.wetness is not None and fixed.wetness.shape != (laps,):
        raise ValueError(f"fixed wetness must have shape ({laps},)")


@dataclass(frozen=True)
class _Chunk:
    """The random inputs of one chunk of races: per-lap track state and wetness and one seed per race."""

    state: np.ndarray
    wetness: np.ndarray
    seeds: np.ndarray


def _chunks(race: RaceParams, n_races: int, seed: int, fixed: FixedEvents) -> Iterator[_Chunk]:
    if n_races < 1:
        raise ValueError("n_races must be >= 1")
    laps = race.circuit.race_laps
    for chunk, first in enumerate(range(0, n_races, CHUNK_RACES)):
        n = min(CHUNK_RACES, n_races - first)
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(chunk,)))
        seeds = rng.integers(0, np.iinfo(np.uint64).max, n, dtype=np.uint64, endpoint=True)
        if fixed.track_state is not None:
            state = np.ascontiguousarray(np.broadcast_to(fixed.track_state.astype(np.int8), (n, laps)))
        else:
            state = sample_track_states(race.circuit.events, laps, n, rng)
        if fixed.wetness is not None:
            wetness = np.ascontiguousarray(np.broadcast_to(fixed.wetness.astype(np.float32), (n, laps)))
        else:
            wetness = sample_wetness(race.weather, laps, n, rng)
        yield _Chunk(state, wetness, seeds)


def _no_variants() -> PlanVariants:
    return PlanVariants(car=np.zeros(0, np.int64), stop_laps=np.zeros((0, MAX_PLANNED_STOPS), np.int16),
                        codes=np.zeros((0, MAX_STINTS), np.int8))


def _run_chunk(
    field_tables: FieldTables,
    car_ids: tuple[str, ...],
    race: RaceParams,
    tyres: CompoundTables,
    chunk: _Chunk,
    variants: PlanVariants,
) -> list[SimResult]:
    """One kernel call: the chunk's races for the field and for every plan variant, ``[field, *variants]``."""
    n, n_cars = chunk.seeds.size, len(car_ids)
    n_rows = n * (variants.car.size + 1)
    has_rain = bool(chunk.wetness.max() > 0.0)
    out = KernelOutputs(
        position=np.empty((n_rows, n_cars), np.int8),
        time_s=np.empty((n_rows, n_cars), np.float64),
        stops=np.empty((n_rows, n_cars), np.int8),
        pit_saved_s=np.empty((n_rows, n_cars), np.float32),
        laps_held=np.empty((n_rows, n_cars), np.int16),
        passes=np.empty((n_rows, n_cars), np.int16),
        laps_done=np.empty((n_rows, n_cars), np.int16),
        plan=np.empty((n_rows, n_cars), np.int8),
    )
    run_races(field_tables, chunk.state, chunk.wetness, chunk.seeds, tyres, _kernel_constants(race, has_rain),
              variants, out)
    state = chunk.state
    sc_laps = (state == TrackState.SC).sum(axis=1).astype(np.int16)
    vsc_laps = (state == TrackState.VSC).sum(axis=1).astype(np.int16)
    red_flag = (state == TrackState.RED).any(axis=1)
    wet_laps = (chunk.wetness >= SLICK_CROSSOVER_WETNESS).sum(axis=1).astype(np.int16)
    return [
        SimResult(
            car_ids=car_ids,
            position=out.position[rows],
            race_time_s=out.time_s[rows],
            stops=out.stops[rows],
            pit_time_saved_s=out.pit_saved_s[rows],
            laps_held=out.laps_held[rows],
            passes=out.passes[rows],
            laps_completed=out.laps_done[rows],
            plan_index=out.plan[rows],
            sc_laps=sc_laps,
            vsc_laps=vsc_laps,
            red_flag=red_flag,
            wet_laps=wet_laps,
        )
        for rows in (slice(v * n, (v + 1) * n) for v in range(variants.car.size + 1))
    ]


def iter_simulate(
    cars: Sequence[CarEntry],
    race: RaceParams,
    n_races: int,
    seed: int = 0,
    fixed: FixedEvents | None = None,
) -> Iterator[SimResult]:
    """Simulate ``n_races`` full-field races, yielding results chunk by chunk (bounded memory)."""
    fixed = fixed or FixedEvents()
    _check_fixed(fixed, race.circuit.race_laps, len(cars))
    field_tables = _field_tables(cars, race, fixed.retire_lap)
    car_ids = tuple(car.car_id for car in cars)
    tyres = compound_tables(race.circuit, degradation_multiplier(race.circuit, race.weather))
    for chunk in _chunks(race, n_races, seed, fixed):
        yield _run_chunk(field_tables, car_ids, race, tyres, chunk, _no_variants())[0]


def _plan_variants(cars: Sequence[CarEntry], variants: Sequence[tuple[str, Plan]]) -> PlanVariants:
    """The kernel's table of plan changes; only a car with a single plan can have it replaced."""
    car_ids = [car.car_id for car in cars]
    index = np.array([car_ids.index(car) for car, _ in variants], dtype=np.int64)
    if any(len(cars[i].plans) != 1 for i in index):
        raise ValueError("only a car with a single plan can have it replaced")
    stop_laps, codes = _plan_tables([plan for _, plan in variants])
    return PlanVariants(car=index, stop_laps=stop_laps, codes=codes)


def _split(chunk: _Chunk, races: int) -> Iterator[_Chunk]:
    for first in range(0, chunk.seeds.size, races):
        rows = slice(first, first + races)
        yield _Chunk(chunk.state[rows], chunk.wetness[rows], chunk.seeds[rows])


def simulate_variants(
    cars: Sequence[CarEntry],
    race: RaceParams,
    n_races: int,
    variants: Sequence[tuple[str, Plan]],
    seed: int = 0,
    fixed: FixedEvents | None = None,
) -> list[SimResult]:
    """The field as given and then once per variant (car id, plan) with that single-plan car's plan replaced,
    all on the same random numbers: ``[base, *variants]``. The per-race differences between the base and a
    variant are the effect of that plan change alone. All variants run in one kernel call per chunk, each
    restarting from the base race's state on the last lap the two plans share."""
    fixed = fixed or FixedEvents()
    _check_fixed(fixed, race.circuit.race_laps, len(cars))
    field_tables = _field_tables(cars, race, fixed.retire_lap)
    plan_variants = _plan_variants(cars, variants) if variants else _no_variants()
    car_ids = tuple(car.car_id for car in cars)
    tyres = compound_tables(race.circuit, degradation_multiplier(race.circuit, race.weather))
    races_per_call = max(1, MAX_ROWS_PER_CALL // (len(variants) + 1))
    parts: list[list[SimResult]] = [[] for _ in range(len(variants) + 1)]
    for chunk in _chunks(race, n_races, seed, fixed):
        for block in _split(chunk, races_per_call):
            for part, result in zip(parts, _run_chunk(field_tables, car_ids, race, tyres, block, plan_variants),
                                    strict=True):
                part.append(result)
    return [SimResult.concat(part) for part in parts]


def simulate(
    cars: Sequence[CarEntry],
    race: RaceParams,
    n_races: int,
    seed: int = 0,
    fixed: FixedEvents | None = None,
) -> SimResult:
    """Simulate ``n_races`` full-field races and return all per-car outcomes (see :class:`SimResult`)."""
    return SimResult.concat(list(iter_simulate(cars, race, n_races, seed, fixed)))
