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
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from reconciler.sandbox import Sandbox, SandboxOptions
from reconciler.sandbox.server import RunningSandbox, start_in_thread

SANDBOX_TOKEN = "contractadmintoken000000000"
PASSWORD = "Contract-pass-1"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.path).startswith(here):
            item.add_marker(pytest.mark.contract)


@dataclass
class Server:
    """One server under test, driven through its API as its system admin."""

    kind: str  # "sandbox" or "real"
    url: str
    token: str
    transport: httpx.HTTPTransport
    made: list[str] = field(default_factory=list)

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(
            base_url=self.url, headers=headers, timeout=30, transport=self.transport
        )

    @property
    def admin(self) -> httpx.Client:
        return self.client(self.token)

    def name(self, prefix: str = "c") -> str:
        """A name no other test (or run) uses: lower-case letters and digits."""
        return f"{prefix}{secrets.token_hex(5)}"

    def ok(self, response: httpx.Response, status: int | None = None) -> Any:
        assert response.status_code < 400, response.text
        if status is not None:
            assert response.status_code == status, response.text
        return response.json() if response.content else None

    def patch_config(self, patch: dict[str, Any]) -> dict[str, Any]:
        found: dict[str, Any] = self.ok(self.admin.put("/api/v4/config/patch", json=patch))
        return found

    def user(self, *, guest: bool = False) -> dict[str, Any]:
        name = self.name("u")
        body = {"username": name, "email": f"{name}@example.com", "password": PASSWORD}
        user: dict[str, Any] = self.ok(self.admin.post("/api/v4/users", json=body), 201)
        if guest:
            self.patch_config({"GuestAccountsSettings": {"Enable": True}})
            self.ok(self.admin.post(f"/api/v4/users/{user['id']}/demote"))
        return user

    def token_for(self, user: dict[str, Any]) -> str:
        """A personal access token for `user` (created by the admin)."""
        self.patch_config({"ServiceSettings": {"EnableUserAccessTokens": True}})
        made = self.ok(
            self.admin.post(f"/api/v4/users/{user['id']}/tokens", json={"description": "contract"})
        )
        return str(made["token"])

    def team(self, type: str = "O") -> dict[str, Any]:
        body = {"name": self.name("t"), "display_name": "Contract", "type": type}
        team: dict[str, Any] = self.ok(self.admin.post("/api/v4/teams", json=body), 201)
        return team

    def channel(self, team: dict[str, Any], type: str = "O", **extra: Any) -> dict[str, Any]:
        body = {
            "team_id": team["id"],
            "name": self.name("ch"),
            "display_name": "Contract channel",
            "type": type,
            **extra,
        }
        channel: dict[str, Any] = self.ok(self.admin.post("/api/v4/channels", json=body), 201)
        return channel

    def join(self, team: dict[str, Any], user: dict[str, Any], *channels: dict[str, Any]) -> None:
        member = {"team_id": team["id"], "user_id": user["id"]}
        self.ok(self.admin.post(f"/api/v4/teams/{team['id']}/members", json=member))
        for channel in channels:
            body = {"user_id": user["id"]}
            self.ok(self.admin.post(f"/api/v4/channels/{channel['id']}/members", json=body))


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
