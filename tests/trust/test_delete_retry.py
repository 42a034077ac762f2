"""A retried DELETE answered 404 after a lost answer is success; a plain 404 is not."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from reconciler.client import Client
from reconciler.errors import NotFoundError

PATH = "/api/v4/hooks/outgoing/abc123"


def scripted(*steps: Callable[[httpx.Request], httpx.Response]) -> tuple[Client, list[str]]:
    seen: list[str] = []
    queue = list(steps)

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request.method)
        return queue.pop(0)(request)

    client = Client(
        "https://chat.example.com",
        "token",
        transport=httpx.MockTransport(handle),
        sleep=lambda seconds: None,
    )
    return client, seen


def lost(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout("the answer was lost", request=request)


def gone(request: httpx.Request) -> httpx.Response:
    return httpx.Response(404, json={"id": "app.webhooks.get_outgoing.app_error", "message": "x"})


def bad_gateway(request: httpx.Request) -> httpx.Response:
    return httpx.Response(502, text="bad gateway")


@pytest.mark.parametrize("first", [lost, bad_gateway])
def test_a_404_after_an_attempt_that_may_have_deleted_is_success(
    first: Callable[[httpx.Request], httpx.Response],
) -> None:
    client, seen = scripted(first, gone)
    with client:
        assert client.delete(PATH) is None
    assert seen == ["DELETE", "DELETE"]


def test_a_404_on_the_first_attempt_is_still_an_error() -> None:
    client, _ = scripted(gone)
    with client, pytest.raises(NotFoundError):
        client.delete(PATH)


def test_a_get_is_not_affected() -> None:
    client, _ = scripted(lost, gone)
    with client, pytest.raises(NotFoundError):
        client.get(PATH)
