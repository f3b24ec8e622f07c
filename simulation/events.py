"""Random race events, drawn per simulated race with a numpy Generator (vectorised over races).

* Neutralisations: the number of SC and VSC phases is Poisson with the circuit's historical rate, SC start laps
  come from the circuit's history of SC start laps (as fractions of race distance), lengths are 1 + Poisson.
  A red flag ends one lap with the field stopped (free tyre change, restart in a train).
* Weather: track wetness per lap in [0, 1]. A wet race starts wet and dries from a random lap; otherwise it rains
  with ``rain_probability``: a shower of random intensity and length that then dries out.
Per-car draws (form, plan choice, stop jitter, retirement) are made inside the kernel from the race seed.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from simulation.params import EventParams, TrackState, WeatherParams

MAX_PHASES_PER_KIND = 3
# Without a circuit history of SC start laps: this share of safety cars is deployed on lap 1 (start incidents).
LAP1_SC_SHARE = 0.3
SC_START_JITTER_LAPS = 2
# Shower and drying shape (laps, wetness per lap).
SHOWER_LAPS = (3, 25)
DRYING_RATE_PER_LAP = (0.04, 0.15)
WET_RACE_START_WETNESS = (0.35, 1.0)


StartLaps = Callable[[np.random.Generator, int], np.ndarray]


def _mark_phases(
    state: np.ndarray,
    rng: np.random.Generator,
    n_phases: np.ndarray,
    starts_of: StartLaps,
    mean_laps: float,
    kind: TrackState,
) -> None:
    """Overlay up to MAX_PHASES_PER_KIND phases of one kind on green laps (an SC is not turned into a VSC)."""
    laps = state.shape[1]
    lap_idx = np.arange(laps)
    for k in range(MAX_PHASES_PER_KIND):
        rows = np.flatnonzero(n_phases > k)  # most races have no phase: only touch those that do
        start = starts_of(rng, rows.size)[:, None] - 1
        length = 1 + rng.poisson(max(mean_laps - 1.0, 0.0), rows.size)[:, None]
        block = state[rows]
        block[(lap_idx >= start) & (lap_idx < start + length) & (block == TrackState.GREEN)] = kind
        state[rows] = block


def sample_track_states(events: EventParams, race_laps: int, n_races: int, rng: np.random.Generator) -> np.ndarray:
    """(n_races, race_laps) int8 TrackState per lap."""
    state = np.zeros((n_races, race_laps), dtype=np.int8)
    fractions = np.asarray(events.sc_start_lap_fractions, dtype=np.float64)

    def sc_starts(g: np.random.Generator, n: int) -> np.ndarray:
        if fractions.size:
            lap = np.rint(g.choice(fractions, n) * race_laps) + g.integers(-SC_START_JITTER_LAPS, SC_START_JITTER_LAPS + 1, n)
        else:
            lap = np.where(g.random(n) < LAP1_SC_SHARE, 1, g.integers(2, race_laps, n))
        return np.clip(lap, 1, race_laps - 1).astype(np.int64)

    def vsc_starts(g: np.random.Generator, n: int) -> np.ndarray:
        return g.integers(2, max(3, race_laps - 1), n)

    n_sc = rng.poisson(events.sc_per_race, n_races)
    n_vsc = rng.poisson(events.vsc_per_race, n_races)
    _mark_phases(state, rng, n_sc, sc_starts, events.sc_mean_laps, TrackState.SC)
    _mark_phases(state, rng, n_vsc, vsc_starts, events.vsc_mean_laps, TrackState.VSC)
    red = rng.random(n_races) < events.red_flag_prob
    red_lap = rng.integers(1, max(2, race_laps - 2), n_races)
    state[np.flatnonzero(red), red_lap[red] - 1] = TrackState.RED
    return state


def sample_wetness(weather: WeatherParams, race_laps: int, n_races: int, rng: np.random.Generator) -> np.ndarray:
    """(n_races, race_laps) float32 track wetness; a (n_races, 1) array of zeros for a race that is certainly dry
    (the kernel does not read wetness then)."""
    if weather.rain_probability <= 0.0 and not weather.is_wet_race:
        return np.zeros((n_races, 1), np.float32)
    lap = np.arange(race_laps)[None, :]
    # A shower: ramps up over two laps, holds, then dries.
    rains = rng.random(n_races) < weather.rain_probability
    start = rng.integers(0, race_laps, n_races)[:, None]
    peak = rng.uniform(0.2, 1.0, n_races)[:, None]
    hold = rng.integers(*SHOWER_LAPS, n_races)[:, None]
    dry_rate = rng.uniform(*DRYING_RATE_PER_LAP, n_races)[:, None]
    rising = np.clip((lap - start + 1) / 2.0, 0.0, 1.0) * peak
    drying = peak - dry_rate * np.maximum(0, lap - start - hold)
    shower = np.where(lap < start, 0.0, np.clip(np.minimum(rising, drying), 0.0, 1.0)) * rains[:, None]
    # A wet race: wet from the start, drying from a random lap.
    wet0 = rng.uniform(*WET_RACE_START_WETNESS, n_races)[:, None]
    dry_from = rng.integers(0, max(1, int(0.6 * race_laps)), n_races)[:, None]
    wet_race_rate = rng.uniform(*DRYING_RATE_PER_LAP, n_races)[:, None]
    wet_start = np.clip(wet0 - wet_race_rate * np.maximum(0, lap - dry_from), 0.0, 1.0) * weather.is_wet_race
    return np.maximum(shower, wet_start).astype(np.float32)
