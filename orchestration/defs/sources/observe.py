"""Observe the source: register the season, session and race partitions it has, and record each partition's content
digest as an observation of the source assets when it differs from the last one recorded.

Only changes are recorded, so the latest observation of a partition marks when its source last changed; a raw or
race partition materialised before that is due (orchestration.defs.planner)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from dagster import (
    AddDynamicPartitionsRequest,
    AssetCheckEvaluation,
    AssetCheckSeverity,
    AssetKey,
    AssetObservation,
    AssetRecordsFilter,
    DagsterEventType,
    DagsterInstance,
)
from dagster._core.definitions.data_version import DATA_VERSION_TAG

from orchestration.defs.historical.partitions import season_partitions
from orchestration.defs.races.partitions import race_partitions
from orchestration.defs.sources.assets import ERGAST_REFERENCE, ERGAST_SEASON, FASTF1_SESSION, PLACED_CHECK, RACE_FACTS
from orchestration.defs.weekend.partitions import session_partitions
from transforms.sessions import SessionRef, race_key
from transforms.source_versions import SourceVersions, probe
from transforms.sources import Source


def placed_sessions(source: Source) -> tuple[list[SessionRef], list[SessionRef]]:
    """The source's sessions whose race is in its calendar, and those it lists but cannot place yet (no calendar
    entry, e.g. a new season's first weekend before the calendar is published): those are reported and left out
    until their calendar exists."""
    sessions = sorted(source.sessions())
    seasons = set(source.seasons())
    calendar = {(season, rnd) for season in {s.season for s in sessions} if season in seasons
                for rnd in source.historical_table("races", season=season).column("round").to_pylist()}
    return ([s for s in sessions if (s.season, s.round) in calendar],
            [s for s in sessions if (s.season, s.round) not in calendar])


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


@dataclass(frozen=True)
class SourceObservation:
    """What the source has that the instance did not know: partitions to register, and changed versions."""

    new_partitions: dict[str, list[str]]  # partitions definition name -> keys, in source order
    events: list[AssetObservation | AssetCheckEvaluation]
    unplaced: list[str]  # sessions without a calendar entry (see placed_sessions)

    def requests(self) -> list[AddDynamicPartitionsRequest]:
        return [AddDynamicPartitionsRequest(partitions_def_name=name, partition_keys=keys)
                for name, keys in self.new_partitions.items() if keys]

    @property
    def observations(self) -> list[AssetObservation]:
        return [e for e in self.events if isinstance(e, AssetObservation)]

    def changed(self, key: AssetKey) -> list[str]:
        return [e.partition for e in self.observations if e.asset_key == key and e.partition is not None]

    def version(self, key: AssetKey, partition: str) -> str:
        """The version observed now if it changed, else "known"."""
        return next((e.tags[DATA_VERSION_TAG] for e in self.observations
                     if e.asset_key == key and e.partition == partition), "known")

    def record(self, instance: DagsterInstance) -> None:
        """Register the partitions, then the observations (which name them)."""
        for name, keys in self.new_partitions.items():
            if keys:
                instance.add_dynamic_partitions(name, keys)
        for event in self.events:
            instance.report_runless_asset_event(event)


def observed_versions(instance: DagsterInstance, key: AssetKey, partitioned: bool) -> dict[str | None, str]:
    """The latest recorded version per partition (None: unpartitioned) of a source asset: one indexed query over
    the latest observation of each partition, not the observation history."""
    if partitioned:
        tags = instance.event_log_storage.get_latest_tags_by_partition(key, DagsterEventType.ASSET_OBSERVATION,
                                                                        [DATA_VERSION_TAG])
        return {p: t[DATA_VERSION_TAG] for p, t in tags.items() if DATA_VERSION_TAG in t}
    latest = instance.fetch_observations(AssetRecordsFilter(key), limit=1, ascending=False).records
    version = (latest[0].event_log_entry.tags or {}).get(DATA_VERSION_TAG) if latest else None
    return {} if version is None else {None: version}


def _changes(instance: DagsterInstance, key: AssetKey,
             versions: Iterable[tuple[str | None, str]]) -> list[AssetObservation]:
    versions = list(versions)
    known = observed_versions(instance, key, partitioned=any(p is not None for p, _ in versions))
    return [AssetObservation(asset_key=key, partition=p, tags={DATA_VERSION_TAG: v})
            for p, v in versions if known.get(p) != v]


def placement(unplaced: list[SessionRef]) -> dict[str, Any]:
    """The outcome of the every-session-placed check (an AssetCheckResult's or AssetCheckEvaluation's fields)."""
    names = ", ".join(s.key for s in unplaced)
    return {"passed": not unplaced, "severity": AssetCheckSeverity.WARN, "metadata": {"unplaced_sessions": names},
            "description": f"sessions without a calendar entry, left out until it exists: {names}" if unplaced
            else "every session the source lists has its race in the calendar"}


def observe_source(instance: DagsterInstance, source: Source) -> SourceObservation:
    sessions, unplaced = placed_sessions(source)
    races = race_keys(source, sessions)
    versions: SourceVersions = probe(source, races)
    placed = {s.key for s in sessions}
    known = {d.name: set(instance.get_dynamic_partitions(d.name))  # type: ignore[arg-type]
             for d in (season_partitions, session_partitions, race_partitions)}
    new = {season_partitions.name: [k for k in versions.seasons if k not in known[season_partitions.name]],
           session_partitions.name: [r.key for r in sessions if r.key not in known[session_partitions.name]],
           race_partitions.name: [k for k in races if k not in known[race_partitions.name]]}
    events = [*_changes(instance, ERGAST_REFERENCE, [(None, versions.reference)]),
              *_changes(instance, ERGAST_SEASON, versions.seasons.items()),
              *_changes(instance, FASTF1_SESSION, [(k, v) for k, v in versions.sessions.items() if k in placed]),
              *_changes(instance, RACE_FACTS, versions.races.items()),
              AssetCheckEvaluation(asset_key=FASTF1_SESSION, check_name=PLACED_CHECK, **placement(unplaced))]
    return SourceObservation(new, events, [s.key for s in unplaced])  # type: ignore[arg-type]
