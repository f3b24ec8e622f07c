"""The Parquet lake: Hive-style partitions on a local folder or S3, written atomically, replaced on re-run.

Layout: ``<root>/<domain>/<table>/[season=YYYY/[round=RR/session=CODE/]]part-0.parquet``. Each partition is exactly
one file with a fixed name, so re-running a partition replaces it (never appends) and readers see either the old or
the new file. Locally the file is written under a hidden temp name and renamed into place; on S3 an object only
becomes visible when its upload completes, so a killed writer leaves nothing behind.
"""

from __future__ import annotations

import logging
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from transforms.exceptions import SchemaError
from transforms.schemas import Partitioning, TableSpec
from transforms.sessions import SessionRef

log = logging.getLogger("undercut.lake")

PART_FILE = "part-0.parquet"


@dataclass(frozen=True)
class WriteResult:
    path: str
    rows: int


def s3_filesystem() -> pafs.S3FileSystem:
    """An S3 filesystem from the standard AWS env vars (incl. ``AWS_ENDPOINT_URL`` for S3-protocol servers)."""
    endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    kwargs: dict[str, object] = {"region": os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or
                                 "us-east-1"}
    if endpoint:
        parsed = urlparse(endpoint)
        kwargs.update(endpoint_override=parsed.netloc or parsed.path, scheme=parsed.scheme or "https")
    if os.environ.get("AWS_ACCESS_KEY_ID"):
        kwargs.update(access_key=os.environ["AWS_ACCESS_KEY_ID"], secret_key=os.environ.get("AWS_SECRET_ACCESS_KEY"),
                      session_token=os.environ.get("AWS_SESSION_TOKEN"))
    return pafs.S3FileSystem(**kwargs)  # type: ignore[arg-type]


class Lake:
    def __init__(self, uri: str) -> None:
        self.uri = uri.rstrip("/")
        parsed = urlparse(self.uri)
        self.is_s3 = parsed.scheme == "s3"
        if self.is_s3:
            self.fs: pafs.FileSystem = s3_filesystem()
            self.root = f"{parsed.netloc}{parsed.path}".rstrip("/")
        else:
            self.fs = pafs.LocalFileSystem()
            self.root = os.path.abspath(self.uri)

    def table_dir(self, spec: TableSpec) -> str:
        return f"{self.root}/{spec.domain}/{spec.name}"

    def partition_dir(self, spec: TableSpec, *, season: int | None = None, session: SessionRef | None = None) -> str:
        base = self.table_dir(spec)
        if spec.partitioning is Partitioning.NONE:
            return base
        if spec.partitioning is Partitioning.SEASON:
            if season is None:
                raise ValueError(f"{spec.name} is partitioned by season: pass season=")
            return f"{base}/season={season}"
        if session is None:
            raise ValueError(f"{spec.name} is partitioned by session: pass session=")
        return f"{base}/{session.hive_path}"

    def write(self, spec: TableSpec, table: pa.Table, *, season: int | None = None,
              session: SessionRef | None = None) -> WriteResult:
        if not table.schema.equals(spec.schema):
            raise SchemaError(f"{spec.name}: refusing to write a table that does not match its declared schema")
        return self._write_file(self.partition_dir(spec, season=season, session=session), table)

    def write_derived(self, name: str, table: pa.Table, *, race: str | None = None) -> WriteResult:
        """A table computed from the warehouse (precompute, insights): ``derived/<name>[/race=<key>]``."""
        directory = f"{self.root}/derived/{name}" + (f"/race={race}" if race else "")
        return self._write_file(directory, table)

    def _write_file(self, directory: str, table: pa.Table) -> WriteResult:
        final = f"{directory}/{PART_FILE}"
        if self.is_s3:
            # Multipart uploads only publish the object on completion: a crash leaves no visible object.
            with self.fs.open_output_stream(final) as out:
                pq.write_table(table, out, compression="zstd")
        else:
            os.makedirs(directory, exist_ok=True)
            self._drop_stale_temp_files(directory)
            tmp = f"{directory}/.{PART_FILE}.tmp-{uuid.uuid4().hex}"
            try:
                pq.write_table(table, tmp, compression="zstd")
                os.replace(tmp, final)
            finally:
                if os.path.exists(tmp):
                    os.remove(tmp)
        log.debug("wrote %s rows to %s", table.num_rows, final)
        return WriteResult(path=self.display_path(final), rows=table.num_rows)

    def _drop_stale_temp_files(self, directory: str) -> None:
        # A writer killed between write and rename leaves a hidden temp file; readers never see it, we tidy it.
        for leftover in Path(directory).glob(f".{PART_FILE}.tmp-*"):
            leftover.unlink(missing_ok=True)

    def read(self, spec: TableSpec, *, season: int | None = None, session: SessionRef | None = None) -> pa.Table:
        """One partition (or the whole table when no partition is given)."""
        if season is None and session is None and spec.partitioning is not Partitioning.NONE:
            return self.read_all(spec)
        path = f"{self.partition_dir(spec, season=season, session=session)}/{PART_FILE}"
        return pq.read_table(path, filesystem=self.fs, schema=spec.schema)

    def read_all(self, spec: TableSpec) -> pa.Table:
        files = self.data_files(spec)
        if not files:
            return spec.schema.empty_table()
        dataset = ds.dataset(files, filesystem=self.fs, format="parquet", schema=spec.schema)
        return dataset.to_table()

    def data_files(self, spec: TableSpec) -> list[str]:
        selector = pafs.FileSelector(self.table_dir(spec), recursive=True, allow_not_found=True)
        return sorted(i.path for i in self.fs.get_file_info(selector)
                      if i.type == pafs.FileType.File and i.base_name == PART_FILE)

    def glob(self, spec: TableSpec) -> str:
        """A glob over every partition file, in the form DuckDB's ``read_parquet`` takes."""
        depth = {Partitioning.NONE: "", Partitioning.SEASON: "*/", Partitioning.SESSION: "*/*/*/"}[spec.partitioning]
        return self.display_path(f"{self.table_dir(spec)}/{depth}{PART_FILE}")

    def display_path(self, path: str) -> str:
        return f"s3://{path}" if self.is_s3 else path
