"""Runtime settings, read once from the environment (``UNDERCUT_*``) and validated at the boundary."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from transforms.warehouse import Warehouse

DEFAULT_JOLPICA_URL = "https://api.jolpi.ca/ergast/f1"
FIRST_SEASON = 1950


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="UNDERCUT_", extra="ignore")

    home: Path = Field(default=Path(".undercut"), description="Where the lake, warehouse, MLflow and caches live")
    source: Literal["live", "archive"] = "live"
    archive_dir: Path | None = None
    lake_uri: str = ""  # default: <home>/lake
    # The DuckLake catalog: "" = SQLite under home; "postgres:dbname=… host=… user=…" (password from PGPASSWORD)
    warehouse_catalog: str = ""
    # Feast's registry and online store on PostgreSQL (postgresql://user:password@host:port/db, every machine shares
    # them); "" = SQLite files under home
    feast_postgres_url: str = ""
    jolpica_url: str = DEFAULT_JOLPICA_URL
    # A frozen FastF1 HTTP response folder to replay offline (as FastF1's own test suite does); None = internet.
    fastf1_http_cache: Path | None = None

    @model_validator(mode="after")
    def _defaults(self) -> Settings:
        self.home = self.home.expanduser().absolute()
        if not self.lake_uri:
            self.lake_uri = str(self.home / "lake")
        if self.archive_dir is not None:
            self.archive_dir = self.archive_dir.expanduser().absolute()
        return self

    @property
    def warehouse(self) -> Warehouse:
        return Warehouse.at(self.home, self.lake_uri, self.warehouse_catalog)

    @property
    def cache_dir(self) -> Path:
        return self.home / "cache"
