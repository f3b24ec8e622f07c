"""Feast around the dbt feature marts: export → generated repo config → apply → materialise → point-in-time reads.

The repo config is generated per $UNDERCUT_HOME (registry, SQLite online store and Parquet sources all live there,
or the registry and online store on PostgreSQL: Settings.feast_postgres_url), so feature_repo/ holds definitions only
and works for any home.
"""

from __future__ import annotations

import json
import os
import runpy
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote, urlsplit

import pandas as pd

from ml.online_rows import OnlineRecord, ViewRows
from ml.paths import FEATURE_REPO_DIR, MlPaths
from transforms.warehouse import reading

# Feast is imported in the functions that use it: it takes ~8 s to import.
if TYPE_CHECKING:
    from feast import FeatureStore, FeatureView

PROJECT = "undercut"
# Entity-keyed pre-race marts that become Feast feature views (one Parquet export each).
FEATURE_MARTS = ("driver_form", "constructor_pace", "circuit_profile", "race_entry_features")
EARLIEST = datetime(1950, 1, 1)


def export_feature_marts(paths: MlPaths, marts: tuple[str, ...] = FEATURE_MARTS) -> dict[str, int]:
    """Copy each `features.<mart>` table to Parquet (the Feast offline sources); returns row counts."""
    paths.feature_data_dir.mkdir(parents=True, exist_ok=True)
    counts = {}
    with reading(paths.warehouse) as con:
        for mart in marts:
            target = paths.feature_data_dir / f"{mart}.parquet"
            tmp = target.with_suffix(".tmp")  # rename into place: a reader never sees half a file
            con.execute(f"copy (select * from features.{mart}) to '{tmp}' (format parquet)")
            tmp.replace(target)
            counts[mart] = int(con.execute(f"select count(*) from features.{mart}").fetchone()[0])  # type: ignore[index]
    return counts


def write_repo_config(paths: MlPaths) -> Path:
    paths.feast_dir.mkdir(parents=True, exist_ok=True)
    config = paths.feast_dir / "feature_store.yaml"
    config.write_text(
        f"project: {PROJECT}\n"
        "provider: local\n"
        + (_postgres_stores(paths.feast_postgres_url) if paths.feast_postgres_url else
           f"registry: {paths.feast_dir / 'registry.db'}\n"
           "online_store:\n"
           "  type: sqlite\n"
           f"  path: {paths.feast_dir / 'online_store.db'}\n")
        + "offline_store:\n"
        "  type: duckdb\n"
        "entity_key_serialization_version: 3\n"
    )
    return config


def _postgres_stores(url: str) -> str:
    """Feast's SQL registry and PostgreSQL online store in the database of `url` (postgresql://user:pw@host:port/db,
    `?sslmode=` optional): what several machines share instead of the two SQLite files."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgresql", "postgres") or not parts.hostname or not parts.path.strip("/"):
        raise ValueError(f"UNDERCUT_FEAST_POSTGRES_URL must look like postgresql://user:password@host:port/db, "
                         f"got {url!r}")
    sslmode = parse_qs(parts.query).get("sslmode", ["prefer"])[0]
    return ("registry:\n"
            "  registry_type: sql\n"
            f"  path: {json.dumps(f'postgresql+psycopg://{parts.netloc}{parts.path}')}\n"
            "  cache_ttl_seconds: 60\n"
            "  sqlalchemy_config_kwargs:\n"
            "    pool_pre_ping: true\n"
            "online_store:\n"
            "  type: postgres\n"
            f"  host: {parts.hostname}\n"
            f"  port: {parts.port or 5432}\n"
            f"  database: {parts.path.strip('/')}\n"
            f"  user: {json.dumps(unquote(parts.username or ''))}\n"  # JSON strings are YAML strings
            f"  password: {json.dumps(unquote(parts.password or ''))}\n"
            f"  sslmode: {sslmode}\n")


def open_store(paths: MlPaths) -> FeatureStore:
    from feast import FeatureStore

    # feast's import puts DeprecationWarning "once" before every filter, and ibis (its offline store) deprecates a call
    # it makes itself: not ours to act on, so not on the user's console
    warnings.filterwarnings("ignore", message="fetch_arrow_table", category=DeprecationWarning)
    return FeatureStore(repo_path=str(FEATURE_REPO_DIR), fs_yaml_file=write_repo_config(paths))


@contextmanager
def _home_env(paths: MlPaths) -> Iterator[None]:
    """feature_repo/ resolves its source paths from $UNDERCUT_HOME (as the feast CLI would): point it at `paths`."""
    saved = os.environ.get("UNDERCUT_HOME")
    os.environ["UNDERCUT_HOME"] = str(paths.home)
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("UNDERCUT_HOME")
        else:
            os.environ["UNDERCUT_HOME"] = saved


def repo_objects(paths: MlPaths) -> list[Any]:
    """Entities and feature views of feature_repo/, evaluated afresh for this home."""
    from feast import Entity, FeatureView

    objects: list[Any] = []
    with _home_env(paths):
        for definition_file in sorted(FEATURE_REPO_DIR.glob("*.py")):
            namespace = runpy.run_path(str(definition_file))
            objects += [obj for obj in namespace.values() if isinstance(obj, Entity | FeatureView)]
    return objects


def apply(paths: MlPaths) -> list[str]:
    """`feast apply` for this home; returns the names of the registered feature views."""
    from feast import FeatureView

    store = open_store(paths)
    objects = repo_objects(paths)
    store.apply(objects)
    return sorted(obj.name for obj in objects if isinstance(obj, FeatureView))


def materialise(paths: MlPaths, end: datetime) -> None:
    """Load the online store with the latest row per entity up to `end` (the next race's start: its pre-race rows),
    each view from its earliest row that changed since the last load (ml.online_rows)."""
    store = open_store(paths)
    views = [view_rows(view) for view in store.list_feature_views()]
    loaded = OnlineRecord(paths.feast_dir / "online_rows", _online_store_identity(paths))
    loaded.keep_only(views)
    for view in views:
        start = loaded.start(view, end, EARLIEST)
        if start is not None:
            store.materialize(start_date=start, end_date=end, feature_views=[view.name])
        loaded.record(view, end)


def view_rows(view: FeatureView) -> ViewRows:
    """A registered view's source, keys and stored columns (a view built from feature_repo/ has no join keys yet)."""
    from feast import FileSource

    source = view.batch_source
    assert isinstance(source, FileSource)  # feature_repo/ reads the Parquet exports only
    return ViewRows(view.name, Path(source.path), list(view.join_keys), [f.name for f in view.features],
                    source.timestamp_field)


def _online_store_identity(paths: MlPaths) -> str:
    """Which online store the configuration names: a copied home (tests.home_copies) has a copy of its SQLite store
    and of the record beside it, so the home's own path does not count."""
    return write_repo_config(paths).read_text().replace(str(paths.home), "$UNDERCUT_HOME")


def historical_features(paths: MlPaths, entity_rows: pd.DataFrame, features: list[str]) -> pd.DataFrame:
    """Point-in-time join: each entity row gets the feature rows valid at its `event_timestamp`.

    Feast does not return rows in entity order, so the result is re-sorted on the entity columns."""
    frame = open_store(paths).get_historical_features(entity_df=entity_rows, features=features).to_df()
    keys = list(entity_rows.columns)
    return frame.sort_values(keys).reset_index(drop=True)


def online_features(paths: MlPaths, entity_rows: list[dict[str, Any]], features: list[str]) -> pd.DataFrame:
    return open_store(paths).get_online_features(features=features, entity_rows=entity_rows).to_df()
