"""Where each car lost time in a race: pit stops, traffic, safety cars and mistakes, each on the lap it happened.

- pit_stop: pit-lane time minus the race's best stop (stops during a red flag cost nothing and are left out).
- traffic: laps within TRAFFIC_GAP_S of the car ahead at the line, slower than the car's own clean pace.
- safety_car: SC/VSC laps, vs the car's own green pace (in/out laps are counted as pit stops).
- mistake: racing laps slower than the car's pace model by far more than its own lap-to-lap scatter, after removing
  what the whole field lost on that lap (yellow flags, a gust, rain), so only the car's own slow laps remain."""

from __future__ import annotations

import numpy as np
import pandas as pd

from insights.data import RaceData
from insights.pace import expected_lap_times, racing_laps, with_gap_ahead

TRAFFIC_GAP_S = 1.0
MISTAKE_MIN_S = 1.5  # a lap this much slower than expected, at least, before it counts as a mistake
MISTAKE_SIGMAS = 4.0
SPIKE_WINDOW_LAPS = 5
FIELD_EVENT_SHARE = 0.25
# Ergast/FastF1 pit-lane times above this are timing artefacts (a car parked in the garage for 40 min) or red flags.
MAX_PLAUSIBLE_STOP_S = 600.0
CATEGORIES = ("pit_stop", "traffic", "safety_car", "mistake")
COLUMNS = ["driver_id", "driver_code", "category", "lap_number", "seconds_lost", "detail", "driver_total_s"]


def time_lost(race: RaceData) -> pd.DataFrame:
    """Long table: one row per (driver, category, lap) with seconds lost, plus each driver's race total."""
    if not race.has_laps:
        return pd.DataFrame(columns=COLUMNS)
    laps = with_gap_ahead(race.laps)
    laps["expected_s"] = expected_lap_times(laps)
    laps["residual_s"] = laps["lap_time_s"] - laps["expected_s"]
    items = pd.concat([_pit_stops(race), _on_track(laps)], ignore_index=True).astype(
        {"driver_id": int, "lap_number": int, "seconds_lost": float})
    items = items[items["seconds_lost"].round(3) > 0]  # reported to the millisecond: less is no loss at all
    items["driver_code"] = items["driver_id"].map(laps.drop_duplicates("driver_id").set_index("driver_id")
                                                  ["driver_code"])
    items["driver_total_s"] = items.groupby("driver_id")["seconds_lost"].transform("sum")
    items["seconds_lost"] = items["seconds_lost"].round(3)
    items["driver_total_s"] = items["driver_total_s"].round(3)
    order = items["category"].map({c: i for i, c in enumerate(CATEGORIES)})
    return (items.assign(_order=order).sort_values(["driver_id", "_order", "lap_number"])
            .drop(columns="_order")[COLUMNS].reset_index(drop=True))


def _pit_stops(race: RaceData) -> pd.DataFrame:
    stops = race.pit_stops
    stops = stops[(stops["track_status_at_stop"] != "red") & (stops["pit_duration_s"] <= MAX_PLAUSIBLE_STOP_S)]
    if stops.empty:
        return pd.DataFrame(columns=["driver_id", "category", "lap_number", "seconds_lost", "detail"])
    best = stops["pit_duration_s"].min()
    return pd.DataFrame({
        "driver_id": stops["driver_id"], "category": "pit_stop", "lap_number": stops["lap"],
        "seconds_lost": stops["pit_duration_s"] - best,
        "detail": [f"stop {s}: {d:.1f} s in the pit lane vs the race's best {best:.1f} s"
                   for s, d in zip(stops["stop"], stops["pit_duration_s"], strict=True)]})


def _on_track(laps: pd.DataFrame) -> pd.DataFrame:
    laps = laps.sort_values(["driver_id", "lap_number"])
    racing = racing_laps(laps) & laps["residual_s"].notna()
    # What the whole field lost on the lap (yellows, weather): not the car's own doing.
    field_loss = laps["residual_s"].where(racing).groupby(laps["lap_number"]).transform("median")
    excess = (laps["residual_s"] - field_loss).where(racing)
    by_car = excess.groupby(laps["driver_id"])
    scatter = 1.4826 * (excess - by_car.transform("median")).abs().groupby(laps["driver_id"]).transform("median")
    # A mistake is a spike: a run of slow laps is pace (tyres, saving fuel, team orders), not a mistake.
    local = by_car.rolling(SPIKE_WINDOW_LAPS, center=True, min_periods=1).median().droplevel(0)
    threshold = np.maximum(MISTAKE_MIN_S, MISTAKE_SIGMAS * scatter)
    slow = racing & (excess > threshold) & (excess - local > threshold)
    # Many cars "slow" on one lap is the lap, not them (e.g. a standing restart labelled green).
    field_event = slow.groupby(laps["lap_number"]).transform("sum") > FIELD_EVENT_SHARE * racing.groupby(
        laps["lap_number"]).transform("sum")
    mistake = slow & ~field_event
    traffic = racing & ~mistake & (laps["gap_ahead_s"] <= TRAFFIC_GAP_S)
    neutralised = (laps["track_state"].isin(["sc", "vsc"]) & laps["lap_time_s"].notna()
                   & ~laps["is_in_lap"].astype(bool) & ~laps["is_out_lap"].astype(bool))
    parts = [
        _rows(laps[mistake], "mistake", excess[mistake],
              [f"{t:.1f} s lap, {e:.1f} s slower than own pace after the field's {f:+.1f} s"
               for t, e, f in zip(laps.loc[mistake, "lap_time_s"], excess[mistake], field_loss[mistake],
                                  strict=True)]),
        _rows(laps[traffic], "traffic", excess[traffic].clip(lower=0),
              [f"{g:.2f} s behind car ahead" for g in laps.loc[traffic, "gap_ahead_s"]]),
        _rows(laps[neutralised], "safety_car", laps.loc[neutralised, "residual_s"].clip(lower=0),
              [f"{s.upper()} lap" for s in laps.loc[neutralised, "track_state"]]),
    ]
    return pd.concat(parts, ignore_index=True)


def _rows(laps: pd.DataFrame, category: str, seconds: pd.Series, detail: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"driver_id": laps["driver_id"].to_numpy(), "category": category,
                         "lap_number": laps["lap_number"].to_numpy(), "seconds_lost": seconds.to_numpy(),
                         "detail": detail})


def driver_totals(items: pd.DataFrame) -> pd.DataFrame:
    """Seconds lost per driver and category (columns = categories), most time lost first."""
    wide = items.pivot_table(index="driver_code", columns="category", values="seconds_lost", aggfunc="sum",
                             fill_value=0.0).reindex(columns=list(CATEGORIES), fill_value=0.0)
    return wide.loc[wide.sum(axis=1).sort_values(ascending=False).index]
