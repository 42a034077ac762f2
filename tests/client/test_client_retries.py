"""Retries: which requests, on what, how long to wait."""

from __future__ import annotations

import httpx
import pytest
from client_helpers import FakeClock, Handler, MakeClient, app_error, json_response

from reconciler.errors import ServerError


def sequence(*steps: object) -> tuple[list[httpx.Request], Handler]:
    """A handler answering with each step in turn (an exception type is raised)."""
    seen: list[httpx.Request] = []
    queue = list(steps)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        step = queue.pop(0)
        if isinstance(step, type) and issubclass(step, Exception):
            raise step("simulated", request=request)  # type: ignore[call-arg]
        assert isinstance(step, httpx.Response)
        return step

    return seen, handler


def rate_limited(retry_after: str | None = "2") -> httpx.Response:
    headers = {"Content-Type": "text/plain", "X-RateLimit-Limit": "10"}
    if retry_after is not None:
        headers["Retry-After"] = retry_after
    return httpx.Response(429, text="limit exceeded\n", headers=headers)


def test_429_honours_retry_after(make_client: MakeClient, clock: FakeClock) -> None:
    seen, handler = sequence(rate_limited("2"), json_response({"ok": 1}))
    client = make_client(handler)
    assert client.get("/api/v4/users/me") == {"ok": 1}
    assert len(seen) == 2
    assert clock.sleeps == [2.0]
    assert client.request_count == 2


def test_retry_after_is_capped_by_backoff_max(make_client: MakeClient, clock: FakeClock) -> None:
    _seen, handler = sequence(rate_limited("120"), json_response([]))
    client = make_client(handler, backoff_max=3.0)
    assert client.get("/api/v4/teams") == []
    assert clock.sleeps == [3.0]


def test_429_without_retry_after_uses_jittered_backoff(
    make_client: MakeClient, clock: FakeClock
) -> None:
    _seen, handler = sequence(rate_limited(None), rate_limited(None), json_response([]))
    client = make_client(handler, backoff_base=0.5)
    assert client.get("/api/v4/teams") == []
    assert len(clock.sleeps) == 2
    assert 0 <= clock.sleeps[0] <= 0.5
    assert 0 <= clock.sleeps[1] <= 1.0


def test_429_pauses_requests_of_other_threads(make_client: MakeClient, clock: FakeClock) -> None:
    """While one request waits out a Retry-After, another one must wait too."""
    seen, handler = sequence(rate_limited("4"), json_response("b"), json_response("a"))
    other: list[object] = []

    def sleep(seconds: float) -> None:
        clock.sleeps.append(seconds)
        if not other:  # a second caller arrives while the first one backs off
            other.append(None)
            other.append(client.get("/api/v4/b"))
        clock.now += seconds

    client = make_client(handler, sleep=sleep)
    assert client.get("/api/v4/a") == "a"
    assert other[1] == "b"
    assert clock.sleeps == [4.0, 4.0]  # the backoff of the first, the pause of the second
    assert [r.url.path for r in seen] == ["/api/v4/a", "/api/v4/b", "/api/v4/a"]


@pytest.mark.parametrize("status", [502, 503, 504])
def test_gateway_errors_are_retried(make_client: MakeClient, status: int) -> None:
    seen, handler = sequence(
        httpx.Response(status, text="<html>bad gateway</html>"), json_response({"id": "x"})
    )
    client = make_client(handler)
    assert client.get("/api/v4/teams/x") == {"id": "x"}
    assert len(seen) == 2


def test_500_is_not_retried(make_client: MakeClient) -> None:
    seen, handler = sequence(app_error(500, "app.team.get.app_error", "boom"))
    client = make_client(handler)
    with pytest.raises(ServerError, match=r"500 app\.team\.get\.app_error: boom"):
        client.get("/api/v4/teams/x")
    assert len(seen) == 1


