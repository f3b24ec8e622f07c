"""One interface over the live sources (Jolpica + FastF1) and the offline archive: both return the declared tables."""

from __future__ import annotations

import logging
from typing import Protocol

import pyarrow as pa
import requests

from transforms.archive import ArchiveSource
from transforms.exceptions import SourceUnavailableError
from transforms.sessions import SessionRef
from transforms.settings import Settings

log = logging.getLogger("undercut.sources")


class Source(Protocol):
    def seasons(self) -> list[int]: ...

    def historical_table(self, name: str, season: int | None = None) -> pa.Table: ...

    def sessions(self) -> list[SessionRef]: ...

    def weekend_table(self, name: str, session: SessionRef) -> pa.Table: ...

    def session_versions(self) -> dict[SessionRef, str]: ...


HOW_TO_ARCHIVE = ("to run offline, point undercut at an archive folder: "
                  "UNDERCUT_SOURCE=archive UNDERCUT_ARCHIVE_DIR=../shared/data make run")


def open_source(settings: Settings) -> Source:
    if settings.source == "archive":
        if settings.archive_dir is None:
            raise SourceUnavailableError(f"UNDERCUT_SOURCE=archive needs UNDERCUT_ARCHIVE_DIR; {HOW_TO_ARCHIVE}")
        return ArchiveSource(settings.archive_dir)
    probe_live(settings.jolpica_url)
    from transforms.live import LiveSource  # imports fastf1: only when the live source is usable

    return LiveSource(settings)


def probe_live(base_url: str, timeout_s: float = 5.0) -> None:
    """Fail fast (seconds, not a retry loop) when the live API cannot be reached."""
    try:
        requests.get(f"{base_url}/seasons.json?limit=1", timeout=timeout_s)
    except requests.RequestException as exc:
        raise SourceUnavailableError(f"cannot reach the live source {base_url} ({type(exc).__name__}); "
                                     f"{HOW_TO_ARCHIVE}") from exc
