"""Fault injection and the request log, for tests, benchmarks and fault drills.

(Owned by the sandbox-integrations work; this first version only fixes the
interface the HTTP server relies on.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from reconciler.sandbox.app import Request, Response


class FaultInjector:
    def before(self, req: Request) -> Response | Literal["drop"] | None:
        """Called before handling: a Response short-circuits (5xx, 429), "drop" closes the
        connection without an answer, None lets the request through (after any latency)."""
        return None

    def after(self, req: Request, response: Response) -> Literal["drop"] | None:
        """Called after handling: "drop" loses the answer although the write was done."""
        return None


class RequestLog:
    def record(self, req: Request, response: Response, seconds: float) -> None:
        return None
