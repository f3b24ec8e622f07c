"""Race-day weather inputs: each circuit's climate from every earlier edition with race weather, shrunk toward all
circuits, and the weekend's own qualifying/sprint sessions when they were run.

* An edition's rain: the share of its race laps run on intermediates or wets (the rain-flagged share of its race
  weather samples when there are no laps). A simulated shower wets about SHOWER_SHARE of a race, so an edition
  counts as ``min(1, share / SHOWER_SHARE)`` rainy races: a few wet samples (Qatar 2021: 3 of 152) count as a small
  fraction of a wet race, not as one.
* Rain probability per circuit: posterior mean of those fractional wet editions under a beta prior of
  RAIN_PRIOR_EDITIONS editions at the all-circuit rate. Rain is barely circuit-specific in the archive (144
  editions 2018-2025, ~10 % wet): the beta-binomial marginal likelihood of wet editions (>= 10 % wet laps) peaks
  at 58 pseudo-editions and is within 1.2 log-likelihood units of it from 5 up, so the prior is strong but a
  circuit with several wet editions still stands out. Temperatures and humidity: the circuit's edition means
  shrunk toward the all-circuit mean by the within/between-circuit variance ratio.
* The weekend: rain in the weekend's qualifying (or sprint) sessions lifts the probability: of the 8 weekends of
  2021-2023 with wet qualifying samples, 4 had a wet race, so a fully wet qualifying closes WEEKEND_CARRYOVER of
  the gap to a certain shower. Once the race session has weather samples, they are the race's own weather.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from simulation.params import WeatherParams
from transforms.warehouse import Warehouse, read_frame

SHOWER_SHARE = 1 / 3  # mean share of race laps a simulated shower (3-25 laps, then drying) leaves wet
WEEKEND_CARRYOVER = 0.5
RAIN_PRIOR_EDITIONS = 10.0
TEMPERATURES = ["track_temp_c", "air_temp_c", "humidity_pct"]

# One row per race: its race-session weather means, its wet share (laps first, samples otherwise) and the wet share
# of its qualifying/sprint sessions (run before the race starts).
_EDITIONS_SQL = """
    with samples as (
        select race_id,
               avg(air_temp_c) filter (where session_code = 'R') as air_temp_c,
               avg(track_temp_c) filter (where session_code = 'R') as track_temp_c,
               avg(humidity_pct) filter (where session_code = 'R') as humidity_pct,
               avg(is_raining::int) filter (where session_code = 'R') as wet_sample_share,
               avg(is_raining::int) filter (where session_code in ('Q', 'SQ', 'S')) as weekend_wet_share
        from marts.fct_session_weather group by race_id),
    laps as (
        select race_id, avg((compound in ('INTERMEDIATE', 'WET'))::int) as wet_lap_share
        from marts.fct_laps where compound is not null group by race_id)
    select r.race_id, r.season, r.circuit_id as circuit_key, r.race_start_at, s.air_temp_c, s.track_temp_c,
           s.humidity_pct, coalesce(l.wet_lap_share, s.wet_sample_share) as wet_share, s.weekend_wet_share
    from marts.dim_races r left join samples s using (race_id) left join laps l using (race_id)
    where s.race_id is not null or l.race_id is not null
    order by r.race_start_at, r.race_id"""


def read_editions(warehouse: Warehouse) -> pd.DataFrame:
    """Every race with weather samples or laps (see _EDITIONS_SQL for the columns)."""
    return read_frame(warehouse, _EDITIONS_SQL)


def _shrunk_means(editions: pd.DataFrame, column: str) -> pd.Series:
    """Circuit means of ``column`` shrunk toward the all-circuit mean (James-Stein: within / between variance)."""
    values = editions[["circuit_key", column]].dropna()
    if values.empty:
        return pd.Series(dtype=float)
    by_circuit = values.groupby("circuit_key")[column].agg(["mean", "count", "var"])
    overall = float(values[column].mean())
    within = float(np.nanmean(by_circuit["var"])) if by_circuit["var"].notna().any() else 0.0
    between = max(float(by_circuit["mean"].var(ddof=0)) - within * float(np.mean(1 / by_circuit["count"])), 1e-9)
    strength = within / between if np.isfinite(within) else 0.0
    return (by_circuit["mean"] * by_circuit["count"] + strength * overall) / (by_circuit["count"] + strength)


def climate_table(editions: pd.DataFrame) -> pd.DataFrame:
    """Per circuit (index circuit_key): shrunk track/air temperature, humidity and rain probability, from
    ``editions`` (read_editions' rows, only those dated before whatever is predicted). ``attrs['overall']`` holds
    the all-circuit values, for a circuit without editions."""
    rainy = (editions["wet_share"] / SHOWER_SHARE).clip(upper=1.0)
    wet = pd.DataFrame({"circuit_key": editions["circuit_key"], "rainy": rainy}).dropna()
    table = pd.DataFrame({c: _shrunk_means(editions, c) for c in TEMPERATURES})
    overall = {c: float(editions[c].mean()) for c in TEMPERATURES}
    if wet.empty:
        table["rain_probability"] = 0.0
        overall["rain_probability"] = 0.0
    else:
        by_circuit = wet.groupby("circuit_key")["rainy"].agg(["sum", "count"])
        rate = float(wet["rainy"].mean())
        table["rain_probability"] = ((by_circuit["sum"] + RAIN_PRIOR_EDITIONS * rate)
                                     / (by_circuit["count"] + RAIN_PRIOR_EDITIONS))
        overall["rain_probability"] = rate
    table.attrs["overall"] = overall
    return table


def weekend_rain_probability(climate_rain: float, weekend_wet_share: float | None) -> float:
    """The circuit's rain probability, lifted by rain in the weekend's qualifying/sprint sessions."""
    if weekend_wet_share is None or not np.isfinite(weekend_wet_share):
        return climate_rain
    weekend = min(1.0, weekend_wet_share / SHOWER_SHARE)
    return climate_rain + (1.0 - climate_rain) * WEEKEND_CARRYOVER * weekend


def _weather(values: Mapping[Hashable, Any], rain_probability: float) -> WeatherParams:
    """WeatherParams from a mapping with TEMPERATURES (NaN = unknown)."""
    known = {c: round(float(values[c]), 1) if pd.notna(values.get(c)) else None for c in TEMPERATURES}
    return WeatherParams(track_temp_c=known["track_temp_c"], air_temp_c=known["air_temp_c"],
                         humidity_pct=known["humidity_pct"], rain_probability=round(rain_probability, 3))


def race_weather(editions: pd.DataFrame, race_id: int, circuit_key: int,
                 race_start_at: pd.Timestamp) -> WeatherParams:
    """The race's weather: its own race-session samples once there are some (rain then only if they are wet),
    else its circuit's climate from the editions before it, lifted by its own qualifying/sprint rain."""
    own = editions[editions["race_id"] == race_id]
    if len(own) and own["track_temp_c"].notna().all():
        row = own.iloc[0].to_dict()
        return _weather(row, min(1.0, float(np.nan_to_num(row["wet_share"])) / SHOWER_SHARE))
    climate = climate_table(editions[editions["race_start_at"] < race_start_at])
    values = climate.loc[circuit_key].to_dict() if circuit_key in climate.index else climate.attrs["overall"]
    weekend = own["weekend_wet_share"].iloc[0] if len(own) else None
    return _weather(values, weekend_rain_probability(float(values["rain_probability"]), weekend))
