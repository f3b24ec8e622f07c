"""Fit simulator parameters from race tables (the dbt marts' columns; any source producing them works).

Input frames and their columns:

* ``laps``: ``race_id, season, round, circuit_id, driver_id, constructor_id, lap_number, lap_time_s, stint,
  compound, tyre_life_laps, position, is_clean_lap (bool), track_status`` (FastF1 digits: '1' green, '2' yellow,
  '4' SC, '5' red, '6' VSC, '7' VSC ending; several digits when the status changed during the lap).
* ``stints``: ``race_id, circuit_id, driver_id, stint, compound, start_lap, end_lap, laps, tyre_age_at_start``.
* ``pit_stops``: ``race_id, circuit_id, driver_id, stop, lap, pit_duration_ms, pit_lane_loss_s,
  track_status_at_stop`` ('green' | 'vsc' | 'sc').
* ``sc_history``: ``race_id, circuit_id, season, kind ('SC' | 'VSC' | 'RED'), start_lap, end_lap, race_laps``.
* ``results``: ``race_id, season, round, circuit_id, driver_id, constructor_id, grid, position_order, status``.

The lap-time model is fitted race by race (:func:`fit_race_models`): on clean green-flag laps, fuel-corrected
lap time = driver pace + compound offset + compound slope x tyre life + track evolution x lap number, by least
squares with outliers trimmed. The common track-evolution term matters: harder tyres are mostly run late, on a
rubbered-in track, and without it they look quicker than they are and every compound's wear looks smaller.
Within-race fits cannot leak information across races, so a backtest can aggregate only the races before the
one it predicts. Aggregation (:func:`aggregate_tyres`, :func:`fit_circuit_params`) pools races per circuit and
falls back to all circuits where a circuit has too little data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from simulation.engine import simulate, spaced_field
from simulation.fit_defaults import CLEAN_LAP_MAX_RATIO, EVENTS_SINCE_SEASON, FUEL_S_PER_KG, FUEL_START_KG
from simulation.params import (
    DEFAULT_COMPOUNDS,
    DRY_COMPOUNDS,
    FULL_FIELD_CARS,
    WET_COMPOUNDS,
    CircuitParams,
    Compound,
    CompoundParams,
    EventParams,
    RaceParams,
    TrackState,
)
from simulation.strategies import strategy_menu

OUTLIER_MADS = 3.0
MAD_TO_SD = 1.4826
MIN_LAPS_PER_DRIVER = 5
# Compound levels are shrunk toward the generic ones as if those were this many races.
TYRE_PRIOR_RACES = 3.0
# Races with more laps than this on intermediates or wets say nothing about dry tyres.
MAX_WET_LAP_SHARE = 0.1
# A compound's offset is trusted in a race only if this many drivers ran it and another compound.
MIN_LINKING_DRIVERS = 2
# Empirical-Bayes shrinkage: a circuit's event rates count as many races of the all-circuit rate as this.
PRIOR_RACES = 4.0
# Pit losses by track state need this many stops at a circuit; neutralised losses outside these ratios of the
# green loss are measurement artefacts (stops straddling a deployment) and are not trusted.
MIN_STOPS_PER_STATE = 3
NEUTRALISED_LOSS_RATIO_BOUNDS = (0.3, 0.9)
# Tyre stints used for the usable range: percentiles of observed stint lengths.
MAX_STINT_PERCENTILE = 90
CLIFF_PERCENTILE = 97
MIN_STINT_SAMPLES = 8
# Track-status digits (FastF1) and the pit-stop track-state labels of the marts.
RED_DIGIT, SC_DIGIT, VSC_DIGITS = "5", "4", ("6", "7")
FINISHED_STATUS_PREFIXES = ("Finished", "+")


def track_state_of(status: str | float | None) -> TrackState:
    """Worst track state seen during a lap from its FastF1 status string ('1', '124', '671', ...)."""
    text = "" if status is None or (isinstance(status, float) and np.isnan(status)) else str(status)
    if RED_DIGIT in text:
        return TrackState.RED
    if SC_DIGIT in text:
        return TrackState.SC
    if any(d in text for d in VSC_DIGITS):
        return TrackState.VSC
    return TrackState.GREEN


def track_states_by_lap(race_laps_frame: pd.DataFrame, race_laps: int) -> np.ndarray:
    """Per-lap TrackState of one race (the worst state any car saw on that lap), shape (race_laps,)."""
    states = np.zeros(race_laps, dtype=np.int8)
    worst = race_laps_frame.groupby("lap_number")["track_status"].agg(
        lambda s: max(int(track_state_of(x)) for x in s)
    )
    for lap, state in zip(worst.index.astype(int), worst.to_numpy(), strict=True):
        if 1 <= lap <= race_laps:
            states[lap - 1] = state
    return states


def race_distance(laps: pd.DataFrame) -> pd.Series:
    """Scheduled laps per race_id, taken as the most laps anybody completed."""
    return laps.groupby("race_id")["lap_number"].max()


def fuel_corrected(laps: pd.DataFrame, fuel_start_kg: float = FUEL_START_KG, fuel_s_per_kg: float = FUEL_S_PER_KG) -> pd.Series:
    """Lap time with the fuel load's cost removed (the engine adds it back lap by lap)."""
    total = laps["race_id"].map(race_distance(laps)).astype(float)
    burnt_share = (laps["lap_number"] - 1) / total
    return laps["lap_time_s"] - fuel_start_kg * fuel_s_per_kg * (1.0 - burnt_share)


