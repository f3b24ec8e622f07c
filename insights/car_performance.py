"""Car performance scores per team and race: where on the lap each car gains or loses time, on a 0–100 scale.

Scores come from the weekend session where cars show their pace best (`SESSION_PREFERENCE`): qualifying, then sprint
qualifying and practice (each driver's fastest valid lap: low fuel, fresh tyres, every car pushing), and race laps
only when no other session timed every team: each driver's `RACE_LAPS_PER_DRIVER` fastest clean laps (so traffic,
pit and safety-car laps do not count), timed with the fuel load removed (dbt's `fuel_corrected_lap_time_s`, spread
over the lap's zones in proportion), else a car that retired early would be judged on heavy-fuel laps against the
others' light-fuel ones. Within the chosen session, two sources:

- **telemetry** (sessions with car telemetry): the lap is cut into zones by what the whole field does there, on
  `ZONE_BIN_M` bins of a common reference lap: *braking* where most samples have the brake on; *corners* within
  `CORNER_HALF_WIDTH_M` of each apex (the field's slowest point within `APEX_SEARCH_M` of FastF1's corner marker),
  classified by the field's median apex speed — low below `LOW_SPEED_MAX_KPH`, high from `HIGH_SPEED_MIN_KPH`,
  medium in between; *straights*: full-throttle stretches (throttle ≥ `FULL_THROTTLE_PCT` for most samples) of at
  least `MIN_STRAIGHT_M`; the rest (part-throttle exits, short bursts) is `other`. Each lap's time in each zone
  comes from its lap clock interpolated at the zone boundaries. Time is the measure because it adds up: a car
  that brakes later and harder spends less time in the braking zone, one with more grip less in the corner.
- **timing** (every other session): sector 1/2/3 times and the speed trap of the same laps.

Scoring, the same for both: a team's time per zone (or sector) is the mean over its laps; an area's relative value is
the sum of the best team's zone times over the team's own, in percent (speed trap: its speed over the best). The
area score maps the teams' relative values min-max onto 0–100 (best team 100, slowest 0), so scores compare teams
within one race, not across races. The overall index is the same over every timed zone of the lap (i.e. best-lap
pace, decomposed by the areas); `lap_share` says how much of the lap each area covers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")  # headless: figures become PNG metadata

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from transforms.warehouse import Warehouse, read_frame

# Where a car's pace shows best: one-lap sessions first, the race (fuel, tyre saving, traffic) last.
SESSION_PREFERENCE = ("Q", "SQ", "FP3", "FP2", "FP1", "R")
RACE = "R"
RACE_LAPS_PER_DRIVER = 3
APEX_SEARCH_M = 100.0  # FastF1's corner markers sit up to ~100 m from the slowest point of the corner
CORNER_HALF_WIDTH_M = 60.0  # a corner zone: the apex ± this (less where the braking zone reaches into it)
ZONE_BIN_M = 10.0
LOW_SPEED_MAX_KPH = 120.0  # hairpins, chicanes
HIGH_SPEED_MIN_KPH = 200.0  # sweepers taken with little or no braking
FULL_THROTTLE_PCT = 98.0
MIN_STRAIGHT_M = 300.0  # shorter full-throttle bursts (between two corners) say more about traction than top speed

TELEMETRY, TIMING = "telemetry", "timing"
TELEMETRY_AREAS = ("low_speed_corners", "medium_speed_corners", "high_speed_corners", "straights", "braking")
TIMING_AREAS = ("sector1", "sector2", "sector3", "top_speed")
OVERALL = "overall"
OTHER = "other"  # transitions (part-throttle exits, short bursts): timed for the overall index, not an area
SCORE_COLUMNS = ["race_id", "constructor_id", "team_name", "session_code", "score_source", "area", "score", "relative_to_best_pct",
                 "lap_share", "rank", "laps_used"]
LAP_KEY = ["driver_id", "lap_number"]


@dataclass(frozen=True)
class FeatureValues:
    """Lap-level measurements, one row per (lap, feature): constructor_id, driver_id, lap_number, area, feature,
    value. Values are seconds (lower is better, they add up along the lap) except in `speed_areas` (km/h, higher
    is better)."""

    rows: pd.DataFrame
    speed_areas: frozenset[str] = frozenset()


# --- warehouse reads ---------------------------------------------------------------------------------------------

def best_laps(warehouse: Warehouse, race_ids: Iterable[int]) -> pd.DataFrame:
    """Every session's representative laps of each race, with sector times and speed traps: each driver's fastest
    valid lap of a qualifying or practice session (timed, not deleted, no pit entry or exit), and the
    `RACE_LAPS_PER_DRIVER` fastest clean laps of the race (`marts.fct_laps.is_clean_lap`). `fuel_scale` is a lap's fuel-corrected over its measured time (1 outside the race)."""
    ids = sorted({int(r) for r in race_ids})
    if not ids:
        return pd.DataFrame()
    in_races = ", ".join(map(str, ids))
    one_lap_sessions = ", ".join(f"'{code}'" for code in SESSION_PREFERENCE if code != RACE)
    return read_frame(warehouse, f"""
        with session_laps as (
            select race_id, '{RACE}' as session_code, driver_id, driver_code, constructor_id, lap_number, lap_time_s,
                   sector1_time_s, sector2_time_s, sector3_time_s, speed_trap_st_kph,
                   coalesce(fuel_corrected_lap_time_s / lap_time_s, 1.0) as fuel_scale
            from marts.fct_laps
            where race_id in ({in_races}) and is_clean_lap and lap_time_s is not null
            union all
            select l.race_id, l.session_code, d.driver_id, l.driver_code, d.constructor_id, l.lap_number, l.lap_time_s,
                   l.sector1_time_s, l.sector2_time_s, l.sector3_time_s, l.speed_trap_st_kph, 1.0 as fuel_scale
            from staging.stg_fastf1__session_laps as l
            join intermediate.int_fastf1_drivers as d using (race_id, session_code, driver_number)
            where l.race_id in ({in_races}) and l.session_code in ({one_lap_sessions}) and l.lap_time_s is not null
              and not coalesce(l.is_deleted, false) and not coalesce(l.is_fastf1_generated, false)
              and l.pit_in_session_time_s is null and l.pit_out_session_time_s is null
        )
        select s.*, c.constructor_name as team_name
        from session_laps as s
        join marts.dim_constructors as c using (constructor_id)
        qualify row_number() over (partition by s.race_id, s.session_code, s.driver_id
                                   order by s.lap_time_s, s.lap_number)
                <= case when s.session_code = '{RACE}' then {RACE_LAPS_PER_DRIVER} else 1 end
        order by s.race_id, s.session_code, s.driver_id, s.lap_number
    """)


