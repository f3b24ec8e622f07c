"""Parameter objects for the race simulator.

Everything the engine needs about a circuit, its tyres, its incident history and the weather lives here as
validated, immutable pydantic models, so that a caller with parameters fitted from the marts
(:mod:`simulation.fitting`) and a caller using the built-in defaults (:mod:`simulation.defaults`) hand the engine
exactly the same kind of object. Units are in the field names (``_s`` seconds, ``_kg`` kilograms, ``_c`` °C).
"""

from __future__ import annotations

import math
from enum import IntEnum, StrEnum
from typing import NamedTuple, Self

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from simulation.fit_defaults import FUEL_S_PER_KG, FUEL_START_KG


class Compound(StrEnum):
    """Tyre compounds in Pirelli's relative naming (the softest of a weekend's three slicks is SOFT)."""

    SOFT = "SOFT"
    MEDIUM = "MEDIUM"
    HARD = "HARD"
    INTERMEDIATE = "INTERMEDIATE"
    WET = "WET"


# Integer codes used inside the numba kernel: the position in this tuple.
COMPOUND_ORDER: tuple[Compound, ...] = tuple(Compound)
COMPOUND_CODE: dict[Compound, int] = {c: i for i, c in enumerate(COMPOUND_ORDER)}
DRY_COMPOUNDS: tuple[Compound, ...] = (Compound.SOFT, Compound.MEDIUM, Compound.HARD)
WET_COMPOUNDS: tuple[Compound, ...] = (Compound.INTERMEDIATE, Compound.WET)
N_COMPOUNDS = len(COMPOUND_ORDER)


class TrackState(IntEnum):
    """Track state of one lap, as the kernel sees it. RED means the race is red-flagged at the end of that lap."""

    GREEN = 0
    VSC = 1
    SC = 2
    RED = 3


# The engine races plans of up to this many planned stops (real races replayed in what-ifs can have four);
# generated strategies have 1..MAX_GENERATED_STOPS. Weather-forced stops come on top, decided by the engine.
MAX_PLANNED_STOPS = 4
MAX_STINTS = MAX_PLANNED_STOPS + 1
MAX_GENERATED_STOPS = 3
# Field size of a modern Grand Prix.
FULL_FIELD_CARS = 20

# Wet-weather model (seconds per lap relative to a dry track on slicks, as a function of track wetness w in [0, 1]).
# Slicks lose SLICK_WET_LOSS_S * w; intermediates are INTER_DRY_LOSS_S slower on a dry track, best on a damp one
# and lose again in standing water; full wets only pay off in heavy rain. The slick/inter crossover falls out of
# these lines at w ~= 0.17 and the inter/wet crossover at w ~= 0.92, matching the usual 'crossover' lap behaviour.
SLICK_WET_LOSS_S = 24.0
INTER_DRY_LOSS_S = 4.8
INTER_FLOOD_LOSS_S_PER_W = 6.0
INTER_FLOOD_FROM_W = 0.7
WET_DRY_LOSS_S = 9.0
WET_MIN_LOSS_S = 1.0
# Wetness above which intermediates beat slicks (where the two lines above cross).
SLICK_CROSSOVER_WETNESS = INTER_DRY_LOSS_S / (SLICK_WET_LOSS_S + INTER_DRY_LOSS_S)
# Everybody is slower on a wet track whatever they run; this does not change the order but keeps lap times real.
WET_TRACK_SLOWDOWN_S = 10.0


