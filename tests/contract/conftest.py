"""HTTP contract tests that judge the sandbox and the real server alike.

Every test here talks to a server only through Mattermost's API, so it runs twice: against
the sandbox over HTTP (always, offline) and against the real Mattermost of
`scripts/real-mattermost` (when MMRC_REAL_SERVER=1 and MM_URL / MM_TOKEN name it; the
real-server stage of `.ci/run` does). Each test asserts what the real server does; where the
sandbox answered otherwise, the sandbox was fixed (docs/fidelity.md lists each finding).

The real server lives across tests: every name a test makes is unique (`server.name()`).
With MMRC_RECORD_CASSETTES=1 the real runs are recorded, scrubbed by the live suite's recorder,
into tests/cassettes/contract_<test>.yaml; the offline suite replays them against the sandbox.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from contract_server import Server

from reconciler.sandbox import Sandbox, SandboxOptions
from reconciler.sandbox.server import RunningSandbox, start_in_thread

SANDBOX_TOKEN = "contractadmintoken000000000"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.path).startswith(here):
            item.add_marker(pytest.mark.contract)


def _real_target() -> tuple[str, str] | None:
    url, token = os.environ.get("MM_URL", ""), os.environ.get("MM_TOKEN", "")
    if os.environ.get("MMRC_REAL_SERVER") == "1" and url and token:
        return url.rstrip("/"), token
    return None


@pytest.fixture(scope="session")
def _transport() -> Iterator[httpx.HTTPTransport]:
    transport = httpx.HTTPTransport()
    yield transport
    transport.close()


@pytest.fixture(scope="session")
def _sandbox_server() -> Iterator[RunningSandbox]:
    running = start_in_thread(Sandbox(SandboxOptions(admin_token=SANDBOX_TOKEN)))
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(params=["sandbox", "real"])
def server(
    request: pytest.FixtureRequest,
    _transport: httpx.HTTPTransport,
    _sandbox_server: RunningSandbox,
) -> Server:
    if request.param == "real":
        target = _real_target()
        if target is None:
            pytest.skip("the real server: run `scripts/real-mattermost test` (MMRC_REAL_SERVER=1)")
        url, token = target
        return Server("real", url, token, _transport)
    fresh = Sandbox(SandboxOptions(admin_token=SANDBOX_TOKEN))
    _sandbox_server._server.sandbox = fresh
    _sandbox_server.sandbox = fresh
    return Server("sandbox", _sandbox_server.url, SANDBOX_TOKEN, _transport)


def _live_recorder() -> Any:
    """tests/live/conftest.py's recorder (Scrubber, cassette_path), loaded by path."""
    path = Path(__file__).parent.parent / "live" / "conftest.py"
    spec = importlib.util.spec_from_file_location("mmrc_live_recorder", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def _record_real_run(request: pytest.FixtureRequest) -> Iterator[None]:
    """With MMRC_RECORD_CASSETTES=1, record a contract test's real-server run."""
    callspec = getattr(request.node, "callspec", None)
    real = callspec is not None and callspec.params.get("server") == "real"
    wanted = getattr(request.module, "RECORD_CASSETTES", True)
    if os.environ.get("MMRC_RECORD_CASSETTES") != "1" or not real or not wanted:
        yield
        return
    if _real_target() is None:
        yield
        return
    import vcr

    recorder = _live_recorder()
    server: Server = request.getfixturevalue("server")
    path = recorder.cassette_path("contract_" + request.node.name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    scrubber = recorder.Scrubber(server.token)
    cassette = vcr.VCR(
        record_mode="all",
        decode_compressed_response=True,
        before_record_request=scrubber.request,
        before_record_response=scrubber.response,
    )
    with cassette.use_cassette(str(path)):
        server.admin.get("/api/v4/users/me")  # the anchor a replay maps the admin's id from
        yield