def scored_session(laps: pd.DataFrame) -> str:
    """The session a race weekend is scored on (`laps`: its `best_laps`): the first of `SESSION_PREFERENCE` that timed
    every team seen on the weekend, else the one that timed the most teams (then by preference)."""
    teams = laps.groupby("session_code")["constructor_id"].nunique()
    ranked = sorted(teams.index, key=lambda code: (-teams[code], SESSION_PREFERENCE.index(str(code))))
    every_team = laps["constructor_id"].nunique()
    return next((str(code) for code in SESSION_PREFERENCE if teams.get(code, 0) == every_team), str(ranked[0]))


def telemetry_sessions(warehouse: Warehouse) -> set[tuple[int, str]]:
    """(race_id, session_code) of the sessions with car telemetry on a circuit whose corners are known."""
    frame = read_frame(warehouse, """
        select distinct t.race_id, t.session_code from staging.stg_fastf1__car_telemetry as t
        semi join staging.stg_fastf1__circuit_corners as c using (race_id)
    """)
    return {(int(r), str(s)) for r, s in frame.itertuples(index=False)}


def telemetry_samples(warehouse: Warehouse, laps: pd.DataFrame) -> pd.DataFrame:
    """Telemetry of the given laps of one session (`laps`: race_id, session_code, driver_id, driver_code,
    constructor_id, lap_number), ordered by lap and time."""
    race_id, session_code = int(laps["race_id"].iloc[0]), str(laps["session_code"].iloc[0])
    wanted = ", ".join(f"('{code}', {int(lap)})" for code, lap in laps[["driver_code", "lap_number"]].to_numpy())
    samples = read_frame(warehouse, f"""
        select t.driver_code, t.lap_number, t.lap_elapsed_ms, t.lap_distance_m, t.speed_kph, t.throttle_pct,
               t.is_braking
        from staging.stg_fastf1__car_telemetry as t
        semi join (values {wanted}) as wanted(driver_code, lap_number) using (driver_code, lap_number)
        where t.race_id = ? and t.session_code = ?
    """, [race_id, session_code])
    chosen = laps[["constructor_id", "driver_id", "driver_code", "lap_number"]]
    joined = chosen.merge(samples, on=["driver_code", "lap_number"]).drop(columns="driver_code")
    return joined.sort_values(["driver_id", "lap_number", "lap_elapsed_ms"], kind="stable").reset_index(drop=True)


