"""Template narration of race stories: every story in every language, tone and length.

Templates and phrases are data (insights/locales/<language>.py); this module only turns a story's facts into the
placeholders those templates use (localised numbers, lists and phrases) and fills them in."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from insights.locales import en, es, it

LOCALES: dict[str, dict[str, Any]] = {"en": en.LOCALE, "es": es.LOCALE, "it": it.LOCALE}
TONES = ("neutral", "casual", "technical")
LENGTHS = ("short", "medium", "long")
# Story kind -> template group (kinds that differ only in a phrase share their templates).
GROUPS = {"championship_lead": "championship", "championship_extend": "championship",
          "championship_close": "championship", "red_period": "neutralisation", "sc_period": "neutralisation",
          "vsc_period": "neutralisation"}
TEMPLATE_NARRATOR = "template"


class Placeholders(dict[str, Any]):
    """A story's placeholder values; `{count|noun}` is the noun in the form `count` asks for in the language
    ("1 lap", "2 laps"; CLDR plural rules through babel), nouns from the locale's "nouns"."""

    def __init__(self, values: dict[str, Any], counts: dict[str, float], language: str) -> None:
        super().__init__(values)
        self._counts, self._language = counts, language

    def __missing__(self, key: str) -> str:
        from babel import Locale

        count, bar, noun = key.partition("|")
        if not bar or count not in self._counts:
            raise KeyError(key)
        forms: dict[str, str] = LOCALES[self._language]["nouns"][noun]
        category = Locale.parse(LOCALES[self._language]["cldr"]).plural_form(abs(self._counts[count]))
        return forms.get(category, forms["other"])


def render(kind: str, facts: dict[str, Any], lap: int, language: str, tone: str, length: str) -> str:
    """One story's text; `medium` templates may use {short}, `long` ones {medium}."""
    locale = LOCALES[language]
    values = _placeholders(kind, facts, lap, language)
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


def _signed(value: float, language: str) -> str:
    from babel.numbers import format_decimal

    return format_decimal(value, format="+#,##0.#;-#,##0.#", locale=LOCALES[language]["cldr"]) if value else "0"


def _placeholders(kind: str, facts: dict[str, Any], lap: int, language: str) -> Placeholders:
    locale = LOCALES[language]
    phrases = locale["phrases"]
    counts = {k: abs(v) for k, v in facts.items() if isinstance(v, int | float) and not isinstance(v, bool)}
    values = Placeholders({k: _localise(v, language) for k, v in facts.items()}, counts, language)
    values["lap"] = lap
    if "race" in facts:
        values["race"] = locale["races"].get(facts["race"], facts["race"])
    for key in ("gained", "change_points"):  # signed: said as a gain or a loss, never "a gain of -2"
        if key in facts:
            sign = "up" if facts[key] > 0 else "down" if facts[key] < 0 else "none"
            values[f"{key}_signed"] = _signed(facts[key], language)
            values[f"{key}_abs"] = _localise(abs(facts[key]), language)
            values[f"{key}_text"] = phrases[key][sign].format_map(values)
    for key in ("compound", "other_compound"):
        if key in facts:
            values[key] = phrases["compound"].get(facts[key], facts[key])
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


def _localise(value: Any, language: str) -> Any:
    """Decimals in the language's format, lists of names joined as the language does."""
    from babel.lists import format_list
    from babel.numbers import format_decimal

    if isinstance(value, float):
        return format_decimal(value, format="#,##0.0", locale=LOCALES[language]["cldr"])
    if isinstance(value, list):
        return format_list([str(v) for v in value], locale=LOCALES[language]["cldr"])
    return value
