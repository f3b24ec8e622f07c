"""Client-side enforcement of Jolpica's published limits, so we wait before the server has to answer 429."""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

log = logging.getLogger("undercut.jolpica")

Clock = Callable[[], float]  # seconds; wall clock by default so it also serves cache ages and Retry-After dates
Sleep = Callable[[float], None]


@dataclass(frozen=True)
class Limit:
    requests: int
    per_s: float


# https://github.com/jolpica/jolpica-f1/blob/main/docs/rate_limits.md (unauthenticated access)
JOLPICA_LIMITS: tuple[Limit, ...] = (Limit(4, 1.0), Limit(500, 3600.0))


class RateLimiter:
    """Sliding windows: a request may start only while fewer than ``requests`` started in the last ``per_s`` seconds.

    Unlike a refilling token bucket this never lets a burst straddle a window edge, which is exactly how the server
    counts, so staying inside it means never being throttled.
    """

    def __init__(self, limits: Sequence[Limit] = JOLPICA_LIMITS, *, clock: Clock = time.time,
                 sleep: Sleep = time.sleep) -> None:
        self._windows = [(limit, deque[float]()) for limit in limits]
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()  # one limiter may be shared by every client of a process

    def acquire(self) -> float:
        """Block until one more request is allowed, record it, and return the seconds waited."""
        waited = 0.0
        with self._lock:
            while True:
                now = self._clock()
                waits = {limit: self._wait(limit, starts, now) for limit, starts in self._windows}
                limit = max(waits, key=waits.__getitem__, default=None)
                if limit is None or waits[limit] <= 0:
                    break
                if waits[limit] >= 5:
                    log.info("rate limit %d requests/%gs reached: waiting %.0fs", limit.requests, limit.per_s,
                             waits[limit])
                self._sleep(waits[limit])
                waited += waits[limit]
            for _, starts in self._windows:
                starts.append(now)
        return waited

    @staticmethod
    def _wait(limit: Limit, starts: deque[float], now: float) -> float:
        while starts and starts[0] <= now - limit.per_s:
            starts.popleft()
        return starts[0] + limit.per_s - now if len(starts) >= limit.requests else 0.0