@dataclass
class RaceFit:
    """The lap-time model of one race."""

    race_id: object
    circuit_id: object
    season: int
    round: int
    driver_pace_s: dict[object, float]  # fuel-free pace on the reference compound at tyre life 0
    reference: Compound
    offset_s: dict[Compound, float]  # compound level minus the reference's (reference: 0)
    deg_s_per_lap: dict[Compound, float]
    deg_se_s_per_lap: dict[Compound, float]  # standard error of each slope (least squares)
    laps_per_compound: dict[Compound, int]
    residual_sd_s: float
    track_evolution_s_per_lap: float  # lap time change per race lap common to all cars (rubbering in)
    constructor_of: dict[object, object] = field(default_factory=dict)

    @property
    def relative_pace(self) -> dict[object, float]:
        """Each driver's pace as a fraction slower than the quickest driver of the race."""
        best = min(self.driver_pace_s.values())
        return {d: p / best - 1.0 for d, p in self.driver_pace_s.items()}


def _clean_dry_laps(laps: pd.DataFrame) -> pd.DataFrame:
    dry = {c.value for c in DRY_COMPOUNDS}
    ok = (
        laps["is_clean_lap"].astype(bool)
        & laps["compound"].isin(dry)
        & laps["lap_time_s"].notna()
        & laps["tyre_life_laps"].notna()
        & (laps["track_status"].astype(str) == "1")
        & (laps["lap_number"] > 1)
    )
    out = laps.loc[ok].copy()
    out["y"] = fuel_corrected(laps).loc[ok]
    median = out.groupby("race_id")["y"].transform("median")
    return out.loc[out["y"] < CLEAN_LAP_MAX_RATIO * median]


def _fit_one_race(race: pd.DataFrame) -> RaceFit | None:
    counts = race.groupby("driver_id").size()
    race = race[race["driver_id"].isin(counts[counts >= MIN_LAPS_PER_DRIVER].index)]
    used = race.groupby("driver_id")["compound"].agg(set)
    multi = used[used.map(len) >= 2]
    compounds = [c for c in DRY_COMPOUNDS if (race["compound"] == c.value).any()]
    linked = [c for c in compounds if sum(c.value in s for s in multi) >= MIN_LINKING_DRIVERS]
    # Compounds nobody links to another cannot be told apart from driver pace: leave their laps out.
    if len(linked) < 2 and len(compounds) > 1:
        main = race["compound"].value_counts().index[0]
        linked = [Compound(main)]
    race = race[race["compound"].isin([c.value for c in linked])]
    if len(race) < 3 * MIN_LAPS_PER_DRIVER:
        return None
    reference = Compound.MEDIUM if Compound.MEDIUM in linked else linked[0]
    drivers = sorted(race["driver_id"].unique(), key=str)
    d_idx = race["driver_id"].map({d: i for i, d in enumerate(drivers)}).to_numpy()
    others = [c for c in linked if c != reference]
    n, nd, nc = len(race), len(drivers), len(linked)
    # Columns: driver pace | compound offsets | compound x tyre life | track evolution (lap number, all cars).
    # With a single compound, wear and evolution both grow with the lap and cannot be told apart: no evolution.
    with_evolution = len(linked) >= 2
    x = np.zeros((n, nd + len(others) + nc + int(with_evolution)))
    x[np.arange(n), d_idx] = 1.0
    comp = race["compound"].to_numpy()
    life = race["tyre_life_laps"].to_numpy(dtype=float)
    for j, c in enumerate(others):
        x[:, nd + j] = comp == c.value
    for j, c in enumerate(linked):
        x[:, nd + len(others) + j] = (comp == c.value) * life
    if with_evolution:
        x[:, -1] = race["lap_number"].to_numpy(dtype=float)
    y = race["y"].to_numpy(dtype=float)
    keep = np.ones(n, dtype=bool)
    for _ in range(2):  # fit, trim outliers, refit
        beta = np.linalg.lstsq(x[keep], y[keep], rcond=None)[0]
        resid = y - x @ beta
        mad = np.median(np.abs(resid[keep] - np.median(resid[keep])))
        keep = np.abs(resid) <= OUTLIER_MADS * MAD_TO_SD * max(mad, 1e-3)
    kept = x[keep]
    cov = np.linalg.pinv(kept.T @ kept) * float(np.sum(resid[keep] ** 2)) / max(int(keep.sum()) - x.shape[1], 1)
    se = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    first = race.iloc[0]
    return RaceFit(
        race_id=first["race_id"],
        circuit_id=first["circuit_id"],
        season=int(race["season"].iloc[0]),
        round=int(race["round"].iloc[0]),
        driver_pace_s={d: float(beta[i]) for i, d in enumerate(drivers)},
        reference=reference,
        offset_s={reference: 0.0} | {c: float(beta[nd + j]) for j, c in enumerate(others)},
        deg_s_per_lap={c: float(beta[nd + len(others) + j]) for j, c in enumerate(linked)},
        deg_se_s_per_lap={c: float(se[nd + len(others) + j]) for j, c in enumerate(linked)},
        laps_per_compound={c: int(((comp == c.value) & keep).sum()) for c in linked},
        residual_sd_s=float(MAD_TO_SD * mad),
        track_evolution_s_per_lap=float(beta[-1]) if with_evolution else 0.0,
        constructor_of=dict(zip(race["driver_id"], race["constructor_id"], strict=True)),
    )


