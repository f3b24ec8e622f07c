"""Template narration of race stories: every story in every language, tone and length.

Templates and phrases are data (ml/insights/locales/<language>.py); this module only turns a story's facts into the
placeholders those templates use (localised numbers, lists and phrases) and fills them in."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from ml.insights.locales import en, es

LOCALES: dict[str, dict[str, Any]] = {"en": en.LOCALE, "es": es.LOCALE}
TONES = ("neutral", "casual", "technical")
LENGTHS = ("short", "medium", "long")
# Story kind -> template group (kinds that differ only in a phrase share their templates).
GROUPS = {"championship_lead": "championship", "championship_extend": "championship",
          "championship_close": "championship", "red_period": "neutralisation", "sc_period": "neutralisation",
          "vsc_period": "neutralisation"}
TEMPLATE_NARRATOR = "template"


def render(kind: str, facts: dict[str, Any], lap: int, language: str, tone: str, length: str) -> str:
    """One story's text; `medium` templates may use {short}, `long` ones {medium}."""
    locale = LOCALES[language]
    values = _placeholders(kind, facts, lap, locale)
    tone_templates = locale["templates"][GROUPS.get(kind, kind)][tone]
    for size in LENGTHS:
        values[size] = " ".join(tone_templates[size].format_map(values).split())  # empty phrases leave no gaps
        if size == length:
            break
    return str(values[length])


def narrate(stories: pd.DataFrame) -> pd.DataFrame:
    """stories (stories.stories_frame) x languages x tones x lengths, with the template text of each."""
    rows = []
    for story in stories.to_dict("records"):
        facts = json.loads(story["facts_json"])
        for language in LOCALES:
            for tone in TONES:
                for length in LENGTHS:
                    rows.append({"story_rank": story["story_rank"], "language": language, "tone": tone,
                                 "length": length, "text": render(story["kind"], facts, int(story["lap_number"]),
                                                                  language, tone, length)})
    variants = pd.DataFrame(rows, columns=["story_rank", "language", "tone", "length", "text"])
    return stories.merge(variants, on="story_rank").assign(narrator=TEMPLATE_NARRATOR)


def _placeholders(kind: str, facts: dict[str, Any], lap: int, locale: dict[str, Any]) -> dict[str, Any]:
    phrases = locale["phrases"]
    values: dict[str, Any] = {k: _localise(v, locale) for k, v in facts.items()}
    values["lap"] = lap
    for key in ("compound", "other_compound"):
        if key in facts:
            values[key] = phrases["compound"].get(facts[key], facts[key])
    if "change_points" in facts:
        values["change_abs_points"] = abs(int(facts["change_points"]))
    if "how" in facts:
        values["how_text"] = phrases["how"][facts["how"]]
    if kind == "race_result":
        values["margin_text"] = (phrases["margin"].format_map(values) if facts.get("margin_s") is not None
                                 else phrases["margin_none"])
    if kind in phrases["swing"]:
        values["swing_text"] = phrases["swing"][kind].format_map(values)
    if "involved" in facts:
        values["period_text"] = phrases["period"][facts["kind"]].capitalize()
        values["involved_names"] = values["involved"]
        values["involved_text"] = phrases["involved" if facts["involved"] else "involved_none"].format_map(values)
        turning = ("turning_leader" if facts.get("new_leader") else "turning_gainer" if facts.get("gainer")
                   else "turning_none")
        values["turning_text"] = phrases[turning].format_map(values)
    return values


def _localise(value: Any, locale: dict[str, Any]) -> Any:
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", locale["decimal"])
    if isinstance(value, list):
        names = [str(v) for v in value]
        return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} {locale['and']} {names[-1]}" if names \
            else ""
    return value
