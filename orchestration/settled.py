"""A no-op refresh recognised in a second: the state in which the last refresh left nothing due.

The planner reads every asset's records (and the source probe reads every archive file) to find what is due. When
nothing could have changed since a refresh that finished with nothing left due, the answer is the same, so
`undercut refresh` records that state in the instance's key-value store and compares it first. The state is:
- the source: the archive's file fingerprint (a live source has none, so it is always probed);
- Dagster's event log: its highest storage id. Any run, materialisation or observation since (a run launched from the
  UI, a sensor tick, a failed or killed refresh) moves it;
- the code and settings: what the asset graph and the jobs are, and which home, lake and source they use;
- the refresh's retrain mode."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from dagster import DagsterInstance

from transforms.settings import Settings
from transforms.sources import Source

SETTLED_KEY = "undercut/refresh_settled"
REPO = Path(__file__).resolve().parents[1]
PRODUCT_DIRS = ("orchestration", "transforms", "ml", "simulation", "feature_repo", "dbt_project")
BUILD_DIRS = {"target", "logs", "dbt_packages", "__pycache__"}
CODE_SUFFIXES = {".py", ".sql", ".yml", ".yaml", ".csv"}


def code_fingerprint() -> str:
    """A digest of the product's code, dbt project included (a changed model makes work due)."""
    h = hashlib.blake2b(digest_size=12)
    for folder in PRODUCT_DIRS:
        for parent, dirs, files in os.walk(REPO / folder):
            dirs[:] = sorted(set(dirs) - BUILD_DIRS)  # in place: walked in this order, build output skipped
            for name in sorted(files):
                if os.path.splitext(name)[1] in CODE_SUFFIXES:
                    path = Path(parent, name)
                    h.update(str(path.relative_to(REPO)).encode())
                    h.update(path.read_bytes())
    return h.hexdigest()


def settled_state(settings: Settings, source: Source, retrain: str) -> dict[str, str] | None:
    """What must be unchanged for a refresh to have nothing due, except the event log (None: a live source)."""
    fingerprint = getattr(source, "fingerprint", None)
    if fingerprint is None:
        return None
    return {"source": fingerprint(), "code": code_fingerprint(), "retrain": retrain,
            "settings": hashlib.blake2b(settings.model_dump_json().encode(), digest_size=12).hexdigest()}


def _last_event(instance: DagsterInstance) -> str:
    return str(instance.event_log_storage.get_maximum_record_id())


def is_settled(instance: DagsterInstance, state: dict[str, str] | None) -> list[str] | None:
    """The unplaced sessions of the last complete refresh if nothing changed since it, else None."""
    if state is None:
        return None
    stored = instance.run_storage.get_cursor_values({SETTLED_KEY}).get(SETTLED_KEY)
    if stored is None:
        return None
    record = json.loads(stored)
    if record.get("state") != state or record.get("last_event") != _last_event(instance):
        return None
    return list(record["unplaced"])


def record_settled(instance: DagsterInstance, state: dict[str, str] | None, unplaced: list[str]) -> None:
    """After a refresh that left nothing due: its state (taken before it ran) and the event log's position now."""
    if state is not None:
        record = {"state": state, "last_event": _last_event(instance), "unplaced": unplaced}
        instance.run_storage.set_cursor_values({SETTLED_KEY: json.dumps(record)})
