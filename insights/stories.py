"""Track Pulse: deterministic story detection for one race from the marts.

Every detector returns Story records (kind, priority 1 = headline .. 5 = detail, lap, drivers involved, facts for the
narration templates). Facts are plain values: driver surnames, laps, seconds, positions."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from insights.data import RaceData

UNDERCUT_MAX_GAP_S = 3.0  # the cars were this close before the first of them pitted
UNDERCUT_MAX_LAPS_APART = 4  # and the other car pitted within this many laps
MAX_NOTABLE_OVERTAKES = 4
MAX_GAMBLES = 3
SWING_POINTS = 10  # a championship lead that moves by this much is a story even without a new leader
COLUMNS = ["story_rank", "kind", "priority", "lap_number", "driver_ids", "driver_codes", "facts_json"]


@dataclass(frozen=True)
class Story:
    kind: str
    priority: int
    lap: int
    driver_ids: tuple[int, ...]
    facts: dict[str, object] = field(default_factory=dict)


def detect_stories(race: RaceData) -> list[Story]:
    """Every story of the race, most important first (priority, then lap)."""
    if not race.has_laps:
        return []
    detectors: list[Callable[[RaceData], list[Story]]] = [
        _race_result, _lead_changes, _notable_overtakes, _undercuts, _fastest_lap, _strategy_gambles,
        _championship_swing, _neutralisations]
    stories = [s for detect in detectors for s in detect(race)]
    return sorted(stories, key=lambda s: (s.priority, s.lap, s.kind))


def stories_frame(race: RaceData, stories: list[Story]) -> pd.DataFrame:
    codes = race.drivers["driver_code"].to_dict() if "driver_code" in race.drivers else {}
    return pd.DataFrame({
        "story_rank": range(1, len(stories) + 1),
        "kind": [s.kind for s in stories],
        "priority": [s.priority for s in stories],
        "lap_number": [s.lap for s in stories],
        "driver_ids": [list(s.driver_ids) for s in stories],
        "driver_codes": [",".join(str(codes.get(d, d)) for d in s.driver_ids) for s in stories],
        "facts_json": [json.dumps(s.facts, ensure_ascii=False, sort_keys=True) for s in stories],
    }, columns=COLUMNS)


def _leaders(race: RaceData) -> dict[int, int]:
    """Driver in P1 at the end of each lap."""
    first = race.laps[race.laps["position"] == 1].drop_duplicates("lap_number").sort_values("lap_number")
    return dict(zip(first["lap_number"].astype(int).tolist(), first["driver_id"].astype(int).tolist(), strict=True))


def _by_lap_and_car(laps: pd.DataFrame, column: str) -> dict[tuple[int, int], float]:
    known = laps[laps[column].notna()]
    return dict(zip(zip(known["lap_number"].astype(int).tolist(), known["driver_id"].astype(int).tolist(),
                        strict=True), known[column].astype(float).tolist(), strict=True))


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


def _race_result(race: RaceData) -> list[Story]:
    res = race.results[race.results["is_classified"].astype(bool)].sort_values("position_order")
    if res.empty:
        return []
    winner = res.iloc[0]
    wid = int(winner["driver_id"])
    podium = [int(d) for d in res["driver_id"].head(3)]
    laps = race.laps
    # Margin at the flag from timing: the runner-up crossing the line on the winner's last lap.
    last = laps[laps["lap_number"] == laps.loc[laps["driver_id"] == wid, "lap_number"].max()]
    end = last.set_index("driver_id")["lap_end_session_time_s"]
    margin = float(end.get(podium[1], float("nan")) - end.get(wid, float("nan"))) if len(podium) > 1 else None
    facts = {"driver": race.name_of(wid), "team": _team(race, wid), "grid": int(winner["grid"]),
             "second": race.name_of(podium[1]) if len(podium) > 1 else "", "third":
             race.name_of(podium[2]) if len(podium) > 2 else "", "race": race.race_name,
             "margin_s": round(margin, 1) if margin is not None and margin == margin else None,
             "laps_led": sum(1 for d in _leaders(race).values() if d == wid)}
    return [Story("race_result", 1, int(laps["lap_number"].max()), tuple(podium), facts)]


def _lead_changes(race: RaceData) -> list[Story]:
    leaders = _leaders(race)
    pole = race.results.loc[race.results["grid"] == 1, "driver_id"].astype(int).tolist()
    previous = {lap: leaders.get(lap - 1) for lap in leaders}
    if pole and 1 in previous:
        previous[1] = pole[0]
    laps = race.laps
    pitting = laps[laps["is_in_lap"].astype(bool) | laps["is_out_lap"].astype(bool)]
    in_pits = pitting.groupby("lap_number")["driver_id"].agg(set)
    o = race.overtakes
    passes = set(zip(o["lap_number"].tolist(), o["overtaking_driver_id"].tolist(), o["overtaken_driver_id"].tolist(),
                     strict=True))
    stories = []
    for lap_i, new_i in leaders.items():
        old = previous[lap_i]
        if old is None or old == new_i:
            continue
        if lap_i == 1:
            how = "start"
        elif (lap_i, new_i, old) in passes:
            how = "on_track"
        elif old in in_pits.get(lap_i, set()):
            how = "pit_stop"
        else:
            how = "other"
        facts: dict[str, object] = {"driver": race.name_of(new_i), "other": race.name_of(old), "how": how}
        stories.append(Story("lead_change", 2 if how in ("start", "on_track") else 3, lap_i, (new_i, old), facts))
    return stories


def _notable_overtakes(race: RaceData) -> list[Story]:
    """On-track passes for the podium places (lead changes have their own story) or late in the points."""
    o = race.overtakes
    last_lap = int(race.laps["lap_number"].max())
    notable = o[(o["overtaking_position_after"] > 1) & ((o["overtaking_position_after"] <= 3)
                | ((o["overtaking_position_after"] <= 10) & (o["lap_number"] > last_lap - 5)))]
    notable = notable.sort_values(["overtaking_position_after", "lap_number"]).head(MAX_NOTABLE_OVERTAKES)
    stories = []
    for row in _records(notable):
        a, b, position = int(row["overtaking_driver_id"]), int(row["overtaken_driver_id"]), \
            int(row["overtaking_position_after"])
        facts = {"driver": race.name_of(a), "other": race.name_of(b), "position": position,
                 "compound": _compound(row["overtaking_compound"]),
                 "other_compound": _compound(row["overtaken_compound"]),
                 "tyre_age_delta_laps": _int(row["overtaken_tyre_life_laps"]) - _int(row["overtaking_tyre_life_laps"])}
        stories.append(Story("overtake", 3 if position <= 3 else 4, int(row["lap_number"]), (a, b), facts))
    return stories


def _undercuts(race: RaceData) -> list[Story]:
    """A car that pitted first from close behind and came out ahead once the car in front had pitted too."""
    laps = race.laps
    pos = _by_lap_and_car(laps, "position")
    end = _by_lap_and_car(laps, "lap_end_session_time_s")
    stops = race.pit_stops[race.pit_stops["track_status_at_stop"] == "green"][["driver_id", "lap"]]
    pairs = stops.merge(stops, how="cross", suffixes=("", "_rival"))
    pairs = pairs[(pairs["driver_id"] != pairs["driver_id_rival"]) & (pairs["lap_rival"] > pairs["lap"])
                  & (pairs["lap_rival"] - pairs["lap"] <= UNDERCUT_MAX_LAPS_APART)]
    stories = []
    for row in _records(pairs):
        me, rival, lap, rival_lap = int(row["driver_id"]), int(row["driver_id_rival"]), int(row["lap"]), \
            int(row["lap_rival"])
        before, after = lap - 1, rival_lap + 1  # end of the lap before my in-lap; end of the rival's out-lap
        keys = [(before, me), (before, rival), (after, me), (after, rival)]
        if not all(k in pos and k in end for k in keys):
            continue
        gap_before = end[(before, me)] - end[(before, rival)]
        if (pos[(before, me)] == pos[(before, rival)] + 1 and 0 < gap_before <= UNDERCUT_MAX_GAP_S
                and pos[(after, me)] < pos[(after, rival)]):
            position = int(pos[(after, me)])
            facts = {"driver": race.name_of(me), "other": race.name_of(rival), "stop_lap": lap,
                     "rival_stop_lap": rival_lap, "gap_before_s": round(gap_before, 1),
                     "gap_after_s": round(end[(after, rival)] - end[(after, me)], 1), "position": position}
            stories.append(Story("undercut", 2 if position <= 3 else 3, rival_lap, (me, rival), facts))
    return stories


def _fastest_lap(race: RaceData) -> list[Story]:
    timed = race.laps[race.laps["lap_time_s"].notna() & ~race.laps["is_deleted"].astype(bool)]
    if timed.empty:
        return []
    best = _records(timed.nsmallest(1, "lap_time_s"))[0]
    d = int(best["driver_id"])
    facts = {"driver": race.name_of(d), "lap_time": _clock(float(best["lap_time_s"])),
             "compound": _compound(best["compound"]), "tyre_life_laps": _int(best["tyre_life_laps"])}
    return [Story("fastest_lap", 4, int(best["lap_number"]), (d,), facts)]


def _strategy_gambles(race: RaceData) -> list[Story]:
    """Classified cars in the points on a different number of stops than most finishers."""
    stop_counts = race.pit_stops[race.pit_stops["track_status_at_stop"] != "red"].groupby("driver_id").size()
    res = race.results[race.results["is_classified"].astype(bool)].copy()
    if res.empty:
        return []
    res["stops"] = res["driver_id"].map(stop_counts).fillna(0).astype(int)
    usual = int(res["stops"].mode().min())
    odd = res[(res["stops"] != usual) & (res["position"] <= 10)].sort_values("position").head(MAX_GAMBLES)
    stories = []
    for row in _records(odd):
        d, grid, position, stops = int(row["driver_id"]), int(row["grid"]), int(row["position"]), int(row["stops"])
        gained = grid - position if grid > 0 else 0
        facts = {"driver": race.name_of(d), "stops": stops, "usual_stops": usual, "grid": grid,
                 "position": position, "gained": gained}
        lap: int = int(race.pit_stops.loc[race.pit_stops["driver_id"] == d, "lap"].max()) if stops else 1
        stories.append(Story("strategy_gamble", 3 if gained >= 3 or position <= 3 else 4, lap, (d,), facts))
    return stories


def _championship_swing(race: RaceData) -> list[Story]:
    s = race.standings
    if s.empty or not s["is_after_race"].any() or s["is_after_race"].all():
        return []
    after = s[s["is_after_race"]].sort_values("position")
    before = s[~s["is_after_race"]].sort_values("position")
    if len(after) < 2 or before.empty:
        return []
    leader, runner_up = int(after.iloc[0]["driver_id"]), int(after.iloc[1]["driver_id"])
    margin_after = float(after.iloc[0]["points"] - after.iloc[1]["points"])
    old_leader = int(before.iloc[0]["driver_id"])
    old_margin = float(before.iloc[0]["points"] - before.iloc[1]["points"]) if len(before) > 1 else margin_after
    lap = int(race.laps["lap_number"].max())
    facts = {"driver": race.name_of(leader), "other": race.name_of(runner_up), "margin_points": round(margin_after),
             "old_leader": race.name_of(old_leader), "change_points": round(margin_after - old_margin)}
    if leader != old_leader:
        return [Story("championship_lead", 1, lap, (leader, old_leader), facts)]
    if abs(margin_after - old_margin) >= SWING_POINTS:
        kind = "championship_extend" if margin_after > old_margin else "championship_close"
        return [Story(kind, 3, lap, (leader, runner_up), facts)]
    return []


def _neutralisations(race: RaceData) -> list[Story]:
    """SC / VSC / red-flag periods, with who caused them and whether they turned the race."""
    stories = []
    leaders = _leaders(race)
    laps = race.laps
    pos = laps.pivot_table(index="lap_number", columns="driver_id", values="position")
    last_lap = max(leaders)
    periods = race.safety_cars
    red_ends = periods.loc[periods["kind"] == "RED", "end_lap"].astype(int).tolist()
    for p in _records(periods.sort_values(["start_lap", "kind"])):
        start, end, kind = int(p["start_lap"]), int(p["end_lap"]), str(p["kind"])
        if kind != "RED" and any(0 <= start - e <= 1 for e in red_ends):
            continue  # the restart behind the safety car belongs to the red flag's story
        involved = _named_in(race, p["cause"]) or _retired_around(race, start)
        pitted = laps[laps["is_in_lap"].astype(bool) & laps["lap_number"].between(start, end)]["driver_id"].nunique()
        before, after = leaders.get(start - 1), leaders.get(min(end + 2, last_lap))
        new_leader = after if before is not None and after is not None and before != after else None
        # Places gained from the lap before the period to three laps after it (pit stops under it settled).
        settled = min(end + 3, last_lap)
        change = (pos.loc[start - 1] - pos.loc[settled]).dropna() if start - 1 in pos.index and settled in pos.index \
            else pd.Series(dtype=float)
        gains = dict(zip(change.index.to_numpy().astype(int).tolist(), change.to_numpy(dtype=float).tolist(),
                         strict=True))
        gainer = max(gains, key=lambda d: gains[d]) if gains and max(gains.values()) >= 3 else None
        facts = {"kind": kind, "start_lap": start, "end_lap": end, "laps": end - start + 1,
                 "involved": _names(race, involved), "pitted": pitted,
                 "turning_point": new_leader is not None or gainer is not None,
                 "new_leader": race.name_of(new_leader) if new_leader is not None else "",
                 "gainer": race.name_of(gainer) if gainer is not None else "",
                 "gained": int(gains[gainer]) if gainer is not None else 0}
        base = {"RED": 2, "SC": 3, "VSC": 4}[kind]
        stories.append(Story(f"{kind.lower()}_period", base - 1 if facts["turning_point"] else base, start,
                             tuple(involved), facts))
    return stories


def _named_in(race: RaceData, cause: object) -> list[int]:
    if not isinstance(cause, str) or race.drivers.empty:
        return []
    text = _fold(cause)
    found = [(text.find(_fold(str(name))), int(str(d))) for d, name in race.drivers["surname"].items()
             if re.search(rf"\b{re.escape(_fold(str(name)))}\b", text)]
    return [d for _, d in sorted(found)]


def _retired_around(race: RaceData, lap: int) -> list[int]:
    """Cars that stopped for good on the lap a neutralisation started (or the two laps before)."""
    last = race.laps.groupby("driver_id")["lap_number"].max()
    out = race.results[~race.results["is_classified"].astype(bool)]["driver_id"]
    return [int(d) for d in out if lap - 2 <= last.get(d, 0) <= lap]


def _names(race: RaceData, ids: list[int]) -> list[str]:
    return [race.name_of(d) for d in ids]


def _team(race: RaceData, driver_id: int) -> str:
    return str(race.drivers.at[driver_id, "constructor_name"]) if driver_id in race.drivers.index else ""


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def _compound(value: object) -> str:
    return str(value) if isinstance(value, str) else "UNKNOWN"


def _int(value: object) -> int:
    return int(value) if value is not None and value == value else 0  # type: ignore[call-overload]


def _clock(seconds: float) -> str:
    return f"{int(seconds // 60)}:{seconds % 60:06.3f}"