@pytest.mark.parametrize(
    "exc", [httpx.ConnectError, httpx.ReadTimeout, httpx.ReadError, httpx.RemoteProtocolError]
)
def test_transport_failures_are_retried_for_get(make_client: MakeClient, exc: type) -> None:
    seen, handler = sequence(exc, json_response([1]))
    client = make_client(handler)
    assert client.get("/api/v4/teams") == [1]
    assert len(seen) == 2


def test_put_and_delete_are_retried(make_client: MakeClient) -> None:
    seen, handler = sequence(
        httpx.ReadTimeout, json_response({"id": "c"}), httpx.Response(503), json_response({})
    )
    client = make_client(handler)
    assert client.put("/api/v4/channels/c/patch", {"header": "h"}) == {"id": "c"}
    assert client.delete("/api/v4/channels/c") == {}
    assert [r.method for r in seen] == ["PUT", "PUT", "DELETE", "DELETE"]


def test_retries_are_bounded_and_backoff_is_full_jitter(
    make_client: MakeClient, clock: FakeClock
) -> None:
    seen, handler = sequence(*[httpx.Response(503)] * 4)
    client = make_client(handler, retries=3, backoff_base=1.0, backoff_max=2.5)
    with pytest.raises(ServerError, match=r"^GET /api/v4/teams failed: 503") as caught:
        client.get("/api/v4/teams")
    assert caught.value.status == 503
    assert len(seen) == 4
    assert len(clock.sleeps) == 3
    for attempt, slept in enumerate(clock.sleeps):
        assert 0 <= slept <= min(2.5, 1.0 * 2**attempt)


def test_jitter_spreads_delays(make_client: MakeClient, clock: FakeClock) -> None:
    _seen, handler = sequence(*[httpx.Response(503)] * 30)
    client = make_client(handler, retries=29, backoff_base=1.0, backoff_max=1.0)
    with pytest.raises(ServerError):
        client.get("/api/v4/teams")
    assert len(set(clock.sleeps)) > 20  # random, not a fixed schedule


def test_exhausted_connection_failures_raise_server_error(make_client: MakeClient) -> None:
    _seen, handler = sequence(*[httpx.ConnectError] * 3)
    client = make_client(handler, retries=2)
    with pytest.raises(ServerError, match=r"ConnectError.*after 3 attempts") as caught:
        client.get("/api/v4/teams")
    assert caught.value.status is None
    assert caught.value.__cause__ is None and caught.value.__context__ is None
    assert client.request_count == 3


@pytest.mark.parametrize(
    "failure", [httpx.Response(503), httpx.Response(502), httpx.ReadTimeout, httpx.ReadError]
)
def test_plain_post_is_not_retried_when_it_may_have_arrived(
    make_client: MakeClient, failure: object
) -> None:
    seen, handler = sequence(failure, json_response({"id": "dup"}))
    client = make_client(handler)
    with pytest.raises(ServerError):
        client.post("/api/v4/teams", {"name": "a"})
    assert len(seen) == 1


def test_plain_post_is_retried_when_it_never_arrived(make_client: MakeClient) -> None:
    seen, handler = sequence(httpx.ConnectError, rate_limited("1"), json_response({"id": "t"}, 201))
    client = make_client(handler)
    assert client.post("/api/v4/teams", {"name": "a"}) == {"id": "t"}
    assert len(seen) == 3


def test_idempotent_post_is_retried(make_client: MakeClient) -> None:
    seen, handler = sequence(httpx.ReadTimeout, httpx.Response(503), json_response([{"id": "u"}]))
    client = make_client(handler)
    assert client.post("/api/v4/users/usernames", ["alice"], idempotent=True) == [{"id": "u"}]
    assert len(seen) == 3
    assert all(r.read() == b'["alice"]' for r in seen)


def test_zero_retries(make_client: MakeClient) -> None:
    seen, handler = sequence(httpx.Response(503), json_response({}))
    client = make_client(handler, retries=0)
    with pytest.raises(ServerError):
        client.get("/api/v4/teams")
    assert len(seen) == 1