def fit_race_models(laps: pd.DataFrame) -> list[RaceFit]:
    """One lap-time model per race (races with too few clean laps, and wet races, are skipped)."""
    wet = laps["compound"].isin([c.value for c in WET_COMPOUNDS]).groupby(laps["race_id"]).mean()
    clean = _clean_dry_laps(laps[laps["race_id"].isin(wet[wet <= MAX_WET_LAP_SHARE].index)])
    fits = [_fit_one_race(race) for _, race in clean.groupby("race_id", sort=False)]
    return sorted((f for f in fits if f is not None), key=lambda f: (f.season, f.round))


@dataclass(frozen=True)
class TyreFit:
    """Pooled tyre model: level (pace offset vs MEDIUM) and degradation per compound, and lap noise."""

    pace_offset_s: dict[Compound, float]
    deg_s_per_lap: dict[Compound, float]
    laps: dict[Compound, int]
    lap_noise_s: float
    level_races: dict[Compound, int]  # races behind each compound level


def weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    order = np.argsort(values)
    cum = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cum, 0.5 * cum[-1])])


def aggregate_tyres(fits: Iterable[RaceFit]) -> TyreFit | None:
    """Pool race fits with lap-weighted medians (a few odd races must not drag a circuit's tyres around).

    Compound levels use the races where the compound and MEDIUM were both linked; physics is then imposed on
    the levels (a new SOFT is never slower than a new MEDIUM, a new HARD never quicker): race data confound
    them with traffic at the start and the fuel of the stints they are run in."""
    fits = list(fits)
    if not fits:
        return None
    deg: dict[Compound, float] = {}
    laps: dict[Compound, int] = {}
    levels = {Compound.MEDIUM: 0.0}
    level_races = {}
    for c in DRY_COMPOUNDS:
        pairs = [(f.deg_s_per_lap[c], f.laps_per_compound[c]) for f in fits if c in f.deg_s_per_lap]
        if pairs:
            values, weights = np.array(pairs).T
            deg[c] = weighted_median(values, weights)
            laps[c] = int(weights.sum())
        offsets = [
            (f.offset_s[c], min(f.laps_per_compound[c], f.laps_per_compound[Compound.MEDIUM]))
            for f in fits
            if c != Compound.MEDIUM and c in f.offset_s and f.reference == Compound.MEDIUM
        ]
        if offsets:
            values, weights = np.array(offsets).T
            level = weighted_median(values, weights)
            levels[c] = min(level, 0.0) if c == Compound.SOFT else max(level, 0.0)
            level_races[c] = len(offsets)
    noise = float(np.median([f.residual_sd_s for f in fits]))
    return TyreFit(pace_offset_s=levels, deg_s_per_lap=deg, laps=laps, lap_noise_s=noise, level_races=level_races)


