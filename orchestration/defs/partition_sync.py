"""Register the season, session and race partitions the source has (new ones in calendar order), and plan what a
refresh must recompute because of them."""

from __future__ import annotations

from dataclasses import dataclass

from dagster import AddDynamicPartitionsRequest, DagsterInstance

from orchestration.defs.historical.partitions import season_partitions
from orchestration.defs.races.partitions import race_partitions
from orchestration.defs.weekend.partitions import session_partitions
from transforms.sessions import SessionRef, race_key
from transforms.sources import Source


@dataclass(frozen=True)
class PartitionSync:
    new_seasons: list[str]
    new_sessions: list[str]
    new_races: list[str]

    def requests(self) -> list[AddDynamicPartitionsRequest]:
        pairs = ((season_partitions, self.new_seasons), (session_partitions, self.new_sessions),
                 (race_partitions, self.new_races))
        return [AddDynamicPartitionsRequest(partitions_def_name=d.name, partition_keys=keys)  # type: ignore[arg-type]
                for d, keys in pairs if keys]

    def register(self, instance: DagsterInstance) -> None:
        for request in self.requests():
            instance.add_dynamic_partitions(request.partitions_def_name, list(request.partition_keys))


def race_keys(source: Source, sessions: list[SessionRef]) -> list[str]:
    """Every race with a race session, then the next race of the calendar (what the weekend precompute is for)."""
    raced = sorted({(s.season, s.round) for s in sessions if s.session == "R"})
    keys = [race_key(*r) for r in raced]
    if raced:
        season, last_round = raced[-1]
        calendar = source.historical_table("races", season=season).column("round").to_pylist()
        upcoming = sorted(r for r in calendar if r > last_round)
        if upcoming:
            keys.append(race_key(season, upcoming[0]))
        elif season + 1 in source.seasons():
            following = sorted(source.historical_table("races", season=season + 1).column("round").to_pylist())
            keys += [race_key(season + 1, following[0])] if following else []
    return keys


def missing_partitions(instance: DagsterInstance, source: Source) -> PartitionSync:
    have_seasons = set(instance.get_dynamic_partitions(season_partitions.name))  # type: ignore[arg-type]
    have_sessions = set(instance.get_dynamic_partitions(session_partitions.name))  # type: ignore[arg-type]
    have_races = set(instance.get_dynamic_partitions(race_partitions.name))  # type: ignore[arg-type]
    sessions = sorted(source.sessions())
    return PartitionSync(
        new_seasons=[str(s) for s in sorted(source.seasons()) if str(s) not in have_seasons],
        new_sessions=[r.key for r in sessions if r.key not in have_sessions],
        new_races=[k for k in race_keys(source, sessions) if k not in have_races],
    )


def register_partitions(instance: DagsterInstance, source: Source) -> PartitionSync:
    sync = missing_partitions(instance, source)
    sync.register(instance)
    return sync


@dataclass(frozen=True)
class RefreshPlan:
    """Partition keys a refresh materialises, by partitions definition name (season / session / race), and the
    partitions to register first."""

    keys: dict[str, list[str]]
    sync: PartitionSync

    @property
    def is_empty(self) -> bool:
        return not any(self.keys.values())


def plan_refresh(instance: DagsterInstance, source: Source) -> RefreshPlan:
    """New sessions and races, plus what they change: the season they belong to, and the race they complete (a race
    partition registered as the next race before it was run)."""
    sync = missing_partitions(instance, source)
    sessions = [SessionRef.parse(k) for k in sync.new_sessions]
    seasons = set(sync.new_seasons) | {str(s.season) for s in sessions}
    races = set(sync.new_races) | {race_key(s.season, s.round) for s in sessions}
    return RefreshPlan({"season": sorted(seasons), "session": sync.new_sessions, "race": sorted(races)}, sync)
