"""Resources shared by every domain, configured from the environment (see transforms.settings.Settings)."""


from functools import lru_cache

from dagster import ConfigurableResource

from transforms.lake import Lake
from transforms.settings import Settings
from transforms.sources import Source, open_source


@lru_cache(maxsize=4)
def _source(settings_json: str) -> Source:
    # One source object per process and config: the archive parses each CSV once for all assets of a run.
    return open_source(Settings.model_validate_json(settings_json))


class UndercutResource(ConfigurableResource):  # type: ignore[type-arg]
    """Settings, lake and source of this deployment."""

    home: str
    source_kind: str
    archive_dir: str | None
    lake_uri: str
    jolpica_url: str
    fastf1_http_cache: str | None = None

    @classmethod
    def from_env(cls) -> "UndercutResource":
        s = Settings()
        return cls(home=str(s.home), source_kind=s.source, archive_dir=str(s.archive_dir) if s.archive_dir else None,
                   lake_uri=s.lake_uri, jolpica_url=s.jolpica_url,
                   fastf1_http_cache=str(s.fastf1_http_cache) if s.fastf1_http_cache else None)

    @property
    def settings(self) -> Settings:
        return Settings(home=self.home, source=self.source_kind, archive_dir=self.archive_dir,  # type: ignore[arg-type]
                        lake_uri=self.lake_uri, jolpica_url=self.jolpica_url,
                        fastf1_http_cache=self.fastf1_http_cache)  # type: ignore[arg-type]

    @property
    def lake(self) -> Lake:
        return Lake(self.lake_uri)

    @property
    def source(self) -> Source:
        return _source(self.settings.model_dump_json())