@dataclass(frozen=True)
class DegradationSpread:
    """How much a race's degradation slope varies around its circuit's (``race_sd_s_per_lap``, per compound:
    the spread of race slopes around their circuit's median, less what the slopes' own standard errors explain)
    and the typical standard error of one race's slope."""

    race_sd_s_per_lap: dict[Compound, float]
    race_se_s_per_lap: dict[Compound, float]


def degradation_spread(fits: Iterable[RaceFit]) -> DegradationSpread:
    """Race-to-race spread of the slopes per compound, pooled over circuits (robust: MAD of the deviations)."""
    rows = [(f.circuit_id, c, f.deg_s_per_lap[c], f.deg_se_s_per_lap[c]) for f in fits for c in f.deg_s_per_lap]
    frame = pd.DataFrame(rows, columns=["circuit_id", "compound", "deg", "se"])
    sd: dict[Compound, float] = {}
    se: dict[Compound, float] = {}
    for name, of_c in frame.groupby("compound"):
        c = Compound(str(name))
        deviation = of_c["deg"] - of_c.groupby("circuit_id")["deg"].transform("median")
        repeated = deviation[of_c.groupby("circuit_id")["deg"].transform("size") > 1]
        spread = MAD_TO_SD * float(np.median(np.abs(repeated))) if len(repeated) else 0.0
        se[c] = float(of_c["se"].median())
        sd[c] = float(np.sqrt(max(spread**2 - se[c] ** 2, 0.0)))
    return DegradationSpread(race_sd_s_per_lap=sd, race_se_s_per_lap=se)


def fit_temperature_effect(fits: Iterable[RaceFit], track_temp_c: pd.Series) -> tuple[float, float]:
    """Relative change of degradation per °C of race track temperature, within circuits (a race hotter than its
    circuit's other editions against its slopes relative to theirs), and its standard error. Pooled over
    compounds by least squares through the origin, each slope weighted by its laps."""
    rows = [(f.circuit_id, c, f.deg_s_per_lap[c], f.laps_per_compound[c], track_temp_c.get(f.race_id, np.nan))
            for f in fits for c in f.deg_s_per_lap]
    frame = pd.DataFrame(rows, columns=["circuit_id", "compound", "deg", "laps", "temp"]).dropna()
    if frame.empty:
        return 0.0, 0.0
    level = frame.groupby(["circuit_id", "compound"])["deg"].transform("mean")
    frame = frame[level > 0.0]
    x = (frame["temp"] - frame.groupby("circuit_id")["temp"].transform("mean")).to_numpy()
    y = (frame["deg"] / level[level > 0.0] - 1.0).clip(-3.0, 3.0).to_numpy()
    w = frame["laps"].to_numpy(dtype=float)
    sxx = float((w * x * x).sum())
    if len(x) < 3 or sxx <= 0.0:
        return 0.0, 0.0
    slope = float((w * x * y).sum()) / sxx
    residual_var = float((w * (y - slope * x) ** 2).sum() / w.sum()) * len(x) / (len(x) - 1)
    return slope, float(np.sqrt(residual_var * (w * w * x * x).sum()) / sxx)


# Prior of the temperature effect on degradation (relative change per °C): the simulator's former fixed value,
# with this sd. Race-lap slopes alone pin it down poorly (a standard error about as large as the effect).
TEMP_COEFF_PRIOR_PER_C = 0.02
TEMP_COEFF_PRIOR_SD_PER_C = 0.01


def shrunk_temperature_coeff(slope: float, se: float) -> float:
    """The temperature coefficient the simulator uses: the fitted slope and the prior combined by their
    precisions, never negative (hotter never makes tyres last longer)."""
    prior_precision = TEMP_COEFF_PRIOR_SD_PER_C**-2
    if se <= 0.0:
        return TEMP_COEFF_PRIOR_PER_C
    precision = se**-2
    return max(0.0, (slope * precision + TEMP_COEFF_PRIOR_PER_C * prior_precision) / (precision + prior_precision))


def fit_pit_loss(pit_stops: pd.DataFrame) -> pd.DataFrame:
    """Median pit-lane loss per circuit and track state (columns ``circuit_id, state, pit_loss_s, stops``)."""
    ok = pit_stops.dropna(subset=["pit_lane_loss_s"])
    ok = ok[(ok["pit_lane_loss_s"] > 0) & (ok["pit_lane_loss_s"] < 60)]
    return (
        ok.groupby(["circuit_id", "track_status_at_stop"])["pit_lane_loss_s"]
        .agg(pit_loss_s="median", stops="size")
        .reset_index()
        .rename(columns={"track_status_at_stop": "state"})
    )


