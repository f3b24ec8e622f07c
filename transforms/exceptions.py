"""Every error undercut raises on purpose, in one hierarchy (as Fast-F1 keeps its own in one module).

The failed-run analysis (orchestration.incidents) files a failure under the cause of the nearest class of the
exception's MRO, so a new error class says what went wrong by where it sits here, not by its message. The builtin
bases stay for callers that catch ``ValueError``/``RuntimeError``."""

from __future__ import annotations


class UndercutError(Exception):
    """Base of every error undercut raises on purpose."""


class SourceUnavailableError(UndercutError, RuntimeError):
    """The configured source cannot be used at all (no network, no archive, a server that keeps failing)."""


class SchemaError(UndercutError, ValueError):
    """A source table does not fit its declared schema."""


class UnknownSessionError(UndercutError, ValueError):
    """A session key or name that does not identify a session of the source."""


class ArchiveError(SchemaError):
    """An archive file holds a row or header that does not parse as its declared table."""


class ArchiveMissingError(SourceUnavailableError, ArchiveError):
    """The archive folder, or one of its tables, is not there."""


class WeekendSourceError(UndercutError, RuntimeError):
    """FastF1 could not deliver a session: no schedule, no timing data, or a failed load."""


class SessionNotFoundError(WeekendSourceError, UnknownSessionError):
    """The season's FastF1 schedule has no such round, or the event has no such session."""


class JolpicaError(UndercutError):
    """A Jolpica request failed with a status that retrying does not change (a 4xx other than 429)."""

    def __init__(self, message: str, *, url: str, status: int | None = None) -> None:
        super().__init__(message)
        self.url = url
        self.status = status


class JolpicaUnavailableError(JolpicaError, SourceUnavailableError):
    """Jolpica kept failing (5xx, refused or dropped connections) until the retries ran out."""


class DumpError(JolpicaUnavailableError):
    """Jolpica's database dump cannot be used: its download or the dumps index failed, its size or SHA-256 differs
    from what the index promises, the zip is corrupt, or a table or column the mapping reads is missing."""


class RateLimitedError(JolpicaUnavailableError):
    """Jolpica kept answering 429 Too Many Requests until the retries ran out."""


class JolpicaResponseError(JolpicaError, SchemaError):
    """A response arrived but is unusable: invalid/truncated JSON, or not the Ergast shape we validate against."""


class WarehouseUnavailableError(UndercutError, RuntimeError):
    """The warehouse catalog cannot be opened: the message names the setting and what went wrong."""


class RunFailedError(UndercutError, RuntimeError):
    """A job of the sequence failed; its incident has been recorded."""


def by_qualname(qualname: str) -> type[UndercutError] | None:
    """The class of this module a recorded ``module.Class`` name stands for (None for any other exception)."""
    module, _, name = qualname.rpartition(".")
    found = globals().get(name) if module == __name__ else None
    return found if isinstance(found, type) and issubclass(found, UndercutError) else None