def corner_distances_m(warehouse: Warehouse, race_id: int) -> np.ndarray:
    """The circuit's corner markers (the same in every session of the weekend: take the first session's)."""
    frame = read_frame(warehouse, """
        select distance_from_line_m from staging.stg_fastf1__circuit_corners
        where race_id = ?
        qualify session_code = min(session_code) over ()
        order by distance_from_line_m
    """, [race_id])
    return frame["distance_from_line_m"].to_numpy(dtype=float)


# --- telemetry features ------------------------------------------------------------------------------------------

def _track_position_m(samples: pd.DataFrame) -> np.ndarray:
    """Distance along a common reference lap: each lap's distance rescaled to the field's median lap length (lap
    lengths differ by up to ~2 % with the racing line, which would shift every zone boundary)."""
    lap_length_m = samples.groupby(LAP_KEY)["lap_distance_m"].transform("max")
    return (samples["lap_distance_m"] / lap_length_m * lap_length_m.median()).to_numpy(dtype=float)


def _run_lengths(flag: np.ndarray) -> np.ndarray:
    """For each element, the length of the run of equal values it belongs to."""
    starts = np.flatnonzero(np.r_[True, flag[1:] != flag[:-1]])
    lengths = np.diff(np.r_[starts, len(flag)])
    return np.repeat(lengths, lengths)