def fit_event_rates(
    sc_history: pd.DataFrame,
    results: pd.DataFrame,
    circuit_id: object | None = None,
    since_season: int = EVENTS_SINCE_SEASON,
) -> EventParams:
    """SC / VSC / red-flag parameters of a circuit (or of all circuits with ``circuit_id=None``), shrunk toward
    the all-circuit rates by PRIOR_RACES pseudo-races. Races without any event count (from ``results``)."""
    races = results.loc[results["season"] >= since_season, ["race_id", "circuit_id"]].drop_duplicates()
    hist = sc_history[sc_history["season"] >= since_season]
    hist = hist[hist["race_id"].isin(races["race_id"])]
    n_all = max(len(races), 1)

    def rate(kind: str, per_race: bool) -> tuple[float, float]:
        of_kind = hist[hist["kind"] == kind]
        count_all = len(of_kind) if per_race else of_kind["race_id"].nunique()
        global_rate = count_all / n_all
        if circuit_id is None:
            return global_rate, global_rate
        mine = of_kind[of_kind["circuit_id"] == circuit_id]
        n_mine = int((races["circuit_id"] == circuit_id).sum())
        count = len(mine) if per_race else mine["race_id"].nunique()
        return (count + PRIOR_RACES * global_rate) / (n_mine + PRIOR_RACES), global_rate

    sc_rate, _ = rate("SC", per_race=True)
    vsc_rate, _ = rate("VSC", per_race=True)
    red, _ = rate("RED", per_race=False)
    sc = hist[hist["kind"] == "SC"]
    if circuit_id is not None and (sc["circuit_id"] == circuit_id).sum() >= 3:
        sc = sc[sc["circuit_id"] == circuit_id]
    length = (sc["end_lap"] - sc["start_lap"] + 1).clip(lower=1)
    vsc = hist[hist["kind"] == "VSC"]
    vsc_length = (vsc["end_lap"] - vsc["start_lap"] + 1).clip(lower=1)
    fractions = ((sc["start_lap"] - 1) / sc["race_laps"]).clip(0.0, 1.0)
    return EventParams(
        sc_per_race=min(sc_rate, 5.0),
        sc_mean_laps=float(np.clip(length.mean(), 1.0, 20.0)) if len(length) else EventParams().sc_mean_laps,
        sc_start_lap_fractions=tuple(round(float(f), 4) for f in fractions),
        vsc_per_race=min(vsc_rate, 5.0),
        vsc_mean_laps=float(np.clip(vsc_length.mean(), 1.0, 10.0)) if len(vsc_length) else EventParams().vsc_mean_laps,
        red_flag_prob=min(red, 1.0),
    )


def is_finished(status: pd.Series) -> pd.Series:
    """Classified finishers: 'Finished' or '+N Lap(s)'."""
    return status.astype(str).str.startswith(FINISHED_STATUS_PREFIXES)


def fit_retirement_prob(results: pd.DataFrame, since_season: int = EVENTS_SINCE_SEASON) -> float:
    """Share of starters who did not finish (any cause), over the given seasons."""
    recent = results[results["season"] >= since_season]
    if recent.empty:
        return CircuitParams(circuit_id="generic").retirement_prob
    return float(1.0 - is_finished(recent["status"]).mean())


def fit_stint_ranges(stints: pd.DataFrame, circuit_id: object | None = None) -> dict[Compound, tuple[int, int]]:
    """Usable stint length (max) and cliff lap per dry compound from observed stint lengths."""
    dry = stints[stints["compound"].isin([c.value for c in DRY_COMPOUNDS]) & (stints["laps"] >= 3)]
    out: dict[Compound, tuple[int, int]] = {}
    for c in DRY_COMPOUNDS:
        of_c = dry[dry["compound"] == c.value]
        if circuit_id is not None and (of_c["circuit_id"] == circuit_id).sum() >= MIN_STINT_SAMPLES:
            of_c = of_c[of_c["circuit_id"] == circuit_id]
        if len(of_c) >= MIN_STINT_SAMPLES:
            lengths = of_c["laps"] + of_c["tyre_age_at_start"].fillna(0)
            out[c] = (
                int(np.percentile(lengths, MAX_STINT_PERCENTILE)),
                int(np.percentile(lengths, CLIFF_PERCENTILE)),
            )
    return out


