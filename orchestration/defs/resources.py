"""Resources shared by every domain, configured from the environment (see transforms.settings.Settings)."""


from functools import lru_cache

from dagster import ConfigurableResource, InitResourceContext

from transforms.lake import Lake
from transforms.settings import Settings
from transforms.sources import Source, open_source
from transforms.warehouse import set_commit_tags


@lru_cache(maxsize=4)
def _source(settings_json: str) -> Source:
    # One source object per process and config: the archive parses each CSV once for all assets of a run.
    return open_source(Settings.model_validate_json(settings_json))


def shared_source(settings: Settings, reopen: bool = False) -> Source:
    """The source object this process's assets read. `undercut run`/`refresh` probe it too (`reopen`: a new one per
    run, so a second run in the same process sees the source as it is now), so an in-process job reuses what the
    probe parsed (every archive CSV) and ingests what was observed."""
    if reopen:
        _source.cache_clear()
    return _source(settings.model_dump_json())


# Concurrency pools, each limited to 1 by default in the instance config (orchestration.main_run.DAGSTER_YAML).
# Warehouse commits need none (the catalog arbitrates: transforms.warehouse.write_lock); this pool is for the steps
# that hold the catalog for minutes (dbt build, maintenance), so a second one queues in Dagster, visibly.
WAREHOUSE_POOL = "warehouse"
# MLflow's default tracking store is one SQLite file: trainings register their models one at a time.
MLFLOW_POOL = "mlflow"
# The live sources' published rate limits hold per client, not per process: one step at a time reads them. The archive
# has no such limit (source_pool).
JOLPICA_POOL, FASTF1_POOL = "jolpica", "fastf1"


def source_pool(pool: str) -> str | None:
    """`pool` for steps that read the live source, none when this deployment reads the archive."""
    return pool if Settings().source == "live" else None


# Run tag set by a quiet `undercut run`/`refresh` (no -v): steps keep tools' line-by-line output (dbt's node lines) off
# the console; dbt's own log file and the instance's events keep it.
QUIET_TAG = "undercut/quiet"

# Resource fields mirror Settings one to one; `source` is taken by the property that opens the source.
_RENAMED = {"source": "source_kind"}
# Resource fields whose None means the setting's default (a resource built by hand need not name them).
_DEFAULTED = ("jolpica_dump_url", "fastf1_first_season", "now")


class UndercutResource(ConfigurableResource):  # type: ignore[type-arg]
    """Settings, lake and source of this deployment."""

    home: str
    source_kind: str
    archive_dir: str | None
    lake_uri: str
    warehouse_catalog: str = ""
    feast_postgres_url: str = ""
    jolpica_url: str
    fastf1_http_cache: str | None = None
    jolpica_dump_url: str | None = None
    fastf1_first_season: int | None = None
    now: str | None = None

    @classmethod
    def from_env(cls) -> "UndercutResource":
        return cls(**{_RENAMED.get(k, k): v for k, v in Settings().model_dump(mode="json").items()})

    def setup_for_execution(self, context: InitResourceContext) -> None:
        # every warehouse snapshot this process commits names the run that wrote it
        if context.run is not None:
            set_commit_tags(run_id=context.run.run_id)

    @property
    def settings(self) -> Settings:
        fields = {k: getattr(self, _RENAMED.get(k, k)) for k in Settings.model_fields}
        return Settings(**{k: v for k, v in fields.items() if v is not None or k not in _DEFAULTED})

    @property
    def lake(self) -> Lake:
        return Lake(self.lake_uri)

    @property
    def source(self) -> Source:
        return shared_source(self.settings)
