"""Safety-car, VSC and red-flag probabilities per circuit from the neutralisation history (empirical Bayes).

Every race held at a circuit is a trial: did it have a safety car, only VSCs, a red flag, and how many SCs.

* Recency: a race ``a`` seasons before the reference season weighs ``0.5 ** (a / HALF_LIFE_SEASONS)``: with a
  half-life of 4 seasons, last season's races count 84 %, a race 8 seasons back a quarter. Rules, cars and race
  control practice (the VSC, quicker SC deployments) change, and recent seasons say most about the next race.
* Shrinkage: probabilities are beta-binomial, counts gamma-Poisson. The prior mean is the recency-weighted rate of
  all circuits; the prior strength (how many pseudo-races of that rate a circuit starts with) is the one that
  maximises the marginal likelihood of all circuits' weighted records. A circuit with few or only old races stays
  close to the all-circuit rate, one with many recent races close to its own.
* History windows: SC and red-flag records are used from the season the SC records become continuous (1993 in the
  archive; earlier seasons have red flags but no SCs), VSCs from their introduction (2015).
* SC start laps: the share of SCs started on lap 1 (start incidents) and a 10-bin histogram of the start lap as a
  fraction of race distance for the others, both shrunk toward the all-circuit distribution by START_PRIOR_SCS.

Input frames (the marts' columns): ``periods`` = ``race_id, season, circuit_id, kind ('SC' | 'VSC' | 'RED'),
start_lap, end_lap, race_laps``; ``races`` = ``race_id, season, circuit_id`` of every race held (races without any
neutralisation count as trials too).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from simulation.params import EventParams

# SciPy is imported in the functions that use it: scipy.special takes ~0.7 s to import.

HALF_LIFE_SEASONS = 4.0
# Candidate prior strengths (pseudo-races) for the marginal-likelihood search.
PRIOR_STRENGTHS = np.geomspace(0.5, 500.0, 200)
START_PRIOR_SCS = 5.0  # pseudo-SCs of the all-circuit start-lap distribution
LENGTH_PRIOR_PHASES = 5.0  # pseudo-phases of the all-circuit mean SC / VSC length
START_BINS = 10
QUANTILE_POINTS = 100  # start-lap fractions handed to the simulator (an even grid of the quantile function)
SC, VSC, RED = "SC", "VSC", "RED"


def records_start(periods: pd.DataFrame, kind: str) -> int:
    """First season from which every season up to the last one has at least one record of ``kind``."""
    seasons = np.sort(periods.loc[periods["kind"] == kind, "season"].unique())
    if seasons.size == 0:
        raise ValueError(f"no {kind} records in the history")
    gaps = np.flatnonzero(np.diff(seasons) > 1)
    return int(seasons[gaps[-1] + 1] if gaps.size else seasons[0])


def recency_weight(season: pd.Series | np.ndarray, reference_season: int) -> np.ndarray:
    age = np.maximum(reference_season - np.asarray(season, dtype=float), 0.0)
    return np.asarray(0.5 ** (age / HALF_LIFE_SEASONS))


def race_outcomes(periods: pd.DataFrame, races: pd.DataFrame) -> pd.DataFrame:
    """Per race: SC and VSC counts and the red-flag, SC, VSC-only indicators (0 for races without records)."""
    counts = periods.pivot_table(index="race_id", columns="kind", values="start_lap", aggfunc="size", fill_value=0)
    counts = counts.reindex(columns=[SC, VSC, RED], fill_value=0)
    out = races[["race_id", "season", "circuit_id"]].drop_duplicates("race_id").join(counts, on="race_id")
    out[[SC, VSC, RED]] = out[[SC, VSC, RED]].fillna(0).astype(int)
    return out.assign(has_sc=out[SC] > 0, vsc_only=(out[VSC] > 0) & (out[SC] == 0), has_red=out[RED] > 0)


def beta_prior_strength(successes: np.ndarray, trials: np.ndarray, rate: float) -> float:
    """Pseudo-races of the global rate maximising the beta-binomial marginal likelihood of the circuits."""
    from scipy.special import betaln

    rate = float(np.clip(rate, 1e-4, 1 - 1e-4))
    a, b = PRIOR_STRENGTHS[:, None] * rate, PRIOR_STRENGTHS[:, None] * (1 - rate)
    loglik = (betaln(successes + a, trials - successes + b) - betaln(a, b)).sum(axis=1)
    return float(PRIOR_STRENGTHS[np.argmax(loglik)])


def gamma_prior_strength(counts: np.ndarray, exposure: np.ndarray, rate: float) -> float:
    """Pseudo-races of the global rate maximising the gamma-Poisson (negative binomial) marginal likelihood."""
    from scipy.special import gammaln

    rate = max(rate, 1e-4)
    shape, inv_scale = PRIOR_STRENGTHS[:, None] * rate, PRIOR_STRENGTHS[:, None]
    loglik = (gammaln(counts + shape) - gammaln(shape) + shape * np.log(inv_scale)
              - (counts + shape) * np.log(inv_scale + exposure)).sum(axis=1)
    return float(PRIOR_STRENGTHS[np.argmax(loglik)])


def _shrunk(by_circuit: pd.DataFrame, value: str, kind: str) -> tuple[pd.Series, float]:
    """Posterior mean per circuit of a weighted rate (kind 'beta' or 'gamma') and the fitted prior strength.

    The weighted record of a circuit counts as its Kish effective number of races, (sum w)^2 / sum w^2: old races
    are discounted, not dropped, and the prior strength is fitted on the same footing."""
    raced = by_circuit["weight"].to_numpy() > 0  # circuits not raced in the window keep the prior
    weight = np.where(raced, by_circuit["weight"].to_numpy(), 1.0)
    n_eff = np.where(raced, weight**2 / np.where(raced, by_circuit["weight_sq"].to_numpy(), 1.0), 0.0)
    s = by_circuit[value].to_numpy() / weight * n_eff
    # A fit dated before a kind's records begin (VSCs before 2015) has no races in its window: rate 0.
    rate = float(by_circuit[value].sum() / by_circuit["weight"].sum()) if raced.any() else 0.0
    fit = beta_prior_strength if kind == "beta" else gamma_prior_strength
    strength = fit(s[raced], n_eff[raced], rate)
    return pd.Series((s + strength * rate) / (n_eff + strength), index=by_circuit.index), strength


def _weighted_rates(outcomes: pd.DataFrame, columns: dict[str, str], reference_season: int) -> pd.DataFrame:
    w = recency_weight(outcomes["season"], reference_season)
    weighted = outcomes[list(columns)].astype(float).mul(w, axis=0).rename(columns=columns)
    weighted["weight"] = w
    weighted["weight_sq"] = w * w
    weighted["circuit_id"] = outcomes["circuit_id"].to_numpy()
    return weighted.groupby("circuit_id").sum()


def _start_distribution(sc: pd.DataFrame, circuits: pd.Index, reference_season: int) -> pd.DataFrame:
    """Lap-1 share and start-fraction histogram per circuit, shrunk toward the all-circuit distribution."""
    w = recency_weight(sc["season"], reference_season)
    fraction = ((sc["start_lap"] - 1) / sc["race_laps"]).clip(0.0, 1.0 - 1e-9).to_numpy()
    lap1 = (sc["start_lap"] <= 1).to_numpy()
    bins = np.where(lap1, -1, (fraction * START_BINS).astype(int))
    frame = pd.DataFrame({"circuit_id": sc["circuit_id"].to_numpy(), "bin": bins, "w": w})
    table = frame.pivot_table(index="circuit_id", columns="bin", values="w", aggfunc="sum", fill_value=0.0)
    table = table.reindex(index=circuits, columns=range(-1, START_BINS), fill_value=0.0)
    prior = table.sum(axis=0) / table.to_numpy().sum()
    posterior = table.add(START_PRIOR_SCS * prior, axis=1)
    lap1_share = posterior[-1] / posterior.sum(axis=1)
    later = posterior.drop(columns=-1)
    hist = later.div(later.sum(axis=1), axis=0)
    deciles = [start_quantiles(q, h, np.linspace(0.1, 0.9, 9)) for q, h in zip(lap1_share, hist.to_numpy(), strict=True)]
    return pd.DataFrame({
        "sc_lap1_share": lap1_share,
        "sc_start_fraction_hist": [list(np.round(h, 4)) for h in hist.to_numpy()],
        "sc_start_fraction_deciles": [list(np.round(d, 4)) for d in deciles],
    }, index=circuits)


def start_quantiles(lap1_share: float, hist: np.ndarray | list[float], probabilities: np.ndarray) -> np.ndarray:
    """Quantiles of the SC start fraction: a point mass at 0 (lap 1) plus ``hist`` uniform within its bins."""
    hist = np.asarray(hist, dtype=float)
    edges = np.linspace(0.0, 1.0, hist.size + 1)
    cdf = np.concatenate([[0.0], np.cumsum(hist)])
    later = np.clip((np.asarray(probabilities) - lap1_share) / max(1.0 - lap1_share, 1e-9), 0.0, 1.0)
    return np.where(np.asarray(probabilities) <= lap1_share, 0.0, np.interp(later, cdf, edges))


def _mean_length(periods: pd.DataFrame, kind: str, circuits: pd.Index, reference_season: int) -> pd.Series:
    of_kind = periods[periods["kind"] == kind]
    laps = (of_kind["end_lap"] - of_kind["start_lap"] + 1).clip(lower=1).to_numpy(dtype=float)
    w = recency_weight(of_kind["season"], reference_season)
    frame = pd.DataFrame({"circuit_id": of_kind["circuit_id"].to_numpy(), "wl": w * laps, "w": w})
    sums = frame.groupby("circuit_id")[["wl", "w"]].sum().reindex(circuits, fill_value=0.0)
    # Before the kind's first record (VSCs in a fit dated before 2015) there is no mean: one lap.
    overall = float(sums["wl"].sum() / sums["w"].sum()) if sums["w"].sum() > 0 else 1.0
    return (sums["wl"] + LENGTH_PRIOR_PHASES * overall) / (sums["w"] + LENGTH_PRIOR_PHASES)


def shrunk_sc_probability(outcomes: pd.DataFrame, sc_start: int, reference_season: int) -> pd.Series:
    """``sc_probability`` of :func:`circuit_safety_car_table` alone, per circuit_id, from :func:`race_outcomes` of
    the races held and the SC records' first season: what the per-race model needs for each of ~400 races."""
    era = outcomes[outcomes["season"].between(sc_start, reference_season)]
    return _shrunk(_weighted_rates(era, {"has_sc": "has_sc"}, reference_season), "has_sc", "beta")[0].round(4)


