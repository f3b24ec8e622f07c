"""Compute an insight table for a batch of race partitions and publish each race (lake + marts.<table>).

Races without laps (the next race before it is run) are skipped: nothing to say yet."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from insights import llm
from insights.battle_forecast import backtest, battle_forecast
from insights.data import RaceData, load_predictions_overtakes, load_races
from insights.narration import narrate
from insights.stories import detect_stories, stories_frame
from insights.time_lost import time_lost
from transforms.derived import Publisher
from transforms.settings import Settings

TIME_LOST = "time_lost"
RACE_STORIES = "race_stories"
BATTLE_FORECAST = "battle_forecast"


@dataclass
class InsightRun:
    table: str
    rows: dict[str, int] = field(default_factory=dict)  # race key -> rows published
    skipped: list[str] = field(default_factory=list)  # race keys without laps (or without inputs)
    latest: tuple[RaceData, pd.DataFrame] | None = None  # the last published race and its rows, for plots
    frames: list[pd.DataFrame] = field(default_factory=list)  # every published frame (battle forecast backtest)


def _run(settings: Settings, table: str, keys: Sequence[str], compute: Callable[[RaceData], pd.DataFrame],
         races: dict[str, RaceData] | None = None, keep_frames: bool = False) -> InsightRun:
    run = InsightRun(table)
    races = races if races is not None else load_races(settings.warehouse, keys)
    with Publisher(settings) as publisher:
        for key in sorted(keys):
            race = races.get(key)
            frame = compute(race) if race is not None and race.has_laps else pd.DataFrame()
            if race is None or frame.empty:
                run.skipped.append(key)
                continue
            frame.insert(0, "race_id", race.race_id)
            frame.insert(1, "season", race.season)
            frame.insert(2, "round", race.round)
            run.rows[key] = publisher.publish(table, frame, race=key).rows
            run.latest = (race, frame)
            if keep_frames:
                run.frames.append(frame)
    return run


def run_time_lost(settings: Settings, keys: Sequence[str]) -> InsightRun:
    return _run(settings, TIME_LOST, keys, time_lost)


def run_race_stories(settings: Settings, keys: Sequence[str], narrator: llm.LlmNarrator | None) -> InsightRun:
    def compute(race: RaceData) -> pd.DataFrame:
        stories = stories_frame(race, detect_stories(race))
        return llm.apply(narrate(stories), race.race_name, narrator) if not stories.empty else stories

    return _run(settings, RACE_STORIES, keys, compute)


def run_battle_forecast(settings: Settings, keys: Sequence[str]) -> tuple[InsightRun, dict[str, float]]:
    """Forecast every race in `keys`; also the backtest over those races (hit rates of model and naive rules)."""
    races = load_races(settings.warehouse, keys)
    predictions = load_predictions_overtakes(settings.warehouse, [r.race_id for r in races.values()])
    by_race = dict(tuple(predictions.groupby("race_id")))

    def compute(race: RaceData) -> pd.DataFrame:
        return battle_forecast(race, by_race.get(race.race_id, predictions.iloc[0:0]))

    run = _run(settings, BATTLE_FORECAST, keys, compute, races=races, keep_frames=True)
    if not run.frames:
        return run, {}
    overtakes = pd.concat([r.overtakes.assign(race_id=r.race_id) for r in races.values()], ignore_index=True)
    return run, backtest(pd.concat(run.frames, ignore_index=True), overtakes)