def fit_start_noise(laps: pd.DataFrame, results: pd.DataFrame, slot_gap_s: float = 0.25, seed: int = 0) -> float:
    """Lap-1 scramble (s) that reproduces the observed spread of places gained or lost on lap 1.

    Observed: std of (position after lap 1 - grid slot). Simulated: cars ``slot_gap_s`` apart plus normal noise,
    re-ranked; the noise is interpolated where the simulated spread matches."""
    lap1 = laps.loc[laps["lap_number"] == 1, ["race_id", "driver_id", "position"]].dropna()
    grid = results.loc[results["grid"] > 0, ["race_id", "driver_id", "grid"]]
    merged = lap1.merge(grid, on=["race_id", "driver_id"])
    if len(merged) < 50:
        return CircuitParams(circuit_id="generic").start_noise_s
    observed = float((merged["position"] - merged["grid"]).std())
    rng = np.random.default_rng(seed)
    noise_grid = np.linspace(0.05, 5.0, 60)
    slots = np.arange(FULL_FIELD_CARS) * slot_gap_s
    z = rng.standard_normal((2000, FULL_FIELD_CARS))
    spread = []
    for sigma in noise_grid:
        ranks = np.argsort(np.argsort(slots + sigma * z, axis=1), axis=1)
        spread.append(float((ranks - np.arange(FULL_FIELD_CARS)).std()))
    return float(np.interp(observed, spread, noise_grid))


def observed_passes_per_race(laps: pd.DataFrame) -> pd.Series:
    """On-track passes per race_id: position swaps between consecutive green laps (from lap 3) where neither car
    was on an in- or out-lap, counted pair by pair (a pit-cycle swap is not a pass)."""
    cols = ["race_id", "driver_id", "lap_number", "position", "stint", "track_status"]
    data = laps[cols].dropna(subset=["position"]).copy()
    data = data.sort_values(["race_id", "driver_id", "lap_number"])
    by_driver = data.groupby(["race_id", "driver_id"])["stint"]
    data["pit_lap"] = (by_driver.shift(-1) != data["stint"]) & by_driver.shift(-1).notna()
    data["pit_lap"] |= (by_driver.shift(1) != data["stint"]) & by_driver.shift(1).notna()
    counts = {}
    for race_id, race in data.groupby("race_id"):
        pos = race.pivot_table(index="driver_id", columns="lap_number", values="position", aggfunc="first")
        pit = race.assign(pit_lap=race["pit_lap"].astype(float)).pivot_table(
            index="driver_id", columns="lap_number", values="pit_lap", aggfunc="max"
        )
        status = race.groupby("lap_number")["track_status"].agg(lambda s: all(str(x) == "1" for x in s))
        pit = pit.reindex_like(pos).fillna(1.0) > 0
        total = 0
        laps_list = [int(lap) for lap in pos.columns]
        for prev, cur in zip(laps_list[:-1], laps_list[1:], strict=True):
            if cur < 3 or not (status.get(prev, False) and status.get(cur, False)):
                continue
            p0, p1 = pos[prev].to_numpy(), pos[cur].to_numpy()
            ok = ~np.isnan(p0) & ~np.isnan(p1) & ~pit[cur].to_numpy() & ~pit[prev].to_numpy()
            p0, p1 = p0[ok], p1[ok]
            total += int(((p0[:, None] > p0[None, :]) & (p1[:, None] < p1[None, :])).sum())
        counts[race_id] = total
    return pd.Series(counts, name="passes", dtype=float)


CALIBRATION_THRESHOLDS_S = (0.2, 0.4, 0.6, 0.8, 1.0, 1.3, 1.6, 2.0, 2.5, 3.0)
CALIBRATION_RACES = 300


def calibrate_overtake_threshold(
    circuit: CircuitParams, passes_per_race: float, field_pace_step_s: float, seed: int = 0
) -> float:
    """The overtaking threshold at which the engine makes as many on-track passes per race as observed.

    A 20-car field spaced ``field_pace_step_s`` per place, on the circuit's best plans, is raced at a ladder of
    thresholds; passes fall monotonically with the threshold and the observed count is interpolated."""
    plans, weights = strategy_menu(circuit)
    cars = spaced_field(plans, weights, field_pace_step_s)
    simulated = []
    for threshold in CALIBRATION_THRESHOLDS_S:
        trial = circuit.model_copy(update={"overtake_threshold_s": threshold})
        result = simulate(cars, RaceParams(circuit=trial), CALIBRATION_RACES, seed)
        simulated.append(float(result.passes.sum(axis=1).mean()))
    # np.interp needs increasing x: passes decrease with the threshold.
    return float(np.interp(passes_per_race, simulated[::-1], CALIBRATION_THRESHOLDS_S[::-1]))


def field_pace_step_s(fits: Iterable[RaceFit]) -> float:
    """Median gap in race pace between neighbouring places of the pace order (s/lap)."""
    steps = []
    for f in fits:
        pace = np.sort(np.fromiter(f.driver_pace_s.values(), float))
        if pace.size >= 10:
            steps.append(np.polyfit(np.arange(pace.size), pace - pace[0], 1)[0])
    return float(np.median(steps)) if steps else 0.1


