"""Register the season and session partitions the source has (new ones in calendar order)."""

from __future__ import annotations

from dataclasses import dataclass

from dagster import AddDynamicPartitionsRequest, DagsterInstance

from orchestration.defs.historical.partitions import season_partitions
from orchestration.defs.weekend.partitions import session_partitions
from transforms.sources import Source


@dataclass(frozen=True)
class PartitionSync:
    new_seasons: list[str]
    new_sessions: list[str]

    def requests(self) -> list[AddDynamicPartitionsRequest]:
        return [AddDynamicPartitionsRequest(partitions_def_name=d.name, partition_keys=keys)  # type: ignore[arg-type]
                for d, keys in ((season_partitions, self.new_seasons), (session_partitions, self.new_sessions))
                if keys]


def missing_partitions(instance: DagsterInstance, source: Source) -> PartitionSync:
    have_seasons = set(instance.get_dynamic_partitions(season_partitions.name))  # type: ignore[arg-type]
    have_sessions = set(instance.get_dynamic_partitions(session_partitions.name))  # type: ignore[arg-type]
    return PartitionSync(
        new_seasons=[str(s) for s in sorted(source.seasons()) if str(s) not in have_seasons],
        new_sessions=[r.key for r in sorted(source.sessions()) if r.key not in have_sessions],
    )


def register_partitions(instance: DagsterInstance, source: Source) -> PartitionSync:
    sync = missing_partitions(instance, source)
    for request in sync.requests():
        instance.add_dynamic_partitions(request.partitions_def_name, list(request.partition_keys))
    return sync
