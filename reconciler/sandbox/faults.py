"""Fault injection and the request log, for tests, benchmarks and fault drills.

A `FaultSpec` (the JSON body of `PUT /__sandbox__/faults`) applies to requests
whose method is in `methods` (all when empty) and whose path matches
`path_regex` (all when empty); `/__sandbox__/` itself is never faulted. Per
matching request, with one RNG seeded by `seed` (so a run is repeatable):

1. sleep `latency_ms` (a number, or `[min, max]` for a uniform pick);
2. with `drop_rate`: close the connection before handling (nothing happened);
3. with `error_rate`: answer one of `error_statuses` (500 as a JSON AppError,
   502/503/504 as a proxy's plain text) without handling;
4. with `rate_429`: answer 429 `limit exceeded` with `Retry-After: retry_after`;
5. after handling, with `lost_response_rate`: close the connection although the
   write was done — the case where a retry creates a duplicate.

The in-process transport raises `httpx.RemoteProtocolError` where the HTTP
server would close the connection.
"""

from __future__ import annotations

import json
import random
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from reconciler.sandbox.app import Request, Response

ADMIN_PREFIX = "/__sandbox__/"
_PROXY_TEXT = {502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}


class FaultSpecError(ValueError):
    pass


@dataclass
class FaultSpec:
    seed: int | None = None
    latency_ms: float | list[float] = 0
    error_rate: float = 0.0
    error_statuses: list[int] = field(default_factory=lambda: [500, 502, 503])
    rate_429: float = 0.0
    retry_after: int = 1
    drop_rate: float = 0.0
    lost_response_rate: float = 0.0
    methods: list[str] = field(default_factory=list)
    path_regex: str = ""

    @classmethod
    def from_json(cls, data: Any) -> FaultSpec:
        if not isinstance(data, dict):
            raise FaultSpecError("the fault spec must be a JSON object")
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(data) - known)
        if unknown:
            raise FaultSpecError(f"unknown fault setting(s): {', '.join(unknown)}")
        spec = cls(**data)
        spec.validate()
        return spec

    def validate(self) -> None:
        for name in ("error_rate", "rate_429", "drop_rate", "lost_response_rate"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not 0 <= value <= 1:
                raise FaultSpecError(f"{name} must be a number between 0 and 1")
        latency = self.latency_ms
        bounds = latency if isinstance(latency, list) else [latency, latency]
        if len(bounds) != 2 or not all(isinstance(b, (int, float)) and b >= 0 for b in bounds):
            raise FaultSpecError("latency_ms must be a non-negative number or [min, max]")
        if not self.error_statuses or not all(
            isinstance(s, int) and 500 <= s <= 599 for s in self.error_statuses
        ):
            raise FaultSpecError("error_statuses must be a non-empty list of 5xx codes")
        if self.seed is not None and not isinstance(self.seed, int):
            raise FaultSpecError("seed must be an integer")
        try:
            re.compile(self.path_regex)
        except (re.error, TypeError):
            raise FaultSpecError("path_regex is not a valid regular expression") from None
        self.methods = [str(m).upper() for m in self.methods]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class FaultInjector:
    """Decides, per request, whether to delay, fail, throttle or drop it."""

    def __init__(self, spec: FaultSpec | None = None) -> None:
        self._lock = threading.Lock()
        self.configure(spec or FaultSpec())
        self.sleep: Callable[[float], None] = time.sleep

    def configure(self, spec: FaultSpec) -> None:
        with self._lock:
            self.spec = spec
            self._rng = random.Random(spec.seed)
            self._path = re.compile(spec.path_regex) if spec.path_regex else None
            self.counts: dict[str, int] = {
                "latency": 0, "drop": 0, "error": 0, "429": 0, "lost_response": 0
            }  # fmt: skip

    def clear(self) -> None:
        self.configure(FaultSpec())

    def _applies(self, req: Request) -> bool:
        if req.path.startswith(ADMIN_PREFIX):
            return False
        if self.spec.methods and req.method not in self.spec.methods:
            return False
        return self._path is None or bool(self._path.search(req.path))

    def _roll(self, rate: float) -> bool:
        return rate > 0 and self._rng.random() < rate

    def before(self, req: Request) -> Response | Literal["drop"] | None:
        """Called before handling: a Response short-circuits (5xx, 429), "drop" closes the
        connection without an answer, None lets the request through (after any latency)."""
        if not self._applies(req):
            return None
        spec = self.spec
        with self._lock:
            latency = spec.latency_ms
            delay = (
                self._rng.uniform(latency[0], latency[1])
                if isinstance(latency, list)
                else float(latency)
            )
            dropped = self._roll(spec.drop_rate)
            failed = not dropped and self._roll(spec.error_rate)
            status = self._rng.choice(spec.error_statuses) if failed else 0
            throttled = not dropped and not failed and self._roll(spec.rate_429)
            for name, hit in (
                ("latency", delay > 0), ("drop", dropped), ("error", failed), ("429", throttled)
            ):  # fmt: skip
                self.counts[name] += int(hit)
        if delay > 0:
            self.sleep(delay / 1000)
        if dropped:
            return "drop"
        if failed:
            return _error_response(req, status)
        if throttled:
            return _throttled_response(spec.retry_after)
        return None

    def after(self, req: Request, response: Response) -> Literal["drop"] | None:
        """Called after handling: "drop" loses the answer although the write was done."""
        if not self._applies(req):
            return None
        with self._lock:
            lost = self._roll(self.spec.lost_response_rate)
            self.counts["lost_response"] += int(lost)
        return "drop" if lost else None


def _error_response(req: Request, status: int) -> Response:
    from reconciler.sandbox.app import JSON_CONTENT_TYPE, Response

    if status in _PROXY_TEXT:
        text = f"{status} {_PROXY_TEXT[status]}\n"
        return Response(status, text.encode(), {"Content-Type": "text/plain; charset=utf-8"})
    body = {
        "id": "app.sandbox.injected_fault.app_error",
        "message": "An injected fault (mmrc sandbox).",
        "detailed_error": "",
        "request_id": req.request_id,
        "status_code": status,
    }
    return Response(status, json.dumps(body).encode(), {"Content-Type": JSON_CONTENT_TYPE})


def _throttled_response(retry_after: int) -> Response:
    from reconciler.sandbox.app import Response

    headers = {"Content-Type": "text/plain; charset=utf-8", "Retry-After": str(retry_after)}
    return Response(429, b"limit exceeded\n", headers)


@dataclass(frozen=True)
class LogEntry:
    method: str
    path: str
    status: int
    duration_ms: float
    at: float
    fault: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class RequestLog:
    """The last `capacity` requests (method, path, status, duration); admin calls excluded."""

    def __init__(self, capacity: int = 10000) -> None:
        self.entries: deque[LogEntry] = deque(maxlen=capacity)

    def record(self, req: Request, response: Response, seconds: float, fault: str = "") -> None:
        if req.path.startswith(ADMIN_PREFIX):
            return
        self.entries.append(
            LogEntry(
                req.method, req.path, response.status, round(seconds * 1000, 3), time.time(), fault
            )
        )

    def clear(self) -> None:
        self.entries.clear()

    def to_json(self) -> list[dict[str, Any]]:
        return [entry.to_json() for entry in list(self.entries)]
