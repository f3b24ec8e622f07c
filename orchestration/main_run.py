"""`undercut run`: materialise every asset for every partition the configured source has."""

from __future__ import annotations

import logging
import os
import time

from dagster import DagsterInstance
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

from transforms.settings import Settings
from transforms.sources import open_source

log = logging.getLogger("undercut.run")


def dagster_instance(settings: Settings) -> DagsterInstance:
    """A persistent instance under $UNDERCUT_HOME so `dagster dev` shows what `undercut run` materialised."""
    home = os.environ.setdefault("DAGSTER_HOME", str(settings.home / "dagster"))
    os.makedirs(home, exist_ok=True)
    config = os.path.join(home, "dagster.yaml")
    if not os.path.exists(config):
        with open(config, "w") as fh:  # defaults (sqlite storage in this folder); present so dagster doesn't warn
            fh.write("telemetry:\n  enabled: false\n")
    return DagsterInstance.get()


def run_main(settings: Settings) -> dict[str, float]:
    source = open_source(settings)  # fails fast when the source is unusable, before anything is written
    check = getattr(source, "check_layout", None)
    if check:
        check()
    instance = dagster_instance(settings)

    from orchestration.definitions import defs
    from orchestration.defs.jobs import MAIN_SEQUENCE
    from orchestration.defs.partition_sync import register_partitions

    sync = register_partitions(instance, source)
    log.info("registered %d new seasons, %d new sessions", len(sync.new_seasons), len(sync.new_sessions))
    timings = {}
    for job in MAIN_SEQUENCE:
        job_def = defs.resolve_job_def(job.name)
        tags = {}
        if job_def.partitions_def is not None:
            keys = job_def.partitions_def.get_partition_keys(dynamic_partitions_store=instance)
            if not keys:
                log.warning("%s: the source has no partitions, skipped", job.name)
                continue
            tags = {ASSET_PARTITION_RANGE_START_TAG: keys[0], ASSET_PARTITION_RANGE_END_TAG: keys[-1]}
        start = time.perf_counter()
        log.info("%s: running %s", job.name, f"partitions {tags}" if tags else "")
        job_def.execute_in_process(instance=instance, tags=tags, raise_on_error=True)
        timings[job.name] = time.perf_counter() - start
        log.info("%s: done in %.1f s", job.name, timings[job.name])
    return timings
