"""Stories read right in every language: plural nouns by the language's rules, gains and losses worded by sign,
numbers in the language's format, race names in the language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from insights.narration import LENGTHS, LOCALES, TONES, render
from transforms.warehouse import Warehouse, read_frame

GAMBLE = {"driver": "Bottas", "position": 2, "stops": 1, "usual_stops": 2, "grid": 3, "gained": 1}
CHAMPIONSHIP = {"driver": "Norris", "other": "Piastri", "old_leader": "Piastri", "margin_points": 1,
                "change_points": -3}
# a count followed by a noun in the wrong number, per language (the nouns templates count)
WRONG_NUMBER = {
    "en": r"(?<![\d.,])1 (laps|places|points|cars|stops)\b|(?<![\d.,])(0|[2-9]|\d\d+) (lap|place|point|car|stop)\b",
    "es": r"(?<![\d.,])1 (vueltas|posiciones|puntos|coches|paradas)\b"
          r"|(?<![\d.,])(0|[2-9]|\d\d+) (vuelta|posición|punto|coche|parada)\b",
    "it": r"(?<![\d.,])1 (giri|posizioni|punti|vetture|soste)\b"
          r"|(?<![\d.,])(0|[2-9]|\d\d+) (giro|posizione|punto|vettura|sosta)\b",
}


def _all_variants(kind: str, facts: dict[str, object]) -> list[tuple[str, str]]:
    return [(language, render(kind, facts, 12, language, tone, length))
            for language in LOCALES for tone in TONES for length in LENGTHS]


@pytest.mark.parametrize("gained", [-2, -1, 0, 1, 5])
@pytest.mark.parametrize("stops", [1, 2])
def test_counts_agree_with_their_nouns(gained: int, stops: int) -> None:
    for language, text in _all_variants("strategy_gamble", GAMBLE | {"gained": gained, "stops": stops}):
        assert "(s)" not in text and "of -" not in text and " -" + str(abs(gained)) + " posiciones" not in text
        assert not re.search(WRONG_NUMBER[language], text), (language, text)


def test_gains_and_losses_are_worded() -> None:
    en = render("strategy_gamble", GAMBLE | {"gained": -2}, 12, "en", "neutral", "long")
    es = render("strategy_gamble", GAMBLE | {"gained": 1}, 12, "es", "neutral", "long")
    assert en.endswith("Started P3, a loss of 2 places.") and es.endswith("Salió P3: 1 posición ganada.")
    assert render("strategy_gamble", GAMBLE | {"gained": 0}, 12, "en", "technical", "long").endswith(
        "Net positions: 0.")
    shrank = render("championship_lead", CHAMPIONSHIP, 12, "en", "neutral", "long")
    assert "1 point ahead of Piastri" in shrank and "The margin shrank by 3 points" in shrank


def test_numbers_and_race_names_in_the_language() -> None:
    facts = {"driver": "Piastri", "team": "McLaren", "second": "Norris", "third": "Leclerc", "race":
             "Dutch Grand Prix", "margin_s": 1.25, "grid": 1, "laps_led": 1}
    es = render("race_result", facts, 72, "es", "neutral", "long")
    assert "Gran Premio de los Países Bajos" in es and "1,2 s" in es and "1 vuelta." in es
    en = render("race_result", facts, 72, "en", "neutral", "long")
    assert "Dutch Grand Prix" in en and "1.2 s" in en and "led 1 lap." in en
    it = render("race_result", facts | {"laps_led": 2}, 72, "it", "neutral", "long")
    assert "vince il Gran Premio d'Olanda" in it and "1,2 s" in it and "per 2 giri." in it


def test_built_stories_read_right(built_home: Path) -> None:
    stories = read_frame(Warehouse.at(built_home), "select language, text from marts.race_stories")
    assert set(stories["language"]) == set(LOCALES)
    for language, texts in stories.groupby("language")["text"]:
        wrong = [t for t in texts if "(s)" in t or "of -" in t or re.search(WRONG_NUMBER[str(language)], t)]
        assert not wrong, wrong[:5]
    assert not stories[stories["language"] != "en"]["text"].str.contains("Grand Prix").any()


def test_every_language_has_every_template_and_noun_it_uses() -> None:
    def shape(locale: dict[str, dict[str, dict[str, dict[str, str]]]]) -> set[tuple[str, str, str]]:
        return {(group, tone, length) for group, tones in locale["templates"].items()
                for tone, lengths in tones.items() for length in lengths}

    assert shape(LOCALES["en"]) == shape(LOCALES["es"]) == shape(LOCALES["it"])
    for language, locale in LOCALES.items():
        used = set(re.findall(r"\{\w+\|(\w+)\}", repr(locale)))
        assert used <= locale["nouns"].keys(), (language, used - locale["nouns"].keys())
        assert all({"one", "other"} <= forms.keys() for forms in locale["nouns"].values())
