from __future__ import annotations

import json

from insights.data import RaceData
from insights.narration import LENGTHS, LOCALES, TONES, narrate
from insights.stories import detect_stories, stories_frame


def test_monaco_2024_has_the_first_lap_red_flag(races: dict[str, RaceData]) -> None:
    race = races["2024-08"]
    stories = detect_stories(race)
    red = [s for s in stories if s.kind == "red_period"]
    assert len(red) == 1 and red[0].lap == 1
    assert red[0].facts["involved"] == ["Pérez", "Hülkenberg", "Magnussen"]
    assert stories[0].kind == "race_result" and stories[0].facts["driver"] == "Leclerc"

    narrated = narrate(stories_frame(race, stories))
    assert len(narrated) == len(stories) * len(LOCALES) * len(TONES) * len(LENGTHS)
    red_text = narrated[(narrated["kind"] == "red_period") & (narrated["tone"] == "neutral")
                        & (narrated["length"] == "medium")].set_index("language")["text"]
    assert red_text["en"] == "Red flag on lap 1 after an incident involving Pérez, Hülkenberg and Magnussen."
    assert red_text["es"] == "Bandera roja en la vuelta 1 tras un incidente con Pérez, Hülkenberg y Magnussen."
    assert (narrated["narrator"] == "template").all() and narrated["text"].str.len().gt(10).all()


def test_abu_dhabi_2021_last_lap_lead_change(races: dict[str, RaceData]) -> None:
    frame = stories_frame(races["2021-22"], detect_stories(races["2021-22"]))
    changes = frame[frame["kind"] == "lead_change"]
    last = changes[changes["lap_number"] == 58].iloc[0]
    assert last["driver_codes"] == "VER,HAM" and json.loads(last["facts_json"])["how"] == "on_track"
    start = changes[changes["lap_number"] == 1].iloc[0]
    assert start["driver_codes"] == "HAM,VER"  # Hamilton took the lead from pole-sitter Verstappen at the start


def test_next_race_has_no_stories(races: dict[str, RaceData]) -> None:
    assert detect_stories(races["2025-16"]) == []
