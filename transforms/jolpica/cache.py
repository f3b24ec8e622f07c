"""On-disk HTTP cache: one JSON file per full page URL, so a re-run spends none of the hourly request budget."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

log = logging.getLogger("undercut.jolpica")


class DiskCache:
    """Stores decoded response bodies keyed by the full URL (paging parameters included).

    An entry written after its season was over is ``final`` and never expires; anything else (the current season,
    season-less reference lists such as ``/drivers``) is served for ``ttl_s`` seconds after it was fetched.
    """

    def __init__(self, directory: Path, *, ttl_s: float) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.ttl_s = ttl_s

    def path(self, url: str) -> Path:
        return self.directory / f"{hashlib.sha256(url.encode()).hexdigest()}.json"

    def get(self, url: str, *, now: float) -> Any | None:
        path = self.path(url)
        try:
            entry = json.loads(path.read_text())
            fresh = entry["final"] or now - entry["fetched_at"] < self.ttl_s
            body = entry["body"]
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as exc:  # damaged by hand or disk: refetch, don't fail
            log.warning("ignoring unreadable cache entry %s for %s: %s", path, url, exc)
            return None
        return body if fresh else None

    def put(self, url: str, body: Any, *, now: float, final: bool) -> None:
        write_json_atomically(self.path(url), {"url": url, "fetched_at": now, "final": final, "body": body})


def write_json_atomically(path: Path, value: Any) -> None:
    """Temp file in the same directory + os.replace: readers (and a crash mid-write) never see half a file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(value, f)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
