"""Errors raised by the Jolpica client and source; every message names the URL (or path) it came from."""

from __future__ import annotations


class JolpicaError(Exception):
    """A Jolpica request failed: non-retryable HTTP status, or retries exhausted."""

    def __init__(self, message: str, *, url: str, status: int | None = None) -> None:
        super().__init__(message)
        self.url = url
        self.status = status


class JolpicaResponseError(JolpicaError):
    """A response arrived but is unusable: invalid/truncated JSON, or not the Ergast shape we validate against."""


class DumpError(JolpicaError):
    """Jolpica's database dump cannot be used: its download or the dumps index failed, its size or SHA-256 differs
    from what the index promises, the zip is corrupt, or a table or column the mapping reads is missing."""
