"""Runtime settings, read once from the environment (``UNDERCUT_*``) and validated at the boundary."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from transforms.jolpica.dump import DEFAULT_DUMP_URL
from transforms.warehouse import Warehouse

DEFAULT_JOLPICA_URL = "https://api.jolpi.ca/ergast/f1"
FIRST_SEASON = 1950
FIRST_FASTF1_SEASON = 2018  # FastF1's timing data (laps, stints, compounds) starts here


def _first_of_the_last_three_seasons(now: dt.datetime | None = None) -> int:
    return max(FIRST_FASTF1_SEASON, (now or dt.datetime.now(dt.UTC)).year - 2)


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
    # Jolpica's CSV database dump, bootstrapping the history in one checked download (transforms.jolpica.dump);
    # "" = none: the whole history through the API (500 requests/hour: about a day from an empty home)
    jolpica_dump_url: str = DEFAULT_DUMP_URL
    # FastF1 weekends from this season on (live source); the history before it comes from Jolpica alone
    fastf1_first_season: int = Field(default_factory=_first_of_the_last_three_seasons, ge=FIRST_FASTF1_SEASON)
    # The moment the live source takes for now: which seasons and sessions exist yet (ISO 8601, UTC unless it names a
    # zone). None = the clock; a replay of a past weekend sets it (e.g. 2025-09-01).
    now: dt.datetime | None = None
    # A frozen FastF1 HTTP response folder to replay offline (as FastF1's own test suite does); None = internet.
    fastf1_http_cache: Path | None = None

    @model_validator(mode="after")
    def _defaults(self) -> Settings:
        self.home = self.home.expanduser().absolute()
        if not self.lake_uri:
            self.lake_uri = str(self.home / "lake")
        if self.archive_dir is not None:
            self.archive_dir = self.archive_dir.expanduser().absolute()
        if self.now is not None:
            self.now = self.now if self.now.tzinfo else self.now.replace(tzinfo=dt.UTC)
            if "fastf1_first_season" not in self.model_fields_set:  # "the last three seasons" as of that moment
                self.fastf1_first_season = _first_of_the_last_three_seasons(self.now)
        return self

    def clock(self) -> dt.datetime:
        """Now, for the live source: the ``now`` setting, else the time of day (UTC)."""
        return self.now or dt.datetime.now(dt.UTC)

    @property
    def warehouse(self) -> Warehouse:
        return Warehouse.at(self.home, self.lake_uri, self.warehouse_catalog)

    @property
    def cache_dir(self) -> Path:
        return self.home / "cache"
