"""HTTP side of the Jolpica source: paging, client-side rate limits, retries and the on-disk cache."""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import requests

from transforms.exceptions import JolpicaError, JolpicaResponseError, JolpicaUnavailableError, RateLimitedError
from transforms.jolpica.cache import DiskCache
from transforms.jolpica.models import Page, parse_page
from transforms.jolpica.ratelimit import Clock, RateLimiter, Sleep

log = logging.getLogger("undercut.jolpica")

DEFAULT_BASE_URL = "https://api.jolpi.ca/ergast/f1"
PAGE_LIMIT = 100  # the API's maximum page size
RETRYABLE_EXCEPTIONS = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)


class JolpicaClient:
    """Fetches Ergast-shaped tables from Jolpica.

    ``clock``/``sleep`` drive the rate limiter, retry back-off, ``Retry-After`` dates and cache ages, so tests can
    run on fake time. ``current_season`` (default: the clock's UTC year) decides which cached pages expire after
    ``current_ttl_s``: a page of an earlier season, fetched once that season was over, is kept forever.
    Clients in one process share the API's limits: give them one ``rate_limiter``. ``Retry-After`` is honoured
    even beyond ``backoff_cap_s``: the server knows when its window reopens.
    """

    def __init__(self, base_url: str = DEFAULT_BASE_URL, cache_dir: Path | None = None, *, timeout_s: float = 30,
                 max_attempts: int = 6, clock: Clock = time.time, sleep: Sleep = time.sleep,
                 current_season: int | None = None, current_ttl_s: float = 6 * 3600,
                 rate_limiter: RateLimiter | None = None, backoff_s: float = 1.0, backoff_cap_s: float = 60.0,
                 jitter: Callable[[], float] = random.random, session: requests.Session | None = None) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self.max_attempts = max_attempts
        self._clock = clock
        self._sleep = sleep
        self._current_season = current_season
        self._cache = DiskCache(cache_dir, ttl_s=current_ttl_s) if cache_dir is not None else None
        self._limiter = rate_limiter or RateLimiter(clock=clock, sleep=sleep)
        self._backoff_s = backoff_s
        self._backoff_cap_s = backoff_cap_s
        self._jitter = jitter
        self._session = session or requests.Session()
        self._session.headers.setdefault("User-Agent", "undercut-f1-data-platform (jolpica client)")

    def __enter__(self) -> JolpicaClient:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self._session.close()

    @property
    def current_season(self) -> int:
        if self._current_season is not None:
            return self._current_season
        return dt.datetime.fromtimestamp(self._clock(), dt.UTC).year

    def page_url(self, path: str, offset: int) -> str:
        return f"{self.base_url}/{path.strip('/')}.json?limit={PAGE_LIMIT}&offset={offset}"

    def get_all(self, path: str) -> list[dict[str, Any]]:
        """Page through ``path`` (e.g. ``"2024/results"``) until ``total`` and return the table's merged items."""
        items: list[dict[str, Any]] = []
        offset = pages = 0
        while True:
            url = self.page_url(path, offset)
            page = self._page(url, _season_of(path))
            if page.offset != offset:  # a server ignoring offset would otherwise repeat page one until total
                raise JolpicaResponseError(f"{url}: page reports offset {page.offset}, expected {offset}", url=url)
            _merge_continuation(items, page.items)
            pages += 1
            # Advance by the limit the server applied: it may cap what we asked for.
            offset += page.limit
            if offset >= page.total:
                log.debug("%s: %d items in %d page(s)", path, len(items), pages)
                return items

    def _page(self, url: str, season: int | None) -> Page:
        if self._cache is not None and (body := self._cache.get(url, now=self._clock())) is not None:
            log.debug("page %s (cached)", url)
            return parse_page(url, body)
        body = self._fetch(url)
        page = parse_page(url, body)  # validate before caching: a bad page must not outlive this run
        if self._cache is not None:
            final = season is not None and season < self.current_season
            self._cache.put(url, body, now=self._clock(), final=final)
        log.debug("page %s: offset %d of %d", url, page.offset, page.total)
        return page

    def _fetch(self, url: str) -> Any:
        last, status = "no attempt", None
        for attempt in range(1, self.max_attempts + 1):
            self._limiter.acquire()
            retry_after = None
            try:
                response = self._session.get(url, timeout=self.timeout_s)
            except RETRYABLE_EXCEPTIONS as exc:
                last, status = f"{type(exc).__name__}: {exc}", None
            else:
                if response.status_code == 200:
                    return _decode(url, response)
                status = response.status_code
                last = f"HTTP {status} {response.reason}"
                if status != 429 and status < 500:
                    raise JolpicaError(f"GET {url}: {last}", url=url, status=status)
                retry_after = _retry_after_s(response.headers.get("Retry-After"), now=self._clock())
            if attempt < self.max_attempts:
                delay = self._delay(attempt, retry_after)
                log.warning("GET %s: %s; attempt %d/%d, retrying in %.1fs", url, last, attempt, self.max_attempts,
                            delay)
                self._sleep(delay)
        exhausted = RateLimitedError if status == 429 else JolpicaUnavailableError
        raise exhausted(f"GET {url} failed after {self.max_attempts} attempts; last: {last}", url=url, status=status)

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        """Capped exponential back-off with jitter (50-100 % of the step), never shorter than ``Retry-After``."""
        step = min(self._backoff_cap_s, self._backoff_s * 2 ** (attempt - 1))
        delay = step * (0.5 + 0.5 * self._jitter())
        return max(delay, retry_after) if retry_after is not None else delay


def _decode(url: str, response: requests.Response) -> Any:
    try:
        return json.loads(response.content)
    except ValueError as exc:  # JSONDecodeError, or bytes that are not UTF-8 at all
        raise JolpicaResponseError(f"{url}: response body ({len(response.content)} bytes) is not valid JSON, "
                                   f"truncated or not an API response: {exc}", url=url,
                                   status=response.status_code) from exc


def _retry_after_s(value: str | None, *, now: float) -> float | None:
    """``Retry-After`` as seconds from now: either delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # RFC 9110 dates are GMT
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, when.timestamp() - now)


def _season_of(path: str) -> int | None:
    head = path.strip("/").split("/", 1)[0]
    return int(head) if head.isdigit() else None


def _merge_continuation(items: list[dict[str, Any]], page: list[dict[str, Any]]) -> None:
    """Append a page's items, joining an item split across the page boundary.

    Jolpica pages count the innermost rows (results, lap timings, standings), so a race, lap or standings list can
    end one page and continue on the next: the continuation repeats the same scalar fields with the rest of its
    lists. Leaf rows (no list fields) are never joined.
    """
    if items and page and _continues(items[-1], page[0]):
        for key, value in page[0].items():
            if isinstance(value, list):
                _merge_continuation(items[-1].setdefault(key, []), value)
        page = page[1:]
    items.extend(page)


def _continues(last: dict[str, Any], first: dict[str, Any]) -> bool:
    def scalars(item: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in item.items() if not isinstance(v, list)}

    if not (isinstance(last, dict) and isinstance(first, dict)):
        return False  # malformed items are reported by model validation, not here
    return any(isinstance(v, list) for v in first.values()) and scalars(last) == scalars(first)