def fit_circuit_params(
    circuit_id: object,
    race_fits: list[RaceFit],
    stints: pd.DataFrame,
    pit_stops: pd.DataFrame,
    sc_history: pd.DataFrame,
    results: pd.DataFrame,
    passes_per_race: pd.Series | None = None,
    start_noise_s: float | None = None,
    race_laps: int | None = None,
    since_season: int = EVENTS_SINCE_SEASON,
    calibrate_overtaking: bool = True,
    track_temp_c: pd.Series | None = None,
) -> CircuitParams:
    """All circuit parameters from the tables, using the given race fits only (pass the earlier races' fits
    for a forecast). Tyre levels, noise, base lap time come from the circuit's races when there are any, from all
    races otherwise; pit losses by state, SC history and stint ranges likewise. Degradation slopes are the
    circuit's shrunk toward all circuits' by TYRE_PRIOR_RACES, with the relative sd of a race's slope around
    them (drawn per simulated race). With the races' mean track temperatures (``track_temp_c`` by race_id) the
    temperature effect on degradation is fitted too, relative to the circuit's own editions."""
    mine = [f for f in race_fits if f.circuit_id == circuit_id]
    own = aggregate_tyres(mine)
    tyres = own or aggregate_tyres(race_fits)
    everywhere = aggregate_tyres(race_fits)
    spread = degradation_spread(race_fits)
    compounds = dict(DEFAULT_COMPOUNDS)
    ranges = fit_stint_ranges(stints[stints["race_id"].isin([f.race_id for f in race_fits])], circuit_id)
    for c in DRY_COMPOUNDS:
        base = DEFAULT_COMPOUNDS[c]
        level = _lookup(c, [t.pace_offset_s for t in (tyres, everywhere) if t], base.pace_offset_s)
        # Compound levels are the least certain fit: shrink toward the generic level by TYRE_PRIOR_RACES.
        races = _lookup(c, [{k: float(v) for k, v in t.level_races.items()} for t in (tyres, everywhere) if t], 0.0)
        level = (races * level + TYRE_PRIOR_RACES * base.pace_offset_s) / (races + TYRE_PRIOR_RACES)
        deg, rel_sd = _shrunk_degradation(c, mine, own, everywhere, spread, base.deg_s_per_lap)
        max_stint, cliff = ranges.get(c, (base.max_stint_laps, base.cliff_lap))
        compounds[c] = CompoundParams(
            pace_offset_s=float(np.clip(level, -3.0, 3.0)),
            deg_s_per_lap=deg,
            deg_rel_sd=rel_sd,
            cliff_lap=max(cliff, base.min_stint_laps),
            cliff_s_per_lap=base.cliff_s_per_lap,
            min_stint_laps=base.min_stint_laps,
            max_stint_laps=max(max_stint, base.min_stint_laps),
        )
    losses = fit_pit_loss(pit_stops[pit_stops["race_id"].isin([f.race_id for f in race_fits])])
    defaults = CircuitParams(circuit_id=str(circuit_id))
    green = _pit_loss(losses, circuit_id, "green", defaults.pit_loss_green_s)
    vsc = _neutralised_pit_loss(losses, circuit_id, "vsc", green, defaults.pit_loss_vsc_s / defaults.pit_loss_green_s)
    sc = min(vsc, _neutralised_pit_loss(losses, circuit_id, "sc", green, defaults.pit_loss_sc_s / defaults.pit_loss_green_s))
    known = results[results["race_id"].isin([f.race_id for f in race_fits])]
    base_times = [min(f.driver_pace_s.values()) - (tyres.pace_offset_s.get(f.reference, 0.0) if tyres else 0.0)
                  for f in (mine or race_fits)]
    circuit = CircuitParams(
        circuit_id=str(circuit_id),
        race_laps=race_laps or defaults.race_laps,
        base_lap_time_s=float(np.clip(np.median(base_times), 50.0, 200.0)),
        compounds=compounds,
        pit_loss_green_s=green,
        pit_loss_vsc_s=vsc,
        pit_loss_sc_s=sc,
        lap_noise_s=float(np.clip(tyres.lap_noise_s, 0.1, 2.0)) if tyres else defaults.lap_noise_s,
        start_noise_s=defaults.start_noise_s if start_noise_s is None else start_noise_s,
        retirement_prob=fit_retirement_prob(known, since_season) if len(known) else defaults.retirement_prob,
        events=fit_event_rates(sc_history, known, circuit_id, since_season) if len(known) else EventParams(),
    )
    if track_temp_c is not None:
        circuit = circuit.model_copy(update=_temperature_fields(race_fits, mine, track_temp_c))
    if calibrate_overtaking and passes_per_race is not None:
        of_circuit = passes_per_race.reindex([f.race_id for f in mine]).dropna()
        observed = float(of_circuit.mean()) if len(of_circuit) else float(passes_per_race.mean())
        threshold = calibrate_overtake_threshold(circuit, observed, field_pace_step_s(mine or race_fits))
        circuit = circuit.model_copy(update={"overtake_threshold_s": threshold})
    return circuit


