"""Race-partitioned insight tables (marts.time_lost, marts.race_stories, marts.battle_forecast) with plots.

Thin skin over insights.runner: one single-run backfill computes and publishes every race of the range."""

from pathlib import Path

from dagster import (
    AssetExecutionContext,
    BackfillPolicy,
    MaterializeResult,
    MetadataValue,
    asset,
)

from insights import llm
from insights.data import RaceData
from insights.plots import battle_heatmap, time_lost_bars
from insights.runner import (
    BATTLE_FORECAST,
    RACE_STORIES,
    TIME_LOST,
    InsightRun,
    run_battle_forecast,
    run_race_stories,
    run_time_lost,
)
from orchestration.defs.insights.checks import insight_checks
from orchestration.defs.races.partitions import race_partitions
from orchestration.defs.resources import UndercutResource
from orchestration.lib.keys import marts
from orchestration.lib.plots import plot_metadata

GROUP = "insights"


RACE_MARTS = marts("fct_laps", "fct_pit_stops", "fct_results", "dim_races", "dim_drivers")


def _plot_path(undercut: UndercutResource, table: str, race: RaceData) -> Path:
    return undercut.settings.home / "plots" / table / f"{race.key}.png"


def _summary(context: AssetExecutionContext, run: InsightRun) -> dict[str, MetadataValue]:
    if run.skipped:
        context.log.info(f"{run.table}: skipped (no laps or no inputs): {', '.join(run.skipped)}")
    return {"races_published": MetadataValue.int(len(run.rows)), "rows": MetadataValue.int(sum(run.rows.values())),
            "races_skipped": MetadataValue.text(", ".join(run.skipped) or "none")}


@asset(group_name=GROUP, key=["marts", TIME_LOST], kinds={"pandas", "duckdb"}, partitions_def=race_partitions,
       backfill_policy=BackfillPolicy.single_run(), deps=RACE_MARTS,
       description="Seconds each car lost per race to pit stops (vs the race's best stop), traffic (within 1 s of "
                   "the car ahead), SC/VSC laps and mistakes (slow spikes vs its own pace model), lap by lap")
def time_lost(context: AssetExecutionContext, undercut: UndercutResource) -> MaterializeResult:
    run = run_time_lost(undercut.settings, context.partition_keys)
    metadata = _summary(context, run)
    if run.latest is not None:
        race, frame = run.latest
        metadata |= plot_metadata(time_lost_bars(frame, f"Time lost, {race.season} {race.race_name}"),
                                  _plot_path(undercut, TIME_LOST, race), "time_lost_latest_race")
    return MaterializeResult(metadata=metadata)


@asset(group_name=GROUP, key=["marts", RACE_STORIES], kinds={"pandas", "duckdb"}, partitions_def=race_partitions,
       backfill_policy=BackfillPolicy.single_run(),
       deps=[*RACE_MARTS, *marts("fct_overtakes", "fct_safety_car_periods", "fct_standings", "dim_constructors")],
       description="Track Pulse: lead changes, notable overtakes, undercuts, fastest lap, strategy gambles, "
                   "championship swings and SC/VSC/red-flag turning points, narrated in en/es x 3 tones x 3 lengths "
                   "(templates; optional LLM narrator via UNDERCUT_LLM_URL)")
def race_stories(context: AssetExecutionContext, undercut: UndercutResource) -> MaterializeResult:
    narrator = llm.LlmNarrator.from_env()
    run = run_race_stories(undercut.settings, context.partition_keys, narrator)
    metadata = _summary(context, run)
    metadata["narrator"] = MetadataValue.text(
        "template" if narrator is None else f"{narrator.name} (off after failure: {narrator.failure})"
        if narrator.failure else narrator.name)
    if run.latest is not None:
        race, frame = run.latest
        shown = frame[(frame["language"] == "en") & (frame["tone"] == "neutral") & (frame["length"] == "medium")]
        metadata["stories_latest_race"] = MetadataValue.md(
            f"**{race.season} {race.race_name}**\n\n" + "\n".join(f"- ({p}) {t}" for p, t in
                                                                   zip(shown["priority"], shown["text"], strict=True)))
    return MaterializeResult(metadata=metadata)


@asset(group_name=GROUP, key=["marts", BATTLE_FORECAST], kinds={"pandas", "duckdb"}, partitions_def=race_partitions,
       backfill_policy=BackfillPolicy.single_run(),
       deps=[*RACE_MARTS, *marts("fct_overtakes", "predictions_overtakes")],
       description="Per lap, every car within 1.5 s of the car ahead (trains of 3+): laps until an overtake is "
                   "likely, probability, confidence and intensity 1-10; backtest hit rate vs naive rules")
def battle_forecast(context: AssetExecutionContext, undercut: UndercutResource) -> MaterializeResult:
    run, metrics = run_battle_forecast(undercut.settings, context.partition_keys)
    metadata = _summary(context, run)
    metadata.update({f"backtest.{k}": MetadataValue.float(float(v)) for k, v in metrics.items()})
    if run.latest is not None:
        race, frame = run.latest
        metadata |= plot_metadata(battle_heatmap(frame, f"Battle intensity, {race.season} {race.race_name}"),
                                  _plot_path(undercut, BATTLE_FORECAST, race), "intensity_latest_race")
    return MaterializeResult(metadata=metadata)


insight_assets = [time_lost, race_stories, battle_forecast]
__all__ = ["insight_assets", "insight_checks"]
