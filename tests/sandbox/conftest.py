"""Shared sandbox fixtures.

- `sandbox`: a fresh Sandbox (seed `empty`) whose admin token is `ADMIN_TOKEN`.
- `url`: the base URL of a real HTTP server serving that sandbox (one server per
  session; each test swaps in its own fresh sandbox, so state never leaks).
- `http`: an httpx.Client on `url` with the admin's bearer token.
- `client_for(token)`: more clients (plain users, guests, no token).
- `login(user)`: a session token for a user record (what /users/login would give).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from sandbox_helpers import ADMIN_TOKEN, make_sandbox

from reconciler.sandbox import Sandbox
from reconciler.sandbox.server import RunningSandbox, start_in_thread


@pytest.fixture
def sandbox() -> Sandbox:
    return make_sandbox()


@pytest.fixture(scope="session")
def _server() -> Iterator[RunningSandbox]:
    running = start_in_thread(make_sandbox())
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def url(_server: RunningSandbox, sandbox: Sandbox) -> str:
    _server._server.sandbox = sandbox
    _server.sandbox = sandbox
    return _server.url


@pytest.fixture(scope="session")
def _transport() -> Iterator[httpx.HTTPTransport]:
    # One transport (and SSL context, connection pool) for the whole session: making
    # an httpx.Client per test is otherwise the slowest part of these tests.
    transport = httpx.HTTPTransport()
    yield transport
    transport.close()


@pytest.fixture
def client_for(url: str, _transport: httpx.HTTPTransport) -> Callable[[str | None], httpx.Client]:
    def make(token: str | None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        # not closed per test: closing a client would close the shared transport
        return httpx.Client(base_url=url, headers=headers, timeout=10, transport=_transport)

    return make


@pytest.fixture
def http(client_for: Callable[[str | None], httpx.Client]) -> httpx.Client:
    return client_for(ADMIN_TOKEN)


@pytest.fixture
def login(sandbox: Sandbox) -> Callable[[Any], str]:
    def make(user: Any) -> str:
        with sandbox.lock:
            return sandbox.core.create_session(getattr(user, "id", user))

    return make
