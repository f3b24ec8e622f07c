"""Where the ML side keeps its state: everything under $UNDERCUT_HOME, nothing in the repo."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from transforms.settings import Settings
from transforms.warehouse import Warehouse

REPO_ROOT = Path(__file__).resolve().parents[1]
FEATURE_REPO_DIR = REPO_ROOT / "feature_repo"


@dataclass(frozen=True)
class MlPaths:
    home: Path
    warehouse: Warehouse
    # An MLflow tracking server every machine reaches (MLflow's own MLFLOW_TRACKING_URI): it keeps the runs, the
    # registry and, started with --serve-artifacts, the models. Empty: a SQLite file and a folder under home.
    tracking_server: str = ""
    feast_postgres_url: str = ""  # Settings.feast_postgres_url

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> MlPaths:
        settings = settings or Settings()
        return cls(settings.home, settings.warehouse, os.environ.get("MLFLOW_TRACKING_URI", ""),
                   settings.feast_postgres_url)

    @property
    def tracking_uri(self) -> str:
        return self.tracking_server or f"sqlite:///{self.home / 'mlflow.db'}"

    @property
    def artifacts_dir(self) -> Path:
        return self.home / "mlartifacts"

    @property
    def feast_dir(self) -> Path:
        """Generated feature_store.yaml, Feast registry and SQLite online store."""
        return self.home / "feast"

    @property
    def feature_data_dir(self) -> Path:
        """Parquet exports of the dbt feature marts: the Feast offline sources (absolute paths)."""
        return self.feast_dir / "data"
