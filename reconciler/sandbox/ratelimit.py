"""Rate limiting as Mattermost's RateLimitSettings (MM app/ratelimit.go, which wraps
throttled's GCRA): `PerSec` requests a second with bursts of `MaxBurst`, keyed by
the remote address (`VaryByRemoteAddr`), the token (`VaryByUser`, falling back to
the address) and the lower-cased value of the `VaryByHeader` header. A denied
request gets 429 with the plain-text body `limit exceeded\\n`; every answer carries
`X-RateLimit-Limit/Remaining/Reset`, a denial also `Retry-After`.

Unlike a real server, which reads these settings once at start, the sandbox
rebuilds its limiter whenever the settings change.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reconciler.sandbox.app import Request, Response


@dataclass(frozen=True)
class RateLimitSettings:
    enable: bool = False
    per_sec: int = 10
    max_burst: int = 100
    memory_store_size: int = 10000
    vary_by_remote_addr: bool = True
    vary_by_user: bool = False
    vary_by_header: str = ""

    @classmethod
    def from_config(cls, section: dict[str, Any]) -> RateLimitSettings:
        return cls(
            enable=bool(section.get("Enable")),
            per_sec=int(section.get("PerSec") or 10),
            max_burst=int(section.get("MaxBurst") or 100),
            memory_store_size=int(section.get("MemoryStoreSize") or 10000),
            vary_by_remote_addr=bool(section.get("VaryByRemoteAddr")),
            vary_by_user=bool(section.get("VaryByUser")),
            vary_by_header=str(section.get("VaryByHeader") or ""),
        )


@dataclass(frozen=True)
class Decision:
    limited: bool
    limit: int
    remaining: int
    reset_after: float  # seconds until the bucket is full again
    retry_after: float  # seconds until a request would pass (0 when allowed)

    def headers(self) -> dict[str, str]:
        headers = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(math.ceil(self.reset_after)),
        }
        if self.limited:
            headers["Retry-After"] = str(max(1, math.ceil(self.retry_after)))
        return headers


class GCRA:
    """Generic cell rate algorithm over a bounded LRU of theoretical arrival times."""

    def __init__(
        self,
        per_sec: int,
        max_burst: int,
        store_size: int = 10000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.emission = 1.0 / per_sec
        self.tolerance = self.emission * max_burst
        self.limit = max_burst + 1
        self.store_size = store_size
        self.clock = clock
        self._tat: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def check(self, key: str) -> Decision:
        with self._lock:
            now = self.clock()
            tat = max(self._tat.get(key, now), now)
            new_tat = tat + self.emission
            allow_at = new_tat - self.tolerance - self.emission
            if now < allow_at - 1e-9:  # float noise must not deny an exact refill
                return Decision(True, self.limit, 0, tat - now, allow_at - now)
            self._tat[key] = new_tat
            self._tat.move_to_end(key)
            while len(self._tat) > self.store_size:
                self._tat.popitem(last=False)
            ttl = new_tat - now
            remaining = int((self.tolerance + self.emission - ttl) / self.emission + 1e-9)
            return Decision(False, self.limit, max(0, remaining), ttl, 0.0)


class RateLimiter:
    """Checks requests against the current RateLimitSettings of the config."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._settings: RateLimitSettings | None = None
        self._gcra: GCRA | None = None

    def _limiter(self, settings: RateLimitSettings) -> GCRA:
        if self._gcra is None or settings != self._settings:
            self._settings = settings
            self._gcra = GCRA(
                settings.per_sec, settings.max_burst, settings.memory_store_size, self.clock
            )
        return self._gcra

    @staticmethod
    def key(req: Request, settings: RateLimitSettings, token: str) -> str:
        key = ""
        if settings.vary_by_user:
            key = token or req.remote_addr
        elif settings.vary_by_remote_addr:
            key = req.remote_addr
        if settings.vary_by_header:
            key += req.headers.get(settings.vary_by_header.lower(), "").lower()
        return key

    def check(self, req: Request, settings: RateLimitSettings, token: str = "") -> Decision | None:
        if not settings.enable or settings.per_sec <= 0 or settings.max_burst <= 0:
            return None
        return self._limiter(settings).check(self.key(req, settings, token))


def limited_response(decision: Decision) -> Response:
    from reconciler.sandbox.app import Response

    headers = {
        "Content-Type": "text/plain; charset=utf-8",
        "X-Content-Type-Options": "nosniff",
        **decision.headers(),
    }
    return Response(429, b"limit exceeded\n", headers)
