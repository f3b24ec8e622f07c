"""The dbt assets as Dagster sees them: keys, lineage to the lake assets, checks, the job the lead wires in."""

from __future__ import annotations

import sys
from pathlib import Path

from dagster import AssetKey
from dbt.version import __version__ as dbt_version

from orchestration.definitions import defs
from orchestration.defs.dbt.assets import undercut_dbt_assets
from orchestration.defs.dbt.resources import dbt_resource
from transforms.schemas import TABLES


def test_models_sit_downstream_of_the_lake_assets_and_the_raw_views() -> None:
    deps = undercut_dbt_assets.asset_deps
    staged = deps[AssetKey(["staging", "stg_ergast__results"])]
    assert AssetKey(["raw", "results"]) in staged and AssetKey(["warehouse_raw_schema"]) in staged
    upstream_raw = {k for ks in deps.values() for k in ks if k.path[0] == "raw"}
    assert upstream_raw == {AssetKey(["raw", name]) for name in TABLES}
    assert AssetKey(["marts", "fct_laps"]) in undercut_dbt_assets.keys
    assert AssetKey(["features", "race_entry_features"]) in undercut_dbt_assets.keys


def test_dbt_tests_are_asset_checks() -> None:
    checks = list(undercut_dbt_assets.check_specs)
    assert len(checks) > 250
    assert any(c.asset_key == AssetKey(["marts", "fct_laps"]) for c in checks)


def test_dbt_defs_are_in_the_code_location() -> None:
    job = defs.resolve_job_def("dbt_job")
    assert job.partitions_def is None  # runs as one step in `undercut run`, after warehouse_job
    graph = defs.resolve_asset_graph()
    # every raw source the dbt project reads is a real lake asset, not a stub
    assert all(graph.get(AssetKey(["raw", name])).is_materializable for name in TABLES)



def test_the_dbt_resource_knows_the_version_of_the_dbt_it_runs_without_asking_it() -> None:
    # `dbt --version` (dagster-dbt asks it before every build) also looks up PyPI's latest dbt: ~10 s, or a timeout
    # offline. The resource reads the version of the dbt-core installed beside the dbt it runs instead.
    resource = dbt_resource()
    assert Path(resource.dbt_executable).parent == Path(sys.executable).parent
    assert str(resource._cli_version) == dbt_version
