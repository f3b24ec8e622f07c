"""dbt-duckdb plugin (see dbt_project/profiles.yml): attach the warehouse DuckLake to dbt's DuckDB connection.

The extensions (ducklake, sqlite/postgres scanner, httpfs for S3) come from their PyPI wheels, never a download, and
the catalog and data path from the same settings as every other connection: :func:`transforms.warehouse.attach`.
Kept free of Dagster imports: dbt imports this module in its own process.
"""

from __future__ import annotations

from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin
from duckdb import DuckDBPyConnection

from transforms import warehouse
from transforms.settings import Settings


class Plugin(BasePlugin):  # type: ignore[misc]
    def initialize(self, plugin_config: dict[str, Any]) -> None:
        self.settings = Settings()

    def configure_connection(self, conn: DuckDBPyConnection) -> None:
        conn.execute("SET extension_directory = ?", [str(self.settings.home / "duckdb_extensions")])
        warehouse.attach(conn, self.settings.warehouse)