class CompoundParams(BaseModel):
    """Pace and wear of one compound at one circuit.

    Lap time contribution on a tyre that has done ``tyre_life`` laps (1 on its first lap):
    ``pace_offset_s + deg_s_per_lap * tyre_life + cliff_s_per_lap * max(0, tyre_life - cliff_lap)``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    pace_offset_s: float = Field(ge=-5.0, le=10.0, description="new-tyre pace relative to a new MEDIUM")
    deg_s_per_lap: float = Field(ge=-0.2, le=1.0, description="linear degradation, fuel-corrected")
    cliff_lap: int = Field(default=99, ge=1, le=200, description="tyre life after which the cliff starts")
    cliff_s_per_lap: float = Field(default=0.0, ge=0.0, le=5.0, description="extra loss per lap beyond the cliff")
    min_stint_laps: int = Field(default=5, ge=1, le=100)
    max_stint_laps: int = Field(default=40, ge=1, le=200)
    deg_rel_sd: float = Field(default=0.0, ge=0.0, le=1.0,
                              description="relative sd of a race's degradation around deg_s_per_lap, drawn per race")

    @model_validator(mode="after")
    def _stint_range(self) -> Self:
        if self.min_stint_laps > self.max_stint_laps:
            raise ValueError(f"min_stint_laps ({self.min_stint_laps}) > max_stint_laps ({self.max_stint_laps})")
        return self


DEFAULT_COMPOUNDS: dict[Compound, CompoundParams] = {
    Compound.SOFT: CompoundParams(
        pace_offset_s=-0.6, deg_s_per_lap=0.10, cliff_lap=22, cliff_s_per_lap=0.15, min_stint_laps=5, max_stint_laps=22
    ),
    Compound.MEDIUM: CompoundParams(
        pace_offset_s=0.0, deg_s_per_lap=0.06, cliff_lap=34, cliff_s_per_lap=0.12, min_stint_laps=8, max_stint_laps=34
    ),
    Compound.HARD: CompoundParams(
        pace_offset_s=0.35, deg_s_per_lap=0.035, cliff_lap=45, cliff_s_per_lap=0.10, min_stint_laps=10, max_stint_laps=45
    ),
    # Wet-weather tyres: their pace against wetness comes from the wet model above, not from pace_offset_s.
    Compound.INTERMEDIATE: CompoundParams(
        pace_offset_s=0.0, deg_s_per_lap=0.04, cliff_lap=40, cliff_s_per_lap=0.10, min_stint_laps=1, max_stint_laps=60
    ),
    Compound.WET: CompoundParams(
        pace_offset_s=0.0, deg_s_per_lap=0.03, cliff_lap=50, cliff_s_per_lap=0.10, min_stint_laps=1, max_stint_laps=70
    ),
}


class EventParams(BaseModel):
    """Neutralisations at a circuit, as fitted from its safety-car / VSC / red-flag history.

    SC and VSC phase counts are Poisson with the given means per race; phase lengths are 1 + Poisson(mean - 1)
    laps. SC start laps are drawn from ``sc_start_lap_fractions`` (observed start lap / race laps) when given,
    otherwise a third of SCs start on lap 1 and the rest anywhere in the race.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    sc_per_race: float = Field(default=0.55, ge=0.0, le=5.0)
    sc_mean_laps: float = Field(default=4.5, ge=1.0, le=20.0)
    sc_start_lap_fractions: tuple[float, ...] = Field(default=())
    vsc_per_race: float = Field(default=0.35, ge=0.0, le=5.0)
    vsc_mean_laps: float = Field(default=2.0, ge=1.0, le=10.0)
    red_flag_prob: float = Field(default=0.05, ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _fractions(self) -> Self:
        if any(not 0.0 <= f <= 1.0 for f in self.sc_start_lap_fractions):
            raise ValueError("sc_start_lap_fractions must lie in [0, 1]")
        return self


class CircuitParams(BaseModel):
    """Everything circuit-specific the engine needs. Defaults are a generic modern permanent circuit."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    circuit_id: str = Field(min_length=1)
    race_laps: int = Field(default=57, ge=5, le=100)
    base_lap_time_s: float = Field(default=92.0, ge=50.0, le=200.0, description="quickest car, new MEDIUM, no fuel")
    compounds: dict[Compound, CompoundParams] = Field(default_factory=lambda: dict(DEFAULT_COMPOUNDS))

    # Pit stops: total time lost against staying out (pit lane + stationary), by track state.
    pit_loss_green_s: float = Field(default=22.0, ge=5.0, le=60.0)
    pit_loss_vsc_s: float = Field(default=14.0, ge=2.0, le=60.0)
    pit_loss_sc_s: float = Field(default=11.0, ge=2.0, le=60.0)
    pit_stationary_sd_s: float = Field(default=0.5, ge=0.0, le=5.0)
    slow_stop_prob: float = Field(default=0.03, ge=0.0, le=0.5)
    slow_stop_extra_s: float = Field(default=4.0, ge=0.0, le=60.0)

    # Wheel-to-wheel: a follower gets by only if faster on that lap by the threshold (DRS counts toward it).
    overtake_threshold_s: float = Field(default=0.8, ge=0.0, le=10.0)
    drs_gain_s: float = Field(default=0.35, ge=0.0, le=3.0)
    dirty_air_loss_s: float = Field(default=0.2, ge=0.0, le=3.0)
    pass_time_loss_s: float = Field(default=0.3, ge=0.0, le=5.0)
    follow_gap_s: float = Field(default=0.3, ge=0.05, le=2.0)

    # Randomness: lap-to-lap noise and race-to-race form of each car.
    lap_noise_s: float = Field(default=0.35, ge=0.0, le=5.0)
    race_pace_sd_s: float = Field(default=0.12, ge=0.0, le=3.0)

    fuel_start_kg: float = Field(default=FUEL_START_KG, ge=0.0, le=150.0)
    fuel_s_per_kg: float = Field(default=FUEL_S_PER_KG, ge=0.0, le=0.2)

    # Start: time between grid slots at the end of lap 1 and the lap-1 scramble.
    start_slot_gap_s: float = Field(default=0.25, ge=0.0, le=3.0)
    start_noise_s: float = Field(default=0.6, ge=0.0, le=10.0)

    sc_lap_time_factor: float = Field(default=1.4, ge=1.0, le=3.0)
    vsc_lap_time_factor: float = Field(default=1.3, ge=1.0, le=3.0)
    sc_train_gap_s: float = Field(default=0.8, ge=0.1, le=5.0)
    sc_pit_window_laps: int = Field(default=8, ge=0, le=40, description="pit under SC/VSC if the plan stop is this close")

    retirement_prob: float = Field(default=0.07, ge=0.0, le=1.0, description="per car per race")
    stint_limit_laps: int | None = Field(default=None, ge=5, le=100,
                                         description="published maximum laps on one set of slicks (Qatar 2025: 25)")

    ref_track_temp_c: float = Field(default=35.0, ge=0.0, le=80.0, description="track temp the deg was fitted at")
    deg_temp_coeff_per_c: float = Field(default=0.02, ge=0.0, le=0.2, description="relative deg change per °C")

    events: EventParams = Field(default_factory=EventParams)

    @model_validator(mode="after")
    def _consistency(self) -> Self:
        missing = [c.value for c in DRY_COMPOUNDS if c not in self.compounds]
        if len(missing) > 1:
            raise ValueError(f"at least two dry compounds are needed for a legal dry race; missing {missing}")
        if not self.pit_loss_sc_s <= self.pit_loss_vsc_s <= self.pit_loss_green_s:
            raise ValueError(
                "pit losses must satisfy SC <= VSC <= green "
                f"(got {self.pit_loss_sc_s}, {self.pit_loss_vsc_s}, {self.pit_loss_green_s})"
            )
        return self

    def compound(self, compound: Compound) -> CompoundParams:
        """Parameters of one compound, falling back to the generic ones for wet tyres a fit did not cover."""
        return self.compounds.get(compound, DEFAULT_COMPOUNDS[compound])

    def dry_compounds(self) -> tuple[Compound, ...]:
        return tuple(c for c in DRY_COMPOUNDS if c in self.compounds)


class WeatherParams(BaseModel):
    """Race-day weather. Track temperature scales degradation; rain brings intermediates, wets and a crossover."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    track_temp_c: float | None = Field(default=None, ge=-10.0, le=80.0)
    air_temp_c: float | None = Field(default=None, ge=-10.0, le=60.0)
    humidity_pct: float | None = Field(default=None, ge=0.0, le=100.0)
    rain_probability: float = Field(default=0.0, ge=0.0, le=1.0)
    is_wet_race: bool = False


# Degradation multipliers from temperature are kept within these bounds: outside them the linear-in-log
# relationship fitted on normal race days is not trustworthy.
DEG_MULTIPLIER_BOUNDS = (0.5, 2.0)


def degradation_multiplier(circuit: CircuitParams, weather: WeatherParams) -> float:
    """Scale factor on every compound's degradation for the race-day track temperature."""
    if weather.track_temp_c is None:
        return 1.0
    raw = math.exp(circuit.deg_temp_coeff_per_c * (weather.track_temp_c - circuit.ref_track_temp_c))
    low, high = DEG_MULTIPLIER_BOUNDS
    return min(high, max(low, raw))


class RaceParams(BaseModel):
    """A circuit plus the race-day conditions: the full parameter set for one race."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    circuit: CircuitParams
    weather: WeatherParams = Field(default_factory=WeatherParams)


class CompoundTables(NamedTuple):
    """Per-compound parameters as arrays indexed by compound code (what the kernel and the screening read)."""

    pace_offset_s: np.ndarray
    deg_s_per_lap: np.ndarray
    cliff_lap: np.ndarray
    cliff_s_per_lap: np.ndarray
    deg_rel_sd: np.ndarray


def compound_tables(circuit: CircuitParams, deg_multiplier: float = 1.0) -> CompoundTables:
    """The circuit's compounds as arrays, with degradation scaled by ``deg_multiplier`` (weather)."""
    params = [circuit.compound(c) for c in COMPOUND_ORDER]
    return CompoundTables(
        pace_offset_s=np.array([p.pace_offset_s for p in params]),
        deg_s_per_lap=np.array([p.deg_s_per_lap * deg_multiplier for p in params]),
        cliff_lap=np.array([float(p.cliff_lap) for p in params]),
        cliff_s_per_lap=np.array([p.cliff_s_per_lap for p in params]),
        deg_rel_sd=np.array([p.deg_rel_sd for p in params]),
    )
