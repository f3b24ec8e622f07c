"""Asset checks every lake table gets: non-empty, primary key unique, schema matches the declaration."""


from collections.abc import Iterator

from dagster import AssetCheckResult, AssetChecksDefinition, AssetCheckSpec, AssetKey, multi_asset_check

from orchestration.defs.resources import UndercutResource
from transforms.quality import check_table
from transforms.schemas import TableSpec


def raw_key(spec: TableSpec) -> AssetKey:
    return AssetKey(["raw", spec.name])


def lake_table_checks(spec: TableSpec) -> AssetChecksDefinition:
    key = raw_key(spec)
    names = ["non_empty", "schema_matches"] + (["primary_key_unique"] if spec.primary_key else [])

    @multi_asset_check(specs=[AssetCheckSpec(n, asset=key) for n in names], name=f"{spec.name}_lake_checks")
    def _checks(undercut: UndercutResource) -> Iterator[AssetCheckResult]:
        for outcome in check_table(undercut.lake, spec):
            yield AssetCheckResult(asset_key=key, check_name=outcome.name, passed=outcome.passed,
                                   description=outcome.description, metadata=outcome.metadata)  # type: ignore[arg-type]

    return _checks