# A race's degradation is never drawn more uncertain than this (relative sd), nor its slope below the floor
# when dividing by it (near-zero slopes would make any spread look infinite).
MAX_DEG_REL_SD = 0.8
DEG_FLOOR_S_PER_LAP = 0.02


def _shrunk_degradation(c: Compound, mine: list[RaceFit], own: TyreFit | None, everywhere: TyreFit | None,
                        spread: DegradationSpread, default: float) -> tuple[float, float]:
    """(slope, relative sd of a race's slope): the circuit's slope shrunk toward all circuits' as if those were
    TYRE_PRIOR_RACES races; the sd adds the race-to-race spread and the shrunk estimate's standard error."""
    pooled = everywhere.deg_s_per_lap.get(c, default) if everywhere else default
    races = sum(c in f.deg_s_per_lap for f in mine)
    circuit = own.deg_s_per_lap.get(c, pooled) if own else pooled
    slope = float(np.clip((races * circuit + TYRE_PRIOR_RACES * pooled) / (races + TYRE_PRIOR_RACES), 0.0, 0.5))
    race_sd = spread.race_sd_s_per_lap.get(c, 0.0)
    se = float(np.hypot(race_sd, spread.race_se_s_per_lap.get(c, 0.0))) / np.sqrt(races + TYRE_PRIOR_RACES)
    rel_sd = float(np.hypot(race_sd, se)) / max(slope, DEG_FLOOR_S_PER_LAP)
    return slope, min(rel_sd, MAX_DEG_REL_SD)


def _temperature_fields(race_fits: list[RaceFit], mine: list[RaceFit], track_temp_c: pd.Series
                        ) -> dict[str, float]:
    """The fitted temperature coefficient (with its prior) and the reference temperature: the mean track
    temperature of the races the circuit's tyres were fitted on (its own, else all). Its slopes already carry its
    usual heat, so only a race hotter or cooler than usual changes them (a global reference would count a hot
    circuit's heat twice; on the 2023-2024 walk-forward neither reference was better beyond noise)."""
    coeff = shrunk_temperature_coeff(*fit_temperature_effect(race_fits, track_temp_c))
    temps = track_temp_c.reindex([f.race_id for f in (mine or race_fits)]).dropna()
    fields = {"deg_temp_coeff_per_c": float(np.clip(coeff, 0.0, 0.2))}
    if len(temps):
        fields["ref_track_temp_c"] = float(np.clip(temps.mean(), 0.0, 80.0))
    return fields


def _lookup(c: Compound, sources: list[dict[Compound, float]], default: float) -> float:
    """The compound's value from the first source that has it."""
    return next((source[c] for source in sources if c in source), default)


def _pit_loss(losses: pd.DataFrame, circuit_id: object, state: str, fallback: float) -> float:
    """The circuit's median loss in that state (3+ stops), else the all-circuit stop-weighted mean."""
    of_state = losses[losses["state"] == state]
    mine = of_state[of_state["circuit_id"] == circuit_id]
    if len(mine) and int(mine["stops"].iloc[0]) >= MIN_STOPS_PER_STATE:
        return float(mine["pit_loss_s"].iloc[0])
    if len(of_state):
        return float(np.average(of_state["pit_loss_s"], weights=of_state["stops"]))
    return fallback


def _neutralised_pit_loss(
    losses: pd.DataFrame, circuit_id: object, state: str, green_s: float, default_ratio: float
) -> float:
    """A VSC/SC loss: the circuit's own measurement when it has enough stops and the value is plausible
    (between NEUTRALISED_LOSS_RATIO_BOUNDS of the green loss), else the generic ratio to its green loss."""
    of_state = losses[(losses["state"] == state) & (losses["circuit_id"] == circuit_id)]
    low, high = NEUTRALISED_LOSS_RATIO_BOUNDS
    if len(of_state) and int(of_state["stops"].iloc[0]) >= MIN_STOPS_PER_STATE:
        measured = float(of_state["pit_loss_s"].iloc[0])
        if low * green_s <= measured <= high * green_s:
            return measured
    return default_ratio * green_s
