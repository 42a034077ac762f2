"""The client against the sandbox over real HTTP (sockets, keep-alive, dropped answers)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from reconciler.client import Client
from reconciler.errors import NotFoundError, ServerError, UnauthorizedError
from reconciler.sandbox import Sandbox, SandboxOptions
from reconciler.sandbox.faults import FaultSpec
from reconciler.sandbox.server import RunningSandbox, start_in_thread

ADMIN_TOKEN = "clientsandboxadmintoken000"


@pytest.fixture(scope="module")
def server() -> Iterator[RunningSandbox]:
    running = start_in_thread(Sandbox(SandboxOptions(admin_token=ADMIN_TOKEN)))
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def sandbox(server: RunningSandbox) -> Sandbox:
    """A fresh sandbox behind the shared server, so no state leaks between tests."""
    fresh = Sandbox(SandboxOptions(admin_token=ADMIN_TOKEN))
    server._server.sandbox = fresh
    server.sandbox = fresh
    return fresh


@pytest.fixture
def client(server: RunningSandbox, sandbox: Sandbox) -> Iterator[Client]:
    with Client(server.url + "/", ADMIN_TOKEN, sleep=lambda seconds: None, timeout=10) as c:
        yield c


def find_team(client: Client, name: str) -> Any:
    def find() -> Any:
        try:
            return client.get(f"/api/v4/teams/name/{name}")
        except NotFoundError:
            return None

    return find


def new_team(client: Client, name: str) -> Any:
    body = {"name": name, "display_name": name.title(), "type": "O"}
    return client.create("/api/v4/teams", body, find_existing=find_team(client, name))


def test_check_server(client: Client, server: RunningSandbox) -> None:
    info = client.check_server()
    assert info.url == server.url
    assert info.version == "11.1.0"
    assert info.build == "18000000"
    assert info.licensed_header is True


def test_get_paged_over_many_pages(client: Client) -> None:
    names = [f"team-{i:02d}" for i in range(7)]
    created = client.map_concurrent(lambda name: new_team(client, name), names)
    assert [t["name"] for t in created] == names
    before = client.request_count
    small = client.get_paged("/api/v4/teams", per_page=2)
    assert client.request_count - before == 4  # 2 + 2 + 2 + 1
    full = client.get_paged("/api/v4/teams")
    assert sorted(t["name"] for t in small) == sorted(t["name"] for t in full)
    assert set(names) <= {t["name"] for t in full}
    assert len({t["id"] for t in small}) == len(small)


def test_get_paged_key_unwraps_total_count_shape(client: Client) -> None:
    for i in range(3):
        new_team(client, f"wrapped-{i}")
    teams = client.get_paged(
        "/api/v4/teams", {"include_total_count": "true"}, per_page=2, key="teams"
    )
    assert {f"wrapped-{i}" for i in range(3)} <= {t["name"] for t in teams}


def test_errors_from_the_real_server(client: Client, server: RunningSandbox) -> None:
    with pytest.raises(NotFoundError) as caught:
        client.get("/api/v4/teams/name/nope")
    assert caught.value.status == 404
    assert caught.value.error_id
    assert caught.value.request_id
    assert f"(request id: {caught.value.request_id})" in str(caught.value)
    with Client(server.url, "wrong-token") as stranger, pytest.raises(UnauthorizedError):
        stranger.get("/api/v4/users/me")


def test_create_with_lost_answer_makes_one_team(client: Client, sandbox: Sandbox) -> None:
    sandbox.faults.configure(
        FaultSpec(lost_response_rate=1.0, methods=["POST"], path_regex="^/api/v4/teams$")
    )
    before = client.request_count
    team = new_team(client, "lost-answer")
    assert sandbox.faults.counts["lost_response"] == 1
    assert client.request_count - before == 2  # the POST and the lookup; no second POST
    sandbox.faults.clear()
    assert team["name"] == "lost-answer"
    teams = client.get_paged("/api/v4/teams")
    assert [t["name"] for t in teams].count("lost-answer") == 1


def test_plain_post_with_lost_answer_is_not_repeated(client: Client, sandbox: Sandbox) -> None:
    sandbox.faults.configure(
        FaultSpec(lost_response_rate=1.0, methods=["POST"], path_regex="^/api/v4/teams$")
    )
    before = client.request_count
    with pytest.raises(ServerError, match=r"^POST /api/v4/teams failed: RemoteProtocolError"):
        client.post("/api/v4/teams", {"name": "once", "display_name": "Once", "type": "O"})
    assert client.request_count - before == 1
    sandbox.faults.clear()
    assert [t["name"] for t in client.get_paged("/api/v4/teams")].count("once") == 1


def test_reads_survive_injected_faults(client: Client, sandbox: Sandbox) -> None:
    for i in range(3):
        new_team(client, f"flaky-{i}")
    sandbox.faults.configure(
        FaultSpec(
            seed=3,
            error_rate=0.3,
            error_statuses=[502, 503, 504],
            rate_429=0.2,
            drop_rate=0.1,
            methods=["GET"],
        )
    )
    with Client(client.url, ADMIN_TOKEN, retries=20, sleep=lambda s: None) as patient:
        teams = patient.map_concurrent(
            lambda _: patient.get_paged("/api/v4/teams", per_page=2), range(6)
        )
        assert patient.request_count > 12  # faults were hit and retried
    counts = sandbox.faults.counts
    assert counts["error"] and counts["429"] and counts["drop"]
    for listing in teams:
        assert {f"flaky-{i}" for i in range(3)} <= {t["name"] for t in listing}
