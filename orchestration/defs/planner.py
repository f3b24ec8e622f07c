"""What is due, read from Dagster's own records: used by `undercut refresh` and the sensors.

A partition of an asset is due when it has no materialisation, or when an event of an upstream asset with the same
partitioning (the source's observation of a new version, an upstream materialisation) is newer than its last
materialisation. An unpartitioned asset is due when any upstream event is newer than it or its code version (a dbt
model's checksum) is not the one it last ran, and so is what depends on it (a dbt build selects the models
downstream of what changed). Of a partitioned asset
with unpartitioned inputs (a race precompute reads the marts and the models), only the latest partition, the next
race, follows them: earlier races change only when their own facts do.

Storage ids order the events of the instance's event log, across processes. A run that failed or was killed
recorded no newer materialisation, so what it did not finish stays due until a run finishes it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from dagster import AssetKey, DagsterEventType, DagsterInstance
from dagster._core.definitions.assets.graph.base_asset_graph import BaseAssetGraph
from dagster._core.definitions.data_version import CODE_VERSION_TAG
from dagster._core.storage.event_log.base import AssetEntry

from orchestration.defs.warehouse.assets import WAREHOUSE_RAW_SCHEMA

MATERIALISED = DagsterEventType.ASSET_MATERIALIZATION
OBSERVED = DagsterEventType.ASSET_OBSERVATION
NEVER = -1
# Parents that must run first but do not change what their children read: the raw views are recreated whenever a
# lake table changes, and the dbt models reading them also depend on those tables themselves.
ORDERING_ONLY = frozenset({WAREHOUSE_RAW_SCHEMA})


class Planner:
    def __init__(self, instance: DagsterInstance, asset_graph: BaseAssetGraph) -> None:
        self.instance = instance
        self.graph = asset_graph

    def _latest_by_partition(self, key: AssetKey, *event_types: DagsterEventType) -> dict[str, int]:
        out: dict[str, int] = {}
        for event_type in event_types:
            for partition, storage_id in self.instance.get_latest_storage_id_by_partition(key, event_type).items():
                out[partition] = max(out.get(partition, NEVER), storage_id)
        return out

    def _entries(self, keys: Iterable[AssetKey]) -> dict[AssetKey, AssetEntry]:
        """The instance's record of each asset that has one, in one query."""
        return {r.asset_entry.asset_key: r.asset_entry for r in self.instance.get_asset_records(list(keys))}

    @staticmethod
    def _storage_id(entry: AssetEntry | None, *, observed: bool = True) -> int:
        """The storage id of the asset's latest materialisation (or observation), any partition."""
        if entry is None:
            return NEVER
        ids = [entry.last_materialization_storage_id, entry.last_observation_storage_id if observed else None]
        return max((i for i in ids if i is not None), default=NEVER)

    def _latest(self, key: AssetKey, *, observed: bool = True) -> int:
        return self._storage_id(self._entries([key]).get(key), observed=observed)

    def _new_code(self, entry: AssetEntry) -> bool:
        """The asset's code version (a dbt model's checksum) is not the one its last materialisation ran."""
        current = self.graph.get(entry.asset_key).code_version
        materialisation = entry.last_materialization.asset_materialization if entry.last_materialization else None
        return (current is not None and materialisation is not None
                and (materialisation.tags or {}).get(CODE_VERSION_TAG) != current)

    def due_assets(self, assets: Iterable[AssetKey]) -> set[AssetKey]:
        """Unpartitioned assets: those missing, with a newer upstream event or with new code, and what depends on
        them among `assets`."""
        assets = set(assets)
        parents = {key: self.graph.get(key).parent_keys - ORDERING_ONLY for key in assets}
        own = self._entries(assets)
        upstream = self._entries(set().union(*parents.values()))
        due = set()
        for key in assets:
            materialised = self._storage_id(own.get(key), observed=False)
            if (materialised == NEVER or self._new_code(own[key])
                    or any(self._storage_id(upstream.get(p)) > materialised for p in parents[key])):
                due.add(key)
        frontier = list(due)
        while frontier:
            for child in self.graph.get(frontier.pop()).child_keys:
                if child in assets and child not in due:
                    due.add(child)
                    frontier.append(child)
        return due

    def due_partitions(self, assets: Iterable[AssetKey], partition_keys: Sequence[str]) -> list[str]:
        """Partitioned assets: the keys (of `partition_keys`, in their order) that some asset must (re)materialise."""
        due: set[str] = set()
        latest = partition_keys[-1] if partition_keys else None
        for key in assets:
            node = self.graph.get(key)
            materialised = self._latest_by_partition(key, MATERIALISED)
            due.update(p for p in partition_keys if p not in materialised)
            for parent in node.parent_keys:
                parent_partitions = self.graph.get(parent).partitions_def
                if parent_partitions == node.partitions_def:
                    upstream = self._latest_by_partition(parent, MATERIALISED, OBSERVED)
                    due.update(p for p in partition_keys if upstream.get(p, NEVER) > materialised.get(p, NEVER))
                elif parent_partitions is None and latest is not None:
                    if self._latest(parent) > materialised.get(latest, NEVER):
                        due.add(latest)
        return [p for p in partition_keys if p in due]
