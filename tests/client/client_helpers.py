"""Shared helpers of the client tests (a fake clock, response builders)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import httpx

from reconciler.client import Client

BASE = "http://mm.test"
TOKEN = "test-token-0123456789abcdefghij"


class FakeClock:
    """`clock()` returns fake time; `sleep(s)` records s and advances it. Thread-safe."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.now += seconds


Handler = Callable[[httpx.Request], httpx.Response]
MakeClient = Callable[..., Client]


def json_response(data: Any, status: int = 200, /, **headers: str) -> httpx.Response:
    return httpx.Response(status, json=data, headers=headers)


def app_error(status: int, error_id: str, message: str, request_id: str = "req1") -> httpx.Response:
    body = {
        "id": error_id,
        "message": message,
        "detailed_error": "",
        "request_id": request_id,
        "status_code": status,
    }
    return httpx.Response(status, json=body, headers={"X-Request-Id": request_id})