def circuit_safety_car_table(periods: pd.DataFrame, races: pd.DataFrame, reference_season: int) -> pd.DataFrame:
    """One row per circuit raced in the SC-record era: shrunk, recency-weighted neutralisation probabilities.

    Columns: circuit_id, races, last_season, effective_races (Kish effective number of
    recency-weighted races), sc_probability (P(>=1 SC)),
    vsc_only_probability (VSCs but no SC), red_flag_probability, expected_sc_count, expected_vsc_count,
    sc_mean_laps, vsc_mean_laps, sc_lap1_share, sc_start_fraction_hist (START_BINS shares of the non-lap-1 SCs by
    tenth of race distance), sc_start_fraction_deciles (p10..p90 of the start lap / race laps, lap 1 = 0),
    raw_sc_race_share (unweighted, unshrunk). ``attrs['prior_strength']`` holds the fitted pseudo-race counts."""
    sc_start, vsc_start = records_start(periods, SC), records_start(periods, VSC)
    outcomes = race_outcomes(periods, races)
    outcomes = outcomes[outcomes["season"].between(sc_start, reference_season)]
    periods = periods[periods["race_id"].isin(outcomes["race_id"])]
    sc_era = _weighted_rates(outcomes, {"has_sc": "has_sc", "has_red": "has_red", SC: "n_sc"}, reference_season)
    vsc_era = _weighted_rates(outcomes[outcomes["season"] >= vsc_start], {"vsc_only": "vsc_only", VSC: "n_vsc"},
                              reference_season)
    circuits = sc_era.index
    vsc_era = vsc_era.reindex(circuits, fill_value=0.0)
    strengths: dict[str, float] = {}
    table = pd.DataFrame(index=circuits)
    for column, value, frame, kind in (
        ("sc_probability", "has_sc", sc_era, "beta"),
        ("red_flag_probability", "has_red", sc_era, "beta"),
        ("expected_sc_count", "n_sc", sc_era, "gamma"),
        ("vsc_only_probability", "vsc_only", vsc_era, "beta"),
        ("expected_vsc_count", "n_vsc", vsc_era, "gamma"),
    ):
        table[column], strengths[column] = _shrunk(frame, value, kind)
    by_circuit = outcomes.groupby("circuit_id")
    table["races"] = by_circuit.size()
    table["last_season"] = by_circuit["season"].max()
    table["effective_races"] = (sc_era["weight"] ** 2 / sc_era["weight_sq"]).round(2)
    table["raw_sc_race_share"] = by_circuit["has_sc"].mean().round(4)
    table["sc_mean_laps"] = _mean_length(periods, SC, circuits, reference_season)
    table["vsc_mean_laps"] = _mean_length(periods, VSC, circuits, reference_season)
    table = table.join(_start_distribution(periods[periods["kind"] == SC], circuits, reference_season))
    rounded = ["sc_probability", "red_flag_probability", "expected_sc_count", "vsc_only_probability",
               "expected_vsc_count", "sc_mean_laps", "vsc_mean_laps", "sc_lap1_share"]
    table[rounded] = table[rounded].astype(float).round(4)
    out = table.rename_axis("circuit_id").reset_index()
    out.attrs["prior_strength"] = {k: round(v, 2) for k, v in strengths.items()}
    return out


def event_params(row: pd.Series | Mapping[str, Any]) -> EventParams:
    """The simulator's neutralisation parameters from one row of :func:`circuit_safety_car_table`."""
    grid = (np.arange(QUANTILE_POINTS) + 0.5) / QUANTILE_POINTS
    fractions = start_quantiles(float(row["sc_lap1_share"]), list(row["sc_start_fraction_hist"]), grid)
    return EventParams(
        sc_per_race=min(float(row["expected_sc_count"]), 5.0),
        sc_mean_laps=min(max(float(row["sc_mean_laps"]), 1.0), 20.0),
        sc_start_lap_fractions=tuple(round(float(f), 4) for f in fractions),
        vsc_per_race=min(float(row["expected_vsc_count"]), 5.0),
        vsc_mean_laps=min(max(float(row["vsc_mean_laps"]), 1.0), 10.0),
        red_flag_prob=float(row["red_flag_probability"]),
    )
