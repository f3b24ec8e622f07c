"""Policies applied to the merged definitions: freshness of what a race weekend delivers, and every race-partitioned
asset reading its race's facts (a revised result re-runs it)."""

import warnings
from datetime import timedelta

from dagster import AssetSelection, AssetSpec, Definitions, FreshnessPolicy, PreviewWarning

from orchestration.defs.races.partitions import race_partitions
from orchestration.defs.sources.assets import RACE_FACTS

# What a race weekend delivers is stale after a week and overdue after two (race weekends are at most two weeks
# apart in season; the summer break shows as overdue, truthfully).
PRECOMPUTE_FRESHNESS = FreshnessPolicy.time_window(fail_window=timedelta(days=14), warn_window=timedelta(days=8))
PRECOMPUTE_GROUPS = ("strategy", "monitoring", "insights")

# map_resolved_asset_specs is a preview API; its warning would greet every `make dev` and CLI run.
warnings.filterwarnings("ignore", category=PreviewWarning, message=".*map_resolved_asset_specs")


def _reads_race_facts(spec: AssetSpec) -> AssetSpec:
    if spec.partitions_def != race_partitions or spec.key == RACE_FACTS:
        return spec
    return spec.merge_attributes(deps=[RACE_FACTS])


def with_policies(defs: Definitions) -> Definitions:
    return defs.map_resolved_asset_specs(
        func=lambda spec: spec.replace_attributes(freshness_policy=PRECOMPUTE_FRESHNESS),
        selection=AssetSelection.groups(*PRECOMPUTE_GROUPS),
    ).map_resolved_asset_specs(func=_reads_race_facts)
