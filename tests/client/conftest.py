"""Fixtures of the client tests: a fake clock and clients bound to a MockTransport."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from client_helpers import BASE, TOKEN, FakeClock, Handler, MakeClient

from reconciler.client import Client


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_client(clock: FakeClock) -> Iterator[MakeClient]:
    """make_client(handler, **client_kwargs): a Client on MockTransport(handler) + fake clock."""
    made: list[Client] = []

    def make(handler: Handler, **kwargs: Any) -> Client:
        kwargs.setdefault("clock", clock)
        kwargs.setdefault("sleep", clock.sleep)
        kwargs.setdefault("rng", random.Random(7))
        client = Client(
            kwargs.pop("url", BASE),
            kwargs.pop("token", TOKEN),
            transport=httpx.MockTransport(handler),
            **kwargs,
        )
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()
