"""Each car's own pace model for one race and the laps' deviations from it.

Per stint, a straight line of fuel-corrected lap time on tyre life over the car's free-air clean laps: the stint's
own level, the compound's race-wide slope, refitted without the laps further than 3 robust sigmas away. The expected lap time of any
lap is that line plus the lap's fuel effect, so residuals say how much slower than its own clean pace a car was."""

from __future__ import annotations

import numpy as np
import pandas as pd

FREE_AIR_GAP_S = 2.0  # laps fitted for clean pace: nobody within this gap ahead (dirty air costs time within ~2 s)
MAX_ABS_SLOPE_S_PER_LAP = 0.5
RACING_STATES = ("green", "yellow")


def with_gap_ahead(laps: pd.DataFrame) -> pd.DataFrame:
    """laps + gap_ahead_s: seconds behind the car one position ahead at the line (NaN for the leader)."""
    ahead = laps[["lap_number", "position", "lap_end_session_time_s", "driver_id"]].rename(
        columns={"lap_end_session_time_s": "ahead_end_s", "driver_id": "ahead_driver_id"})
    ahead = ahead.assign(position=ahead["position"] + 1)
    out = laps.merge(ahead, on=["lap_number", "position"], how="left")
    out["gap_ahead_s"] = out["lap_end_session_time_s"] - out.pop("ahead_end_s")
    return out


def racing_laps(laps: pd.DataFrame) -> pd.Series:
    """Timed laps run at racing speed: not lap 1, not in/out laps, no SC/VSC/red."""
    return (laps["lap_time_s"].notna() & (laps["lap_number"] > 1) & ~laps["is_in_lap"].astype(bool)
            & ~laps["is_out_lap"].astype(bool) & laps["track_state"].isin(RACING_STATES))


def _lines(fit: pd.DataFrame) -> pd.DataFrame:
    """Per car stint: intercept at its mean, slope shared by every stint on the compound (pooled within-stint fit).

    A stint's own slope is unreliable when its free-air laps cover a few tyre ages (e.g. only the end of a stint
    stuck in a train); the race-wide slope per compound is not, and each stint keeps its own level."""
    keys = ["driver_id", "stint"]
    g = fit.groupby(keys)
    dx = fit["x"] - g["x"].transform("mean")
    dy = fit["y"] - g["y"].transform("mean")
    compound = fit["compound"].fillna("UNKNOWN")
    slope = ((dx * dy).groupby(compound).sum() / (dx ** 2).groupby(compound).sum().where(lambda v: v > 0))
    slope = slope.fillna(0.0).clip(-MAX_ABS_SLOPE_S_PER_LAP, MAX_ABS_SLOPE_S_PER_LAP)
    stint_slope = compound.map(slope).groupby([fit[k] for k in keys]).first()
    return pd.DataFrame({"slope": stint_slope, "intercept": g["y"].mean() - stint_slope * g["x"].mean()})


def expected_lap_times(laps: pd.DataFrame) -> pd.Series:
    """Expected lap time (s) of every lap from the car's own stint pace line; NaN where the car has no clean lap.

    `laps` needs gap_ahead_s (see with_gap_ahead)."""
    keys = ["driver_id", "stint"]
    free_air = laps["is_clean_lap"].astype(bool) & ~(laps["gap_ahead_s"] <= FREE_AIR_GAP_S)
    fit = laps.loc[free_air, [*keys, "compound"]].assign(
        x=laps.loc[free_air, "tyre_life_laps"].astype(float), y=laps.loc[free_air, "fuel_corrected_lap_time_s"])
    residual = fit["y"] - _apply(fit, _lines(fit), keys)
    mad = residual.abs().groupby([fit[k] for k in keys]).transform("median")
    kept = fit[residual.abs() <= np.maximum(3 * 1.4826 * mad, 0.3)]
    expected_fc = _apply(laps.assign(x=laps["tyre_life_laps"].astype(float)), _lines(kept), keys)
    # A stint without a clean free-air lap (e.g. a two-lap stint) takes the car's race median clean pace.
    car_median = kept.groupby("driver_id")["y"].median()
    expected_fc = expected_fc.fillna(laps["driver_id"].map(car_median))
    fuel_effect_s = laps["lap_time_s"] - laps["fuel_corrected_lap_time_s"]
    # Laps without a time (fuel effect unknown): the fuel effect of the car's neighbouring lap is close enough.
    by_car = laps["driver_id"]
    fuel_effect_s = fuel_effect_s.groupby(by_car).ffill().groupby(by_car).bfill()
    return expected_fc + fuel_effect_s


def _apply(frame: pd.DataFrame, lines: pd.DataFrame, keys: list[str]) -> pd.Series:
    joined = frame[keys].merge(lines, left_on=keys, right_index=True, how="left")
    return pd.Series(joined["intercept"].to_numpy() + joined["slope"].to_numpy() * frame["x"].to_numpy(),
                     index=frame.index)
