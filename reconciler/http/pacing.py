"""How fast the client may go: a request rate shared by all threads, and 429 pauses.

`Pacer` spaces requests evenly (`max_rps`: a token bucket of size one) and,
after a 429, holds every thread until its `Retry-After` has passed. Slots are
reserved under the lock; the wait happens outside it. `retry_after` reads how
long a server asks a client to wait.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Mapping


class Pacer:
    """A token bucket of size one (even spacing) shared by all threads, plus a shared
    pause after a 429."""

    def __init__(
        self, max_rps: float | None, clock: Callable[[], float], sleep: Callable[[float], None]
    ) -> None:
        self.interval = 1.0 / max_rps if max_rps else 0.0
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next = -math.inf
        self._paused_until = -math.inf

    def acquire(self) -> None:
        with self._lock:
            now = self._clock()
            slot = max(now, self._paused_until, self._next)
            if self.interval:
                self._next = slot + self.interval
        if slot > now:
            self._sleep(slot - now)

    def pause(self, seconds: float) -> None:
        with self._lock:
            self._paused_until = max(self._paused_until, self._clock() + seconds)


def retry_after(headers: Mapping[str, str]) -> float | None:
    """The seconds `Retry-After` (else `X-RateLimit-Reset`) asks for; None when neither
    holds a number of seconds (an HTTP-date falls back to the computed backoff)."""
    advised = _seconds(headers.get("Retry-After"))
    if advised is None:
        advised = _seconds(headers.get("X-RateLimit-Reset"))
    return advised


def _seconds(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None  # an HTTP-date: fall back to the computed backoff
    if math.isnan(seconds) or seconds < 0:
        return None
    return seconds
