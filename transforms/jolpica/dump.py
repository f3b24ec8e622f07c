"""Jolpica's CSV database dump: one checked download instead of a day of API requests for the whole history.

Jolpica publishes a zip of its database tables (``formula_one_*.csv``) and, two levels above its download URL, an
index of the current dumps with each file's size and SHA-256 (jolpica-f1 ``docs/endpoints/data/dumps.md``).
:func:`fetch_dump` downloads the configured dump into ``<sha256>.zip.part``, resuming with an HTTP Range request after
an interruption (in this run or an earlier one: the part file is named by the hash the index promises, so a newer
dump never continues an older part), checks size, SHA-256 and every member's CRC, and extracts it atomically (a
temporary folder renamed into place). The extracted dump is reused until the index names another file; the index is
asked at most every ``max_age_s``. Progress is logged with the rate and an ETA.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import requests
from pydantic import BaseModel

from transforms.exceptions import DumpError
from transforms.jolpica.cache import write_json_atomically
from transforms.jolpica.client import RETRYABLE_EXCEPTIONS

log = logging.getLogger("undercut.jolpica")

# The free tier: the database as it was 14 days ago, no key needed (the latest dump needs a supporter's key).
DEFAULT_DUMP_URL = "https://api.jolpi.ca/data/dumps/download/delayed/?dump_type=csv"
CURRENT = "current.json"  # which extracted folder is the dump, and when the index last confirmed it
CHUNK_BYTES = 1 << 16
MB = 1_000_000


def index_url(dump_url: str) -> str:
    """Where Jolpica lists its dumps: ``.../data/dumps/download/`` for ``.../data/dumps/download/delayed/?...``."""
    return urljoin(dump_url, "../")


class _IndexEntry(BaseModel):  # a "Database Dump Object" of the index
    download_url: str
    file_hash: str
    file_size: int
    uploaded_at: str


@dataclass(frozen=True)
class DumpFile:
    url: str
    sha256: str
    size_bytes: int
    uploaded_at: str


def read_index(dump_url: str, session: requests.Session, timeout_s: float) -> DumpFile:
    """The index's entry for ``dump_url`` (among its delayed and latest dumps)."""
    url = index_url(dump_url)
    try:
        response = session.get(url, timeout=timeout_s)
        response.raise_for_status()
        body = response.json()
        entries = [_IndexEntry.model_validate(e) for group in ("delayed_dumps", "latest_dumps")
                   for e in (body.get(group) or {}).values()]
    except (requests.RequestException, ValueError, AttributeError) as exc:  # ValidationError is a ValueError
        raise DumpError(f"cannot read Jolpica's dumps index {url} (for {dump_url}): {exc}", url=url) from exc
    entry = next((e for e in entries if e.download_url == dump_url), None)
    if entry is None:
        raise DumpError(f"Jolpica's dumps index {url} lists no dump at {dump_url} (it lists "
                        f"{', '.join(e.download_url for e in entries) or 'none'})", url=url)
    return DumpFile(dump_url, entry.file_hash.lower(), entry.file_size, entry.uploaded_at)


def fetch_dump(url: str, directory: Path, *, session: requests.Session | None = None, max_age_s: float = 6 * 3600,
               attempts: int = 3, timeout_s: float = 60, progress_every_s: float = 5.0) -> Path:
    """The folder of the extracted dump at ``url``, downloading (or resuming) it into ``directory`` when the index
    names a file this directory does not hold yet. Raises :class:`DumpError` naming the URL when that fails."""
    directory.mkdir(parents=True, exist_ok=True)
    session = session or requests.Session()
    with _locked(directory / ".lock"):  # processes of one run share the directory: one of them downloads
        current = _current(directory, url)
        if current is not None and time.time() - current["checked_at"] < max_age_s:
            return directory / current["folder"]
        try:
            wanted = read_index(url, session, timeout_s)
        except DumpError as exc:
            if current is None:
                raise
            # The history this dump gives is still right: only its newest rounds wait for the API.
            log.warning("%s; using the dump of %s meanwhile", exc, current["uploaded_at"])
            return directory / current["folder"]
        folder = directory / f"dump-{wanted.sha256[:16]}"
        if not folder.is_dir():
            archive = _download(wanted, directory, session, attempts, timeout_s, progress_every_s)
            _extract(wanted, archive, folder)
        write_json_atomically(directory / CURRENT, {"url": url, "folder": folder.name, "sha256": wanted.sha256,
                                                    "uploaded_at": wanted.uploaded_at, "checked_at": time.time()})
        _remove_others(directory, keep={folder.name, current["folder"] if current else ""})
        return folder


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _current(directory: Path, url: str) -> dict[str, Any] | None:
    """The extracted dump of ``url`` this directory holds, if any."""
    try:
        current = json.loads((directory / CURRENT).read_text())
    except (OSError, ValueError):
        return None
    return current if current.get("url") == url and (directory / current.get("folder", "")).is_dir() else None


