"""dbt-duckdb plugin (see dbt_project/profiles.yml): make an S3 lake readable from dbt's DuckDB connection.

The ``raw`` views read ``s3://`` globs when ``UNDERCUT_LAKE_URI`` points at S3. DuckDB then needs httpfs, which it
would normally download at run time (impossible offline), and an S3 secret. Both come from
:func:`transforms.warehouse.configure_s3`, the code that built the views, so dbt sees the lake exactly as they do.
Kept free of Dagster imports: dbt imports this module in its own process.
"""

from __future__ import annotations

from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin
from duckdb import DuckDBPyConnection


class Plugin(BasePlugin):  # type: ignore[misc]
    def initialize(self, plugin_config: dict[str, Any]) -> None:
        self.lake_uri = str(plugin_config.get("lake_uri") or "")

    @property
    def is_s3(self) -> bool:
        return self.lake_uri.startswith("s3://")

    def configure_connection(self, conn: DuckDBPyConnection) -> None:
        if self.is_s3:
            from transforms.warehouse import configure_s3

            configure_s3(conn)
