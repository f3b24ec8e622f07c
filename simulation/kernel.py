"""The lap-by-lap race kernel (numba): one full-field race per simulation, many simulations in parallel.

Cars are kept in running order by cumulative race time. Each lap, cars are processed front to back; a car's lap
time is its pace + compound + tyre wear + fuel + noise (+ wet-weather loss), and it then has to get past the car
in front on track: it passes only if it is faster on that lap by the overtaking threshold (DRS counts), otherwise
it is held up at ``follow_gap_s`` behind. A pass costs both cars time. Cars that pit leave the on-track chain for
that lap and rejoin wherever their time puts them, so pit-cycle position changes are never "passes". Under the
safety car the field closes up to a train; under the VSC everybody laps at the same delta and gaps are kept.

Random numbers come from a counter-based generator (a splitmix64 hash of the race seed and of lap, car and
stream), so a car's noise on a lap is the same whatever any car's strategy is: common random numbers, which makes
strategy comparisons and what-if deltas paired, and results independent of thread scheduling.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit, prange

from simulation.params import (
    COMPOUND_CODE,
    INTER_DRY_LOSS_S,
    INTER_FLOOD_FROM_W,
    INTER_FLOOD_LOSS_S_PER_W,
    MAX_PLANNED_STOPS,
    MAX_STINTS,
    SLICK_WET_LOSS_S,
    WET_DRY_LOSS_S,
    WET_MIN_LOSS_S,
    WET_TRACK_SLOWDOWN_S,
    Compound,
    CompoundTables,
    TrackState,
)

GREEN = int(TrackState.GREEN)
VSC = int(TrackState.VSC)
SC = int(TrackState.SC)
RED = int(TrackState.RED)
INTER_CODE = COMPOUND_CODE[Compound.INTERMEDIATE]
WET_CODE = COMPOUND_CODE[Compound.WET]
LAST_SLICK_CODE = COMPOUND_CODE[Compound.HARD]

# A planned-stop slot that is not used holds this lap number (never reached).
NO_STOP_LAP = 32000
# DRS and dirty air act within one second of the car ahead.
DRS_WINDOW_S = 1.0
# Fraction of the gap beyond the train gap that survives each safety-car lap (the field closes up in ~2 laps).
SC_GAP_RETENTION = 0.25
# Jittered planned stops keep at least this many laps between them.
MIN_JITTERED_STINT_LAPS = 3
# A car pits opportunistically under SC/VSC only on tyres at least this old (no double stops).
MIN_TYRE_LIFE_FOR_NEUTRALISED_STOP = 4
# Share of retirements that happen on lap 1 (start incidents); the rest anywhere in the race.
LAP1_RETIREMENT_SHARE = 0.2
# Random streams per (lap, car) counter; the pre-race draws (form, plan, jitter, retirement) use lap = race_laps.
_STREAMS = 4
_NOISE, _PIT_SD, _SLOW_STOP, _WEATHER = 0, 1, 2, 3
_FORM, _PLAN, _JITTER, _RETIRE = 0, 1, 2, 3

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_S16, _S32, _S48 = np.uint64(16), np.uint64(32), np.uint64(48)
_MASK16 = np.uint64(0xFFFF)
_INV_2POW53 = 1.0 / 9007199254740992.0
_INV_2POW16 = 1.0 / 65536.0
_SQRT3 = float(np.sqrt(3.0))


class KernelConstants(NamedTuple):
    """Scalar race constants, flattened for the kernel (all floats so numba sees one homogeneous tuple)."""

    base_lap_time_s: float
    fuel_effect_start_s: float
    pit_loss_green_s: float
    pit_loss_vsc_s: float
    pit_loss_sc_s: float
    pit_stationary_sd_s: float
    slow_stop_prob: float
    slow_stop_extra_s: float
    overtake_threshold_s: float
    drs_gain_s: float
    dirty_air_loss_s: float
    pass_time_loss_s: float
    follow_gap_s: float
    lap_noise_s: float
    lap1_noise_s: float
    sc_lap_time_factor: float
    vsc_lap_time_factor: float
    sc_train_gap_s: float
    sc_pit_window_laps: float
    weather_react_prob: float
    weather_switch_margin_s: float
    has_rain: float
    stint_limit_laps: float  # NO_STOP_LAP without a published limit


class FieldTables(NamedTuple):
    """The field, per car (N) unless noted. Each car's plan is drawn per race from its menu: rows
    ``menu_offset[c] .. menu_offset[c] + menu_size[c]`` of ``menu_stop_laps`` (P, MAX_PLANNED_STOPS) int16
    (NO_STOP_LAP when unused) and ``menu_codes`` (P, MAX_STINTS) int8, with cumulative weights
    ``menu_cum_weight`` (N, max menu size); planned stops move by up to ``pit_lap_jitter`` laps."""

    pace_mean_s: np.ndarray
    pace_sd_s: np.ndarray
    start_offset_s: np.ndarray
    start_tyre_life: np.ndarray
    retirement_prob: np.ndarray
    fixed_retire_lap: np.ndarray  # lap the car retires on, race_laps + 1 to finish, 0 to draw it
    menu_offset: np.ndarray
    menu_size: np.ndarray
    menu_cum_weight: np.ndarray
    pit_lap_jitter: np.ndarray
    menu_stop_laps: np.ndarray
    menu_codes: np.ndarray


class KernelOutputs(NamedTuple):
    """Per race (S) and car (N) results written by the kernel."""

    position: np.ndarray  # int8
    time_s: np.ndarray  # float64
    stops: np.ndarray  # int8
    pit_saved_s: np.ndarray  # float32
    laps_held: np.ndarray  # int16
    passes: np.ndarray  # int16
    laps_done: np.ndarray  # int16
    plan: np.ndarray  # int8, index of the plan the car drew from its menu


class PlanVariants(NamedTuple):
    """Plan changes raced on the same random numbers as the field: variant v gives car ``car[v]`` (a car with a
    one-plan menu) the plan ``stop_laps[v]`` (MAX_PLANNED_STOPS,) int16 / ``codes[v]`` (MAX_STINTS,) int8,
    laid out like the menu rows. No rows: just the field."""

    car: np.ndarray  # (V,) int64
    stop_laps: np.ndarray  # (V, MAX_PLANNED_STOPS) int16
    codes: np.ndarray  # (V, MAX_STINTS) int8


# Rows of a race's state arrays (one column per car): the kernel's running state, snapshotted per lap.
_TIME, _SAVED = 0, 1
_N_REAL = 2
_ORDER, _CODE, _LIFE, _NEXT_STOP, _LAPS_DONE, _STOPS, _HELD, _PASSES = range(8)
_N_INTS = 8


@njit
def _hash(seed: np.uint64, counter: int) -> np.uint64:
    """splitmix64 of (seed, counter): a stateless, well-mixed 64-bit random value."""
    z = seed + np.uint64(counter) * _GOLDEN
    z = (z ^ (z >> _S30)) * _MIX1
    z = (z ^ (z >> _S27)) * _MIX2
    return z ^ (z >> _S31)


@njit
def _uniform(x: np.uint64) -> float:
    return float(x >> _S11) * _INV_2POW53


@njit
def _normal(x: np.uint64) -> float:
    """Approximately standard normal from 64 random bits: Irwin-Hall sum of four 16-bit uniforms.

    Tails are cut at +-3.46 sigma, which is harmless for lap-time and stop-time noise and four times cheaper
    than Box-Muller.
    """
    total = (x & _MASK16) + ((x >> _S16) & _MASK16) + ((x >> _S32) & _MASK16) + (x >> _S48)
    return (float(total) * _INV_2POW16 - 2.0) * _SQRT3


@njit
def _wet_loss_s(code: int, wetness: float) -> float:
    """Lap time lost by a compound on a track of the given wetness (see the wet model in params)."""
    if code <= LAST_SLICK_CODE:
        return SLICK_WET_LOSS_S * wetness
    if code == INTER_CODE:
        loss = INTER_DRY_LOSS_S * (1.0 - wetness)
        if wetness > INTER_FLOOD_FROM_W:
            loss += INTER_FLOOD_LOSS_S_PER_W * (wetness - INTER_FLOOD_FROM_W)
        return loss
    return WET_MIN_LOSS_S + WET_DRY_LOSS_S * (1.0 - wetness)


@njit
def _best_weather_compound(code: int, slick_code: int, wetness: float) -> int:
    """The quickest tyre family for the conditions: the planned slick, intermediates or full wets."""
    best = slick_code
    best_loss = _wet_loss_s(slick_code, wetness)
    if _wet_loss_s(INTER_CODE, wetness) < best_loss:
        best = INTER_CODE
        best_loss = _wet_loss_s(INTER_CODE, wetness)
    if _wet_loss_s(WET_CODE, wetness) < best_loss:
        best = WET_CODE
    if best <= LAST_SLICK_CODE and code <= LAST_SLICK_CODE:
        return code  # slick to slick is a strategy matter, not a weather one
    return best


@njit
def _sort_by_time(order: np.ndarray, n: int, time_s: np.ndarray) -> None:
    """Insertion sort of the running order: positions change little per lap, so this is ~linear."""
    for i in range(1, n):
        car = order[i]
        key = time_s[car]
        j = i - 1
        while j >= 0 and time_s[order[j]] > key:
            order[j + 1] = order[j]
            j -= 1
        order[j + 1] = car


@njit
def _fill_plan(
    c: int,
    seed: np.uint64,
    n_laps: int,
    f: FieldTables,
    plan_stop_laps: np.ndarray,
    plan_codes: np.ndarray,
    stop_laps: np.ndarray,
    stint_codes: np.ndarray,
) -> None:
    """Write one plan row (a menu row or a variant's) into ``stop_laps[c]``/``stint_codes[c]``, its planned
    stops jittered by the car's jitter bits (the same bits whichever plan the car runs)."""
    counter = (n_laps * f.pace_mean_s.shape[0] + c) * _STREAMS
    for j in range(MAX_STINTS):
        stint_codes[c, j] = plan_codes[j]
    jitter_bits = _hash(seed, counter + _JITTER)
    width = 2 * f.pit_lap_jitter[c] + 1
    previous = 0
    for j in range(MAX_PLANNED_STOPS):
        lap = int(plan_stop_laps[j])
        if lap < NO_STOP_LAP and width > 1:
            # 16 random bits per stop -> a jitter in [-pit_lap_jitter, +pit_lap_jitter].
            u = float((jitter_bits >> np.uint64(16 * j)) & _MASK16) * _INV_2POW16
            lap += int(u * width) - f.pit_lap_jitter[c]
            lap = min(max(lap, previous + MIN_JITTERED_STINT_LAPS, 1), n_laps - 1)
            previous = lap
        stop_laps[c, j] = lap


@njit
def _draw_car(
    c: int,
    seed: np.uint64,
    n_laps: int,
    f: FieldTables,
    stop_laps: np.ndarray,
    stint_codes: np.ndarray,
) -> tuple[float, int, int]:
    """Pre-race draws for one car: its form (pace this race), its plan (with jittered stops) and its
    retirement lap. Writes the plan into ``stop_laps[c]``/``stint_codes[c]``; returns (pace_s, retire_lap,
    menu index of the plan)."""
    n_cars = f.pace_mean_s.shape[0]
    counter = (n_laps * n_cars + c) * _STREAMS
    pace = f.pace_mean_s[c] + f.pace_sd_s[c] * _normal(_hash(seed, counter + _FORM))

    u_plan = _uniform(_hash(seed, counter + _PLAN))
    pick = 0
    while pick < f.menu_size[c] - 1 and u_plan >= f.menu_cum_weight[c, pick]:
        pick += 1
    row = f.menu_offset[c] + pick
    _fill_plan(c, seed, n_laps, f, f.menu_stop_laps[row], f.menu_codes[row], stop_laps, stint_codes)

    retire = f.fixed_retire_lap[c]
    if retire == 0:
        retire = n_laps + 1
        u_retire = _uniform(_hash(seed, counter + _RETIRE))
        if u_retire < f.retirement_prob[c]:
            # Reuse the same uniform, rescaled, for where it happens: lap 1 or anywhere after.
            u_lap = u_retire / f.retirement_prob[c]
            if u_lap < LAP1_RETIREMENT_SHARE:
                retire = 1
            else:
                retire = 2 + int((u_lap - LAP1_RETIREMENT_SHARE) / (1.0 - LAP1_RETIREMENT_SHARE) * (n_laps - 1))
    return pace, retire, pick


@njit
def _race_degradation(seed: np.uint64, n_laps: int, n_cars: int, tyres: CompoundTables) -> np.ndarray:
    """This race's degradation per compound: the fitted slope times a mean-one log-normal factor of relative sd
    ``deg_rel_sd`` (the fit's uncertainty; exactly the slope when it is 0). Counters past the cars' pre-race ones."""
    deg = tyres.deg_s_per_lap.copy()
    counter = ((n_laps + 1) * n_cars) * _STREAMS
    for j in range(deg.shape[0]):
        sd = tyres.deg_rel_sd[j]
        if sd > 0.0:
            log_sd = np.sqrt(np.log1p(sd * sd))
            deg[j] *= np.exp(log_sd * _normal(_hash(seed, counter + j)) - 0.5 * log_sd * log_sd)
    return deg


@njit
def _start_code(code: int, has_rain: bool, wet0: float) -> int:
    # A wet start: everybody takes the start on the right tyre.
    return _best_weather_compound(code, code, wet0) if has_rain else code


@njit
def _run_laps(
    first_lap: int,
    active: int,
    s: int,
    f: FieldTables,
    track_state: np.ndarray,
    wetness: np.ndarray,
    seed: np.uint64,
    tyres: CompoundTables,
    deg_s_per_lap: np.ndarray,
    k: KernelConstants,
    pace_s: np.ndarray,
    retire_lap: np.ndarray,
    stop_laps: np.ndarray,
    stint_codes: np.ndarray,
    real: np.ndarray,
    ints: np.ndarray,
    record: bool,
    history_real: np.ndarray,
    history_ints: np.ndarray,
    history_active: np.ndarray,
) -> int:
    """Race laps ``first_lap`` .. the flag from the state in ``real``/``ints`` (rows _TIME.. and _ORDER..);
    returns the number of running cars. With ``record`` the state at the start of every lap (and at the flag)
    is kept in the histories, so plan variants can restart from the last lap they share with this race."""
    n_cars = f.pace_mean_s.shape[0]
    n_laps = track_state.shape[1]
    has_rain = k.has_rain > 0.5
    window = int(k.sc_pit_window_laps)
    stint_limit = int(k.stint_limit_laps)
    time_s, saved = real[_TIME], real[_SAVED]
    order, code, life, next_stop = ints[_ORDER], ints[_CODE], ints[_LIFE], ints[_NEXT_STOP]
    laps_done, stops, held, passes = ints[_LAPS_DONE], ints[_STOPS], ints[_HELD], ints[_PASSES]
    new_time_s = np.empty(n_cars)

    for lap in range(first_lap, n_laps):
        if record:
            history_real[lap] = real
            history_ints[lap] = ints
            history_active[lap] = active
        lap_no = lap + 1
        state = track_state[s, lap]
        wet = wetness[s, lap] if has_rain else 0.0

        kept = 0
        for r in range(active):
            c = order[r]
            if retire_lap[c] <= lap_no:
                laps_done[c] = lap
            else:
                order[kept] = c
                kept += 1
        active = kept

        base = k.base_lap_time_s + k.fuel_effect_start_s * (1.0 - lap / n_laps) + WET_TRACK_SLOWDOWN_S * wet
        neutral_lap_s = base * (k.vsc_lap_time_factor if state == VSC else k.sc_lap_time_factor)
        neutralised = state != GREEN
        drs_enabled = state == GREEN and lap >= 2 and track_state[s, lap - 1] == GREEN
        if state == VSC:
            pit_loss = k.pit_loss_vsc_s
        elif state == GREEN:
            pit_loss = k.pit_loss_green_s
        else:
            pit_loss = k.pit_loss_sc_s

        tail = -1  # last car of the on-track chain processed so far this lap
        tail_time = 0.0
        tail_lap = 0.0
        tail2_time = -1e18
        ahead_start = -1e18
        for r in range(active):
            c = order[r]
            counter = (lap * n_cars + c) * _STREAMS
            z = _normal(_hash(seed, counter + _NOISE))
            life[c] += 1
            cc = code[c]
            if neutralised:
                lap_s = neutral_lap_s
            else:
                lap_s = base + pace_s[c] + tyres.pace_offset_s[cc] + deg_s_per_lap[cc] * life[c]
                beyond_cliff = life[c] - tyres.cliff_lap[cc]
                if beyond_cliff > 0:
                    lap_s += tyres.cliff_s_per_lap[cc] * beyond_cliff
                if has_rain:
                    lap_s += _wet_loss_s(cc, wet)
                if lap == 0:
                    lap_s += k.lap1_noise_s * z
                else:
                    lap_s += k.lap_noise_s * z
                    if time_s[c] - ahead_start < DRS_WINDOW_S:
                        lap_s += k.dirty_air_loss_s
                        if drs_enabled:
                            lap_s -= k.drs_gain_s
            ahead_start = time_s[c]

            # Pit decision for the end of this lap: weather first, then the plan (early under SC/VSC).
            pit = False
            new_code = cc
            if lap_no < n_laps:
                if has_rain:
                    slick = cc if cc <= LAST_SLICK_CODE else stint_codes[c, next_stop[c]]
                    best = _best_weather_compound(cc, slick, wet)
                    gain = _wet_loss_s(cc, wet) - _wet_loss_s(best, wet)
                    switch = best != cc and gain > k.weather_switch_margin_s
                    if switch and _uniform(_hash(seed, counter + _WEATHER)) < k.weather_react_prob:
                        pit = True
                        new_code = best
                if not pit and cc <= LAST_SLICK_CODE:
                    due = stop_laps[c, next_stop[c]] if next_stop[c] < MAX_PLANNED_STOPS else NO_STOP_LAP
                    early = state in (SC, VSC) and due - lap_no <= window
                    if lap_no >= due or (early and life[c] >= MIN_TYRE_LIFE_FOR_NEUTRALISED_STOP):
                        pit = True
                        next_stop[c] += 1
                        new_code = stint_codes[c, next_stop[c]]
                    elif life[c] >= stint_limit:
                        # The published limit: the next planned stop comes early, or a fresh set of the same.
                        pit = True
                        if due < NO_STOP_LAP:
                            next_stop[c] += 1
                            new_code = stint_codes[c, next_stop[c]]
                elif not pit:
                    # On wet tyres the dry plan's stops that come due are skipped; its later slick is used.
                    while next_stop[c] < MAX_PLANNED_STOPS and stop_laps[c, next_stop[c]] <= lap_no:
                        next_stop[c] += 1

            if pit:
                loss = pit_loss + k.pit_stationary_sd_s * _normal(_hash(seed, counter + _PIT_SD))
                u_slow = _uniform(_hash(seed, counter + _SLOW_STOP))
                if u_slow < k.slow_stop_prob:
                    loss += k.slow_stop_extra_s * (0.5 + u_slow / k.slow_stop_prob)
                saved[c] += k.pit_loss_green_s - pit_loss
                stops[c] += 1
                code[c] = new_code
                life[c] = 0
                new_time_s[c] = time_s[c] + lap_s + loss
                continue

            t = time_s[c] + lap_s
            if tail >= 0 and lap > 0:
                if state in (SC, RED):
                    excess = time_s[c] - time_s[tail] - k.sc_train_gap_s
                    if excess < 0.0:
                        excess = 0.0
                    t = tail_time + k.sc_train_gap_s + excess * SC_GAP_RETENTION
                elif t < tail_time + k.follow_gap_s:
                    if state == GREEN and t < tail_time and tail_lap - lap_s >= k.overtake_threshold_s:
                        t += k.pass_time_loss_s
                        if t < tail2_time + k.follow_gap_s:
                            t = tail2_time + k.follow_gap_s  # one pass per lap
                        passed_time = tail_time + k.pass_time_loss_s
                        if passed_time < t + k.follow_gap_s:
                            passed_time = t + k.follow_gap_s
                        new_time_s[tail] = passed_time
                        new_time_s[c] = t
                        passes[c] += 1
                        tail2_time = t
                        tail_time = passed_time
                        continue
                    t = tail_time + k.follow_gap_s
                    held[c] += 1
            new_time_s[c] = t
            tail2_time = tail_time
            tail_time = t
            tail_lap = lap_s
            tail = c

        for r in range(active):
            c = order[r]
            time_s[c] = new_time_s[c]
        _sort_by_time(order, active, time_s)

        if lap == 0 or state == RED:
            # After the lap-1 scramble cars cannot be closer than the follow gap; after a red flag the field
            # restarts in a train on fresh tyres (a free change: the plan's next compound if a stop is left).
            gap = k.follow_gap_s if lap == 0 else k.sc_train_gap_s
            for r in range(1, active):
                c = order[r]
                floor_time = time_s[order[r - 1]] + gap
                if state == RED or time_s[c] < floor_time:
                    time_s[c] = floor_time
            if state == RED:
                for r in range(active):
                    c = order[r]
                    stop_left = next_stop[c] < MAX_PLANNED_STOPS and stop_laps[c, next_stop[c]] < NO_STOP_LAP
                    if code[c] <= LAST_SLICK_CODE and stop_left:
                        next_stop[c] += 1
                        code[c] = stint_codes[c, next_stop[c]]
                    life[c] = 0
    if record:
        history_real[n_laps] = real
        history_ints[n_laps] = ints
        history_active[n_laps] = active
    return active


@njit
def _classify(row: int, active: int, n_laps: int, real: np.ndarray, ints: np.ndarray, picks: np.ndarray,
              out: KernelOutputs) -> None:
    """Write one race's results into ``out[row]``: running cars by time, then retirements by laps completed
    (more first), then time. Uses the running-order row of ``ints`` as scratch."""
    n_cars = picks.shape[0]
    time_s = real[_TIME]
    order, laps_done = ints[_ORDER], ints[_LAPS_DONE]
    for r in range(active):
        out.position[row, order[r]] = r + 1
    n_out = 0
    for c in range(n_cars):
        if laps_done[c] < n_laps:
            order[n_out] = c
            n_out += 1
    for i in range(1, n_out):
        car = order[i]
        j = i - 1
        while j >= 0 and (
            laps_done[order[j]] < laps_done[car]
            or (laps_done[order[j]] == laps_done[car] and time_s[order[j]] > time_s[car])
        ):
            order[j + 1] = order[j]
            j -= 1
        order[j + 1] = car
    for r in range(n_out):
        out.position[row, order[r]] = active + r + 1

    for c in range(n_cars):
        out.time_s[row, c] = time_s[c]
        out.stops[row, c] = ints[_STOPS, c]
        out.pit_saved_s[row, c] = real[_SAVED, c]
        out.laps_held[row, c] = ints[_HELD, c]
        out.passes[row, c] = ints[_PASSES, c]
        out.laps_done[row, c] = laps_done[c]
        out.plan[row, c] = picks[c]


@njit
def _divergence_lap(
    c: int,
    stop_laps: np.ndarray,
    stint_codes: np.ndarray,
    base_stop_laps: np.ndarray,
    base_codes: np.ndarray,
    window: int,
    first_red_lap: int,
) -> int:
    """The first lap (0-based) on which car ``c`` can behave differently on its variant plan than on its base
    plan. A planned stop is only ever compared with the lap number (due, or due within the SC pit window) and a
    stint's compound is only read when the car pits into it, so both plans race identically before the earlier
    of the two stop laps involved; a red flag (a free tyre change into the next stint) ends the shared part."""
    if stint_codes[c, 0] != base_codes[0]:
        return 0
    first = first_red_lap
    for j in range(MAX_PLANNED_STOPS):
        a, b = stop_laps[c, j], base_stop_laps[j]
        if a != b or stint_codes[c, j + 1] != base_codes[j + 1]:
            first = min(first, min(a, b) - window - 1)
    return max(first, 0)


@njit(cache=True)
def _run_race(
    s: int,
    f: FieldTables,
    track_state: np.ndarray,
    wetness: np.ndarray,
    seeds: np.ndarray,
    tyres: CompoundTables,
    k: KernelConstants,
    variants: PlanVariants,
    out: KernelOutputs,
) -> None:
    n_cars = f.pace_mean_s.shape[0]
    n_laps = track_state.shape[1]
    n_races = seeds.shape[0]
    n_variants = variants.car.shape[0]
    has_rain = k.has_rain > 0.5
    seed = seeds[s]

    pace_s = np.empty(n_cars)
    retire_lap = np.empty(n_cars, np.int64)
    picks = np.empty(n_cars, np.int64)
    stop_laps = np.empty((n_cars, MAX_PLANNED_STOPS), np.int64)
    stint_codes = np.empty((n_cars, MAX_STINTS), np.int64)
    real = np.zeros((_N_REAL, n_cars))
    ints = np.zeros((_N_INTS, n_cars), np.int64)
    time_s, order, code, life, laps_done = real[_TIME], ints[_ORDER], ints[_CODE], ints[_LIFE], ints[_LAPS_DONE]

    deg_s_per_lap = _race_degradation(seed, n_laps, n_cars, tyres)
    wet0 = wetness[s, 0] if has_rain else 0.0
    for c in range(n_cars):
        pace_s[c], retire_lap[c], picks[c] = _draw_car(c, seed, n_laps, f, stop_laps, stint_codes)
        time_s[c] = f.start_offset_s[c]
        order[c] = c
        life[c] = f.start_tyre_life[c]
        code[c] = _start_code(stint_codes[c, 0], has_rain, wet0)
        laps_done[c] = n_laps
    _sort_by_time(order, n_cars, time_s)

    record = n_variants > 0
    n_history = n_laps + 1 if record else 0
    history_real = np.empty((n_history, _N_REAL, n_cars))
    history_ints = np.empty((n_history, _N_INTS, n_cars), np.int64)
    history_active = np.empty(n_history, np.int64)
    active = _run_laps(0, n_cars, s, f, track_state, wetness, seed, tyres, deg_s_per_lap, k, pace_s, retire_lap,
                       stop_laps, stint_codes, real, ints, record, history_real, history_ints, history_active)
    _classify(s, active, n_laps, real, ints, picks, out)
    if not record:
        return

    # Plan variants restart from the base race's state on the last lap both plans share (common random numbers).
    first_red_lap = n_laps
    for lap in range(n_laps):
        if track_state[s, lap] == RED:
            first_red_lap = lap
            break
    window = int(k.sc_pit_window_laps)
    base_stop_laps = np.empty(MAX_PLANNED_STOPS, np.int64)
    base_codes = np.empty(MAX_STINTS, np.int64)
    for v in range(n_variants):
        c = variants.car[v]
        base_stop_laps[:] = stop_laps[c]
        base_codes[:] = stint_codes[c]
        _fill_plan(c, seed, n_laps, f, variants.stop_laps[v], variants.codes[v], stop_laps, stint_codes)
        first = 0 if has_rain else _divergence_lap(c, stop_laps, stint_codes, base_stop_laps, base_codes, window,
                                                   first_red_lap)
        real[:] = history_real[first]
        ints[:] = history_ints[first]
        if first == 0:
            code[c] = _start_code(stint_codes[c, 0], has_rain, wet0)
        active = _run_laps(first, history_active[first], s, f, track_state, wetness, seed, tyres, deg_s_per_lap, k,
                           pace_s, retire_lap, stop_laps, stint_codes, real, ints, False, history_real, history_ints,
                           history_active)
        _classify((v + 1) * n_races + s, active, n_laps, real, ints, picks, out)
        stop_laps[c] = base_stop_laps
        stint_codes[c] = base_codes


@njit(parallel=True, cache=True)
def run_races(
    f: FieldTables,
    track_state: np.ndarray,
    wetness: np.ndarray,
    seeds: np.ndarray,
    tyres: CompoundTables,
    k: KernelConstants,
    variants: PlanVariants,
    out: KernelOutputs,
) -> None:
    """Simulate ``seeds.size`` races in parallel, writing per-car results into ``out`` (arrays of shape (S, N)
    without variants, ((V + 1) * S, N) with V plan variants: row ``v * S + s`` is race ``s`` with variant
    ``v - 1``'s plan, row ``s`` the field as given).

    ``track_state`` (S, L) int8 TrackState per lap; ``wetness`` (S, L) float32, only read when ``k.has_rain``;
    ``seeds`` (S,) uint64 one per race; ``tyres`` per-compound arrays indexed by compound code.
    """
    for s in prange(seeds.shape[0]):
        _run_race(s, f, track_state, wetness, seeds, tyres, k, variants, out)