def _download(wanted: DumpFile, directory: Path, session: requests.Session, attempts: int, timeout_s: float,
              progress_every_s: float) -> Path:
    part = directory / f"{wanted.sha256}.zip.part"
    archive = part.with_suffix("")  # <sha256>.zip: renamed from the part once verified
    if archive.exists():  # verified, then the run stopped before extracting it
        return archive
    last = "no attempt"
    for attempt in range(1, attempts + 1):
        have = part.stat().st_size if part.exists() else 0
        if have >= wanted.size_bytes:
            break
        try:
            _get_rest(wanted, part, have, session, timeout_s, _Progress(wanted, have, progress_every_s))
        except RETRYABLE_EXCEPTIONS as exc:
            last = f"{type(exc).__name__}: {exc}"
            log.warning("jolpica dump %s: interrupted at %d of %d bytes (%s); attempt %d/%d", wanted.url,
                        part.stat().st_size if part.exists() else 0, wanted.size_bytes, last, attempt, attempts)
    have = part.stat().st_size if part.exists() else 0
    if have < wanted.size_bytes:
        raise DumpError(f"GET {wanted.url}: {have} of {wanted.size_bytes} bytes after {attempts} attempts (last: "
                        f"{last}); {part} is kept, the next run resumes it", url=wanted.url)
    _verify(wanted, part)
    os.replace(part, archive)
    return archive


def _get_rest(wanted: DumpFile, part: Path, have: int, session: requests.Session, timeout_s: float,
              progress: _Progress) -> None:
    """Append the bytes after ``have`` to ``part`` (all of them if the server ignores the Range header)."""
    headers = {"Range": f"bytes={have}-"} if have else {}
    with session.get(wanted.url, headers=headers, stream=True, timeout=timeout_s) as response:
        if response.status_code == 206 and have:
            content_range = response.headers.get("Content-Range", "")
            if not content_range.startswith(f"bytes {have}-"):
                raise DumpError(f"GET {wanted.url}: asked for bytes {have}- and got {content_range!r}",
                                url=wanted.url, status=206)
            mode = "ab"
        elif response.status_code == 200:
            mode, have = "wb", 0
            progress.restart()
        elif response.status_code >= 500:  # retried like a dropped connection
            raise requests.ConnectionError(f"HTTP {response.status_code} {response.reason}")
        else:
            raise DumpError(f"GET {wanted.url}: HTTP {response.status_code} {response.reason}", url=wanted.url,
                            status=response.status_code)
        with part.open(mode) as out:
            for chunk in response.iter_content(CHUNK_BYTES):
                out.write(chunk)
                have += len(chunk)
                progress.show(have)
    progress.done(have)


def _verify(wanted: DumpFile, part: Path) -> None:
    size = part.stat().st_size
    digest = hashlib.sha256()
    with part.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    if size != wanted.size_bytes or digest.hexdigest() != wanted.sha256:
        part.unlink()  # a wrong file must not be resumed
        raise DumpError(f"GET {wanted.url}: {size} bytes with SHA-256 {digest.hexdigest()}, but the dumps index "
                        f"{index_url(wanted.url)} promises {wanted.size_bytes} bytes with SHA-256 {wanted.sha256}; "
                        "the download was discarded", url=wanted.url)


def _extract(wanted: DumpFile, archive: Path, folder: Path) -> None:
    """Check every member's CRC, then extract into a temporary folder renamed to ``folder``: a crash leaves no
    half-extracted dump behind."""
    tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=".extract-"))
    try:
        with zipfile.ZipFile(archive) as zipped:
            bad = zipped.testzip()
            if bad is not None:
                raise DumpError(f"GET {wanted.url}: member {bad} of the dump fails its CRC check", url=wanted.url)
            zipped.extractall(tmp)
        os.replace(tmp, folder)
    except (DumpError, zipfile.BadZipFile, zlib.error) as exc:
        archive.unlink()  # the next run downloads it again rather than failing on it forever
        if isinstance(exc, DumpError):
            raise
        raise DumpError(f"GET {wanted.url}: not a readable zip file: {exc}", url=wanted.url) from exc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    archive.unlink()
    log.info("jolpica dump of %s (SHA-256 %s…) extracted to %s", wanted.uploaded_at, wanted.sha256[:12], folder)


def _remove_others(directory: Path, keep: set[str]) -> None:
    """Older dumps, stale parts and leftovers of crashed extractions. The previous dump stays one more time: a
    process of the same run may still be reading it."""
    for path in directory.iterdir():
        if path.name in keep or path.name in (CURRENT, ".lock"):
            continue
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


class _Progress:
    """Log lines with size, rate and ETA at most every ``every_s`` seconds."""

    def __init__(self, wanted: DumpFile, have: int, every_s: float) -> None:
        self.wanted, self.every_s = wanted, every_s
        self.restart(have)

    def restart(self, have: int = 0) -> None:
        self.start_bytes, self.start_s = have, time.monotonic()
        self.shown_s = self.start_s
        if have:
            log.info("jolpica dump %s: resuming at %.1f of %.1f MB", self.wanted.url, have / MB,
                     self.wanted.size_bytes / MB)

    def show(self, have: int) -> None:
        now = time.monotonic()
        if now - self.shown_s < self.every_s:
            return
        self.shown_s = now
        rate = (have - self.start_bytes) / max(now - self.start_s, 1e-6)
        eta = (self.wanted.size_bytes - have) / rate if rate > 0 else float("inf")
        log.info("jolpica dump: %.1f of %.1f MB (%d %%), %.1f MB/s, ETA %.0f s", have / MB,
                 self.wanted.size_bytes / MB, 100 * have // max(self.wanted.size_bytes, 1), rate / MB, eta)

    def done(self, have: int) -> None:
        log.info("jolpica dump: %.1f MB in %.1f s", (have - self.start_bytes) / MB, time.monotonic() - self.start_s)
