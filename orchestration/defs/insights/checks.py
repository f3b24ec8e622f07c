"""Asset checks of the insight tables, over every published race."""

from dagster import AssetCheckResult, AssetChecksDefinition, AssetKey, asset_check

from insights.narration import LENGTHS, LOCALES, TONES
from insights.runner import BATTLE_FORECAST, RACE_STORIES, TIME_LOST
from insights.time_lost import CATEGORIES
from orchestration.defs.resources import UndercutResource
from transforms.warehouse import read_frame


@asset_check(asset=AssetKey(["marts", TIME_LOST]), name="time_lost_valid")
def time_lost_valid(undercut: UndercutResource) -> AssetCheckResult:
    """Positive seconds in known categories; each driver's total is the sum of its items."""
    row = read_frame(undercut.settings.warehouse, f"""
        select count(*) as n_rows,
               count(*) filter (where seconds_lost <= 0 or category not in (select unnest(?))) as bad_items,
               (select count(*) from (select race_key, driver_id from marts.{TIME_LOST} group by all
                having abs(sum(seconds_lost) - max(driver_total_s)) > 0.01 * count(*))) as bad_totals
        from marts.{TIME_LOST}""", [list(CATEGORIES)]).iloc[0]
    return AssetCheckResult(passed=bool(row["n_rows"] > 0 and row["bad_items"] == 0 and row["bad_totals"] == 0),
                            metadata={str(k): int(v) for k, v in row.items()})


@asset_check(asset=AssetKey(["marts", RACE_STORIES]), name="every_story_narrated")
def every_story_narrated(undercut: UndercutResource) -> AssetCheckResult:
    """Every story has a non-empty text in every language, tone and length; every race has its result story."""
    variants = len(LOCALES) * len(TONES) * len(LENGTHS)
    row = read_frame(undercut.settings.warehouse, f"""
        select count(distinct race_key) as races,
               (select count(*) from (select race_key, story_rank from marts.{RACE_STORIES} group by all
                having count(*) filter (where length(trim(text)) > 0) <> {variants})) as incomplete_stories,
               count(distinct race_key) - count(distinct race_key) filter (where kind = 'race_result')
                   as races_without_result
        from marts.{RACE_STORIES}""").iloc[0]
    return AssetCheckResult(passed=bool(row["races"] > 0 and row["incomplete_stories"] == 0
                                        and row["races_without_result"] == 0),
                            metadata={str(k): int(v) for k, v in row.items()})


@asset_check(asset=AssetKey(["marts", BATTLE_FORECAST]), name="forecast_in_range")
def forecast_in_range(undercut: UndercutResource) -> AssetCheckResult:
    """Gaps within 1.5 s, probabilities and confidence in [0, 1], intensity 1-10."""
    row = read_frame(undercut.settings.warehouse, f"""
        select count(*) as n_rows,
               count(*) filter (where gap_s > 1.5 or p_overtake not between 0 and 1
                                or p_overtake_5_laps not between 0 and 1 or confidence not between 0 and 1
                                or intensity not between 1 and 10) as out_of_range
        from marts.{BATTLE_FORECAST}""").iloc[0]
    return AssetCheckResult(passed=bool(row["n_rows"] > 0 and row["out_of_range"] == 0),
                            metadata={str(k): int(v) for k, v in row.items()})


insight_checks: list[AssetChecksDefinition] = [time_lost_valid, every_story_narrated, forecast_in_range]