def lap_zones(samples: pd.DataFrame, corners_m: np.ndarray) -> pd.DataFrame:
    """The reference lap cut into `ZONE_BIN_M` bins, each labelled by what the field does there; one row per zone
    (a run of bins with the same label and nearest turn): area, feature, start_m, end_m."""
    position_m = _track_position_m(samples)
    bins = pd.DataFrame({"bin": (position_m // ZONE_BIN_M).astype(int),
                         "braking": samples["is_braking"].fillna(False).to_numpy(dtype=float),
                         "full_throttle": (samples["throttle_pct"] >= FULL_THROTTLE_PCT).to_numpy(dtype=float),
                         "speed_kph": samples["speed_kph"].to_numpy(dtype=float)})
    field = bins.groupby("bin").agg(braking=("braking", "mean"), full_throttle=("full_throttle", "mean"),
                                    speed_kph=("speed_kph", "median"))
    field = field.reindex(range(int(field.index.max()) + 1)).interpolate().bfill()
    centre_m = (field.index.to_numpy() + 0.5) * ZONE_BIN_M
    speed = field["speed_kph"].to_numpy()
    # The apex of each corner: the field's slowest bin within APEX_SEARCH_M of the corner marker.
    near_marker = np.abs(centre_m[None, :] - corners_m[:, None]) <= APEX_SEARCH_M
    apex_bin = np.where(near_marker, speed[None, :], np.inf).argmin(axis=1)
    apex_kph = speed[apex_bin]
    corner_class = np.select([apex_kph < LOW_SPEED_MAX_KPH, apex_kph >= HIGH_SPEED_MIN_KPH],
                             ["low_speed_corners", "high_speed_corners"], "medium_speed_corners")
    nearest_apex = np.abs(centre_m[:, None] - centre_m[apex_bin][None, :]).argmin(axis=1)
    in_corner = np.abs(centre_m - centre_m[apex_bin][nearest_apex]) <= CORNER_HALF_WIDTH_M
    full = field["full_throttle"].to_numpy() >= 0.5
    on_straight = full & (_run_lengths(full) * ZONE_BIN_M >= MIN_STRAIGHT_M)
    braking = field["braking"].to_numpy() >= 0.5
    # Braking first (it ends inside the corner window), then corners (flat-out kinks are high-speed corners).
    area = np.select([braking, in_corner, on_straight],
                     ["braking", corner_class[nearest_apex], "straights"], OTHER)
    label = np.char.add(area.astype(str), np.char.add("_t", (nearest_apex + 1).astype(str)))
    start = np.flatnonzero(np.r_[True, label[1:] != label[:-1]])
    return pd.DataFrame({"area": area[start], "start_m": start * ZONE_BIN_M,
                         "end_m": np.r_[start[1:], len(label)] * ZONE_BIN_M,
                         # zone number + what + the nearest turn, e.g. 007_braking_t3
                         "feature": [f"{i:03d}_{name}" for i, name in enumerate(label[start])]})


def zone_times(samples: pd.DataFrame, zones: pd.DataFrame) -> pd.DataFrame:
    """Seconds each lap spends in each zone, from the lap clock interpolated at the zone boundaries."""
    laps = samples[["constructor_id", *LAP_KEY]].drop_duplicates().reset_index(drop=True)
    lap_index = samples.groupby(LAP_KEY, sort=False).ngroup().to_numpy()
    # One interpolation for all laps: lap i lives at x = i * offset + position (increasing within and across laps).
    offset_m = 2 * float(zones["end_m"].max()) + 1
    x = lap_index * offset_m + _track_position_m(samples)
    edges_m = np.r_[zones["start_m"].to_numpy(), zones["end_m"].iloc[-1]]
    lap_end_m = pd.Series(_track_position_m(samples)).groupby(lap_index).max().to_numpy()
    edges = np.minimum(edges_m[None, :], lap_end_m[:, None])  # the last zone ends where the lap's samples end
    clock_s = np.interp((np.arange(len(laps))[:, None] * offset_m + edges).ravel(), x,
                        samples["lap_elapsed_ms"].to_numpy(dtype=float) / 1000).reshape(edges.shape)
    seconds = pd.DataFrame(np.diff(clock_s, axis=1), columns=zones["feature"])
    long = pd.concat([laps, seconds], axis=1).melt(id_vars=["constructor_id", *LAP_KEY], var_name="feature",
                                                   value_name="value")
    return long.merge(zones[["feature", "area"]], on="feature")


def telemetry_features(samples: pd.DataFrame, corners_m: np.ndarray) -> FeatureValues:
    samples = samples.reset_index(drop=True)
    return FeatureValues(rows=zone_times(samples, lap_zones(samples, corners_m)))


def timing_features(laps: pd.DataFrame) -> FeatureValues:
    """Sector times and the speed trap of the representative laps of one session."""
    columns = {f"sector{i}_time_s": f"sector{i}" for i in (1, 2, 3)} | {"speed_trap_st_kph": "top_speed"}
    rows = laps.melt(id_vars=["constructor_id", *LAP_KEY], value_vars=list(columns), var_name="column",
                     value_name="value").dropna(subset=["value"])
    rows["area"] = rows["feature"] = rows.pop("column").map(columns)
    return FeatureValues(rows=rows, speed_areas=frozenset({"top_speed"}))


# --- scoring -----------------------------------------------------------------------------------------------------

def _min_max_0_100(values: pd.Series) -> pd.Series:
    span = values.max() - values.min()
    if span <= 0:
        return pd.Series(100.0, index=values.index)
    return (100.0 * (values - values.min()) / span).clip(0.0, 100.0)  # clip: float rounding just past 100


def score_features(features: FeatureValues) -> pd.DataFrame:
    """One row per team and area, plus `overall`: relative_to_best_pct (the team's time over the area's zones against
    the best team's per zone; for speeds, its speed against the best), score (min-max 0–100), lap_share (the share of
    the field's best time spent in the area), rank and laps_used. `overall` covers every timed zone of the lap."""
    team = features.rows.groupby(["constructor_id", "area", "feature"], as_index=False)["value"].mean()
    is_speed = team["area"].isin(features.speed_areas)
    team["best"] = np.where(is_speed, team.groupby("feature")["value"].transform("max"),
                            team.groupby("feature")["value"].transform("min"))
    times = team[~is_speed].assign(area=team["area"])
    overall = times.assign(area=OVERALL)
    summed = pd.concat([times, overall]).groupby(["area", "constructor_id"], as_index=False)[["value", "best"]].sum()
    summed["relative_to_best_pct"] = 100.0 * summed["best"] / summed["value"]
    lap_s = summed[summed["area"] == OVERALL].groupby("constructor_id")["best"].first().iloc[0]
    summed["lap_share"] = summed["best"] / lap_s
    speeds = team[is_speed].assign(relative_to_best_pct=100.0 * team["value"] / team["best"])
    speeds = speeds.groupby(["area", "constructor_id"], as_index=False)["relative_to_best_pct"].mean()
    scored = pd.concat([summed.drop(columns=["value", "best"]), speeds.assign(lap_share=0.0)], ignore_index=True)
    scored = scored[scored["area"] != OTHER]
    scored["score"] = scored.groupby("area")["relative_to_best_pct"].transform(_min_max_0_100)
    scored["rank"] = scored.groupby("area")["score"].rank(ascending=False, method="min").astype(int)
    laps = features.rows.drop_duplicates(["constructor_id", *LAP_KEY]).groupby("constructor_id").size()
    return scored.join(laps.rename("laps_used"), on="constructor_id")


def _fuel_corrected(features: FeatureValues, laps: pd.DataFrame) -> FeatureValues:
    """Times scaled by each lap's `fuel_scale` (speeds left as measured)."""
    rows = features.rows.merge(laps[[*LAP_KEY, "fuel_scale"]], on=LAP_KEY)
    rows["value"] = rows["value"].where(rows["area"].isin(features.speed_areas), rows["value"] * rows.pop("fuel_scale"))
    return FeatureValues(rows=rows, speed_areas=features.speed_areas)


def session_scores(warehouse: Warehouse, laps: pd.DataFrame, with_telemetry: bool) -> pd.DataFrame:
    """Scores of every team from one session's representative laps (`best_laps` rows of one race and session)."""
    if with_telemetry:
        race_id = int(laps["race_id"].iloc[0])
        features, source = telemetry_features(telemetry_samples(warehouse, laps),
                                              corner_distances_m(warehouse, race_id)), TELEMETRY
    else:
        features, source = timing_features(laps), TIMING
    teams = laps.drop_duplicates("constructor_id")[["constructor_id", "team_name"]]
    return score_features(_fuel_corrected(features, laps)).merge(teams, on="constructor_id").assign(
        race_id=int(laps["race_id"].iloc[0]), session_code=str(laps["session_code"].iloc[0]), score_source=source)


def race_scores(warehouse: Warehouse, race_ids: Iterable[int]) -> pd.DataFrame:
    """Scores of every team in each race weekend with timed laps, from its `scored_session`: telemetry-based where
    that session has telemetry."""
    laps = best_laps(warehouse, race_ids)
    if laps.empty:
        return pd.DataFrame(columns=SCORE_COLUMNS)
    with_telemetry = telemetry_sessions(warehouse)
    frames = []
    for race_id, weekend in laps.groupby("race_id"):
        session_code = scored_session(weekend)
        session = weekend[weekend["session_code"] == session_code]
        frames.append(session_scores(warehouse, session, (int(str(race_id)), session_code) in with_telemetry))
    return pd.concat(frames, ignore_index=True)[SCORE_COLUMNS]


# --- plot --------------------------------------------------------------------------------------------------------

def radar_figure(scores: pd.DataFrame, title: str) -> Figure:
    """Small multiples: one radar per team (areas around the circle, 0–100), ordered by the overall index."""
    areas = [a for a in (*TELEMETRY_AREAS, *TIMING_AREAS) if a in set(scores["area"])]
    overall = scores[scores["area"] == OVERALL].sort_values("score", ascending=False)
    wide = scores.pivot_table(index="team_name", columns="area", values="score")
    angles = np.linspace(0, 2 * np.pi, len(areas), endpoint=False)
    columns = 5
    rows = int(np.ceil(len(overall) / columns))
    fig = Figure(figsize=(3.2 * columns, 3.4 * rows + 0.6))
    for i, (team, index) in enumerate(zip(overall["team_name"], overall["score"], strict=True)):
        ax = fig.add_subplot(rows, columns, i + 1, projection="polar")
        values = wide.loc[team, areas].to_numpy(dtype=float)
        ax.fill(np.r_[angles, angles[0]], np.r_[values, values[0]], alpha=0.3)
        ax.plot(np.r_[angles, angles[0]], np.r_[values, values[0]], linewidth=1.2)
        ax.set_ylim(0, 100)
        ax.set_yticks([50, 100], ["", ""])
        ax.set_xticks(angles, [a.replace("_corners", "").replace("_", " ") for a in areas], fontsize=7)
        ax.set_title(f"{team}\noverall {index:.0f}", fontsize=9)
    fig.suptitle(title)
    fig.tight_layout()
    return fig
