"""dbt models as Dagster assets (staging -> intermediate -> marts/features), dbt tests as asset checks.

Asset keys: sources keep dagster-dbt's default ["raw", "<table>"], which are exactly the lake assets' keys, so every
model sits downstream of the lake tables it reads; models are keyed [<schema>, <model>] (e.g. ["marts", "fct_laps"]).
Models that read the raw views also depend on `warehouse_raw_schema`, the asset that (re)creates those views.
"""


import contextlib
import io
from collections.abc import Iterator, Mapping
from typing import Any

from dagster import (
    AssetDep,
    AssetExecutionContext,
    AssetKey,
    AssetSelection,
    AssetSpec,
    AutomationCondition,
    define_asset_job,
)
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, DbtProject, dbt_assets

from orchestration.defs.dbt.resources import dbt_environment, dbt_project, ensure_manifest
from orchestration.defs.resources import QUIET_TAG, WAREHOUSE_POOL, UndercutResource
from orchestration.defs.warehouse.assets import WAREHOUSE_RAW_SCHEMA
from transforms.warehouse import recording_race_landings, write_lock


class UndercutDbtTranslator(DagsterDbtTranslator):
    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] in ("model", "seed", "snapshot"):
            return AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)  # sources: ["raw", "<table>"]

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "source":
            return super().get_group_name(dbt_resource_props)
        return f"dbt_{dbt_resource_props['schema']}"

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None) -> AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        parents = manifest.get("parent_map", {}).get(unique_id, [])
        if any(p.startswith("source.") for p in parents):
            # the raw views must exist (and be current) before a staging model can select from them
            spec = spec.replace_attributes(deps=[*spec.deps, AssetDep(WAREHOUSE_RAW_SCHEMA)])
        # rebuilt whenever the lake changed (a session or season landed), as the raw views are
        return spec.replace_attributes(automation_condition=AutomationCondition.eager())


translator = UndercutDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


@dbt_assets(manifest=ensure_manifest(), project=dbt_project, dagster_dbt_translator=translator, name="undercut_dbt",
             pool=WAREHOUSE_POOL)
def undercut_dbt_assets(context: AssetExecutionContext, dbt: DbtCliResource, undercut: UndercutResource) -> Iterator[Any]:
    """`dbt build` of the selected models: runs them and their tests (reported as asset checks).

    dbt commits from its own process: it holds the warehouse's write lock meanwhile, and the races whose results
    land are recorded with the snapshot before them (`ops.race_landings`). dagster-dbt echoes every dbt line to stdout:
    a quiet run (QUIET_TAG) discards that echo, dbt's log file keeps it."""
    warehouse = undercut.settings.warehouse
    quiet = context.run.tags.get(QUIET_TAG) == "true"
    with (dbt_environment(undercut.settings), write_lock(warehouse), recording_race_landings(warehouse),
          contextlib.redirect_stdout(io.StringIO()) if quiet else contextlib.nullcontext()):
        yield from dbt.cli(["build"], context=context).stream()


dbt_job = define_asset_job(
    "dbt_job",
    AssetSelection.assets(undercut_dbt_assets),
    description="dbt build: staging, intermediate, marts and feature marts in the warehouse, with their tests",
)
