"""The undercut code location: every domain's definitions merged into one (the policies of orchestration.lib on top).

Domains are imported as modules, never as their `defs` objects: Dagster loads this module by looking for the
Definitions objects at its scope and refuses more than one."""

from dagster import Definitions

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
from orchestration.lib.policies import with_policies

defs = with_policies(Definitions.merge(
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
))
