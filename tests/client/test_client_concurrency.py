"""Bounded concurrency, map_concurrent semantics, the shared request rate."""

from __future__ import annotations

import itertools
import threading
import time

import httpx
import pytest
from client_helpers import FakeClock, MakeClient, app_error, json_response

from reconciler.errors import NotFoundError


class InFlight:
    """A handler that records the peak number of requests in flight. Each request waits
    (up to `hold` seconds) for `target` requests to be in flight together, so the bound
    is reached reliably even on a slow machine, and a broken bound shows as peak > N."""

    def __init__(self, target: int = 1, hold: float = 0.5) -> None:
        self.target = target
        self.hold = hold
        self.current = 0
        self.peak = 0
        self.lock = threading.Condition()

    def handler(self, request: httpx.Request) -> httpx.Response:
        with self.lock:
            self.current += 1
            self.peak = max(self.peak, self.current)
            self.lock.notify_all()
            self.lock.wait_for(lambda: self.current >= self.target, timeout=self.hold)
        time.sleep(0.002)
        with self.lock:
            self.current -= 1
        if request.url.path.endswith("/missing"):
            return app_error(404, "app.team.get.find.app_error", "no team")
        return json_response({"path": request.url.path})


@pytest.mark.parametrize("parallelism", [1, 3, 8])
def test_map_concurrent_is_bounded_and_ordered(make_client: MakeClient, parallelism: int) -> None:
    server = InFlight(target=parallelism)
    client = make_client(server.handler, parallelism=parallelism, clock=time.monotonic)
    results = client.map_concurrent(lambda i: client.get(f"/api/v4/teams/{i}"), range(24))
    assert results == [{"path": f"/api/v4/teams/{i}"} for i in range(24)]
    assert server.peak == parallelism  # the bound is reached, never passed
    assert client.request_count == 24


def test_requests_are_bounded_across_foreign_threads(make_client: MakeClient) -> None:
    """Callers' own threads (or nested map_concurrent) still share the request bound."""
    server = InFlight(target=2)
    client = make_client(server.handler, parallelism=2, clock=time.monotonic)
    threads = [
        threading.Thread(target=lambda: [client.get("/api/v4/x") for _ in range(3)])
        for _ in range(6)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert server.peak == 2
    assert client.request_count == 18


def test_map_concurrent_reraises_the_first_error_after_in_flight_ones(
    make_client: MakeClient,
) -> None:
    server = InFlight(target=4, hold=0.01)
    client = make_client(server.handler, parallelism=4, clock=time.monotonic)
    started: list[int] = []
    finished: list[int] = []
    lock = threading.Lock()

    def fetch(i: int) -> object:
        with lock:
            started.append(i)
        result = client.get("/api/v4/teams/missing" if i == 2 else f"/api/v4/teams/{i}")
        with lock:
            finished.append(i)
        return result

    with pytest.raises(NotFoundError, match="no team"):
        client.map_concurrent(fetch, range(200))
    assert server.current == 0  # nothing still running when the error surfaced
    assert len(started) < 200  # items not yet started were cancelled
    assert sorted(finished) == sorted(i for i in started if i != 2)


def test_map_concurrent_empty_and_single(make_client: MakeClient) -> None:
    client = make_client(lambda request: json_response({}))
    assert client.map_concurrent(lambda i: i * 2, []) == []
    assert client.map_concurrent(lambda i: i * 2, [21]) == [42]


def test_rate_limit_spaces_requests_on_the_fake_clock(
    make_client: MakeClient, clock: FakeClock
) -> None:
    sent_at: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent_at.append(clock())
        return json_response({})

    client = make_client(handler, max_rps=4.0)
    for _ in range(9):
        client.get("/api/v4/users/me")
    gaps = [b - a for a, b in itertools.pairwise(sent_at)]
    assert gaps == pytest.approx([0.25] * 8)
    assert sent_at[-1] - sent_at[0] == pytest.approx(2.0)


def test_rate_limit_does_not_wait_when_requests_are_slow(
    make_client: MakeClient, clock: FakeClock
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        clock.now += 1.0  # each request takes a second
        return json_response({})

    client = make_client(handler, max_rps=2.0)
    for _ in range(3):
        client.get("/api/v4/users/me")
    assert clock.sleeps == []


def test_no_rate_limit_by_default(make_client: MakeClient, clock: FakeClock) -> None:
    client = make_client(lambda request: json_response({}))
    for _ in range(50):
        client.get("/api/v4/users/me")
    assert clock.sleeps == []


def test_rate_limit_is_shared_by_threads(make_client: MakeClient) -> None:
    sent_at: list[float] = []
    lock = threading.Lock()

    def handler(request: httpx.Request) -> httpx.Response:
        with lock:
            sent_at.append(time.monotonic())
        return json_response({})

    client = make_client(
        handler, max_rps=200.0, parallelism=8, clock=time.monotonic, sleep=time.sleep
    )
    client.map_concurrent(lambda i: client.get("/api/v4/users/me"), range(21))
    sent_at.sort()
    assert sent_at[-1] - sent_at[0] >= 20 / 200 * 0.95  # 21 requests need 20 intervals


def test_request_count_is_thread_safe(make_client: MakeClient) -> None:
    client = make_client(lambda request: json_response({}), parallelism=8, clock=time.monotonic)
    client.map_concurrent(lambda i: client.get("/api/v4/users/me"), range(400))
    assert client.request_count == 400
