"""The sources as assets: what undercut reads but does not make (Ergast/Jolpica tables, FastF1 sessions).

They are external assets: nothing materialises them. Each observation carries the partition's content digest as its
data version (transforms.source_versions); the raw tables and the race precompute depend on them, so a partition
observed with a new version after it was last materialised is due (orchestration.defs.planner)."""

from dagster import AssetKey, AssetSpec

from orchestration.defs.historical.partitions import season_partitions
from orchestration.defs.races.partitions import race_partitions
from orchestration.defs.weekend.partitions import session_partitions

GROUP = "sources"
ERGAST_REFERENCE = AssetKey(["source", "ergast_reference"])
ERGAST_SEASON = AssetKey(["source", "ergast_season"])
FASTF1_SESSION = AssetKey(["source", "fastf1_session"])
RACE_FACTS = AssetKey(["source", "race_facts"])
PLACED_CHECK = "every_session_placed"

source_assets = [
    AssetSpec(ERGAST_REFERENCE, group_name=GROUP,
              description="Ergast reference tables (seasons, circuits, constructors, drivers, status) as published"),
    AssetSpec(ERGAST_SEASON, group_name=GROUP, partitions_def=season_partitions,
              description="A season's Ergast tables as published: calendar, results, qualifying, laps, pit stops, "
                          "standings, SC/VSC/red-flag history. A stewards' revision changes its version."),
    AssetSpec(FASTF1_SESSION, group_name=GROUP, partitions_def=session_partitions,
              description="One session's FastF1 timing (laps, weather, race control, track status, results) and "
                          "telemetry"),
    AssetSpec(RACE_FACTS, group_name=GROUP, partitions_def=race_partitions,
              description="Everything known about one race: its rows of the season tables, its sessions, and the "
                          "earlier races of its season (standings and odds carry them forward)"),
]

