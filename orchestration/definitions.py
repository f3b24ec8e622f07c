"""The undercut code location: every domain's definitions merged into one.

Domains are imported as modules, never as their `defs` objects: Dagster loads this module by looking for the
Definitions objects at its scope and refuses more than one."""

import warnings
from datetime import timedelta

from dagster import AssetSelection, AssetSpec, Definitions, FreshnessPolicy, PreviewWarning

import orchestration.defs.dbt.definitions as dbt_definitions
import orchestration.defs.definitions as shared_definitions
import orchestration.defs.historical.definitions as historical_definitions
import orchestration.defs.incidents.definitions as incidents_definitions
import orchestration.defs.insights.definitions as insights_definitions
import orchestration.defs.ml.definitions as ml_definitions
import orchestration.defs.monitoring.definitions as monitoring_definitions
import orchestration.defs.races.definitions as races_definitions
import orchestration.defs.sources.definitions as sources_definitions
import orchestration.defs.strategy.definitions as strategy_definitions
import orchestration.defs.warehouse.definitions as warehouse_definitions
import orchestration.defs.weekend.definitions as weekend_definitions
from orchestration.defs.races.partitions import race_partitions
from orchestration.defs.sources.assets import RACE_FACTS

# What a race weekend delivers is stale after a week and overdue after two (race weekends are at most two weeks
# apart in season; the summer break shows as overdue, truthfully).
PRECOMPUTE_FRESHNESS = FreshnessPolicy.time_window(fail_window=timedelta(days=14), warn_window=timedelta(days=8))
PRECOMPUTE_GROUPS = ("strategy", "monitoring", "insights")


def _reads_race_facts(spec: AssetSpec) -> AssetSpec:
    """Every race-partitioned asset is computed from its race's facts (a revised result re-runs it)."""
    if spec.partitions_def != race_partitions or spec.key == RACE_FACTS:
        return spec
    return spec.merge_attributes(deps=[RACE_FACTS])


# map_resolved_asset_specs is a preview API; its warning would greet every `make dev` and CLI run.
warnings.filterwarnings("ignore", category=PreviewWarning, message=".*map_resolved_asset_specs")

defs = Definitions.merge(
    sources_definitions.defs,
    historical_definitions.defs,
    weekend_definitions.defs,
    warehouse_definitions.defs,
    dbt_definitions.defs,
    ml_definitions.defs,
    insights_definitions.defs,
    monitoring_definitions.defs,
    strategy_definitions.defs,
    incidents_definitions.defs,
    races_definitions.defs,
    shared_definitions.defs,
).map_resolved_asset_specs(
    func=lambda spec: spec.replace_attributes(freshness_policy=PRECOMPUTE_FRESHNESS),
    selection=AssetSelection.groups(*PRECOMPUTE_GROUPS),
).map_resolved_asset_specs(func=_reads_race_facts)
