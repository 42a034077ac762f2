"""`create`: a POST made safe to retry by looking the object up when its answer is lost."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from client_helpers import MakeClient, app_error, json_response

from reconciler.errors import ClientError, ServerError


class TeamServer:
    """A tiny fake server: POST /api/v4/teams stores a team, GET /name/<n> finds it.

    `faults` is a list consumed by POSTs: "lose" / "lose-conn" store the team and then
    drop the answer (read timeout / connection closed), ("write", status) stores it and
    answers `status`, "lose-before" fails to connect, an int answers that status without
    storing, None behaves normally."""

    def __init__(self, *faults: Any) -> None:
        self.faults = list(faults)
        self.teams: dict[str, dict[str, Any]] = {}
        self.posts = 0
        self.lookups = 0

    def handler(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            self.posts += 1
            fault = self.faults.pop(0) if self.faults else None
            body = httpx.Response(200, content=request.read()).json()
            if fault == "lose-before":
                raise httpx.ConnectTimeout("simulated", request=request)
            if isinstance(fault, int):
                return httpx.Response(fault, text="")
            if body["name"] in self.teams:
                return app_error(400, "store.sql_team.save.domain_exists.app_error", "exists")
            team = {"id": f"id-{len(self.teams)}", "name": body["name"]}
            self.teams[body["name"]] = team
            if isinstance(fault, tuple):
                return httpx.Response(fault[1], text="")
            if fault == "lose":
                raise httpx.ReadTimeout("simulated", request=request)
            if fault == "lose-conn":
                raise httpx.RemoteProtocolError("simulated", request=request)
            return json_response(team, 201)
        if request.url.path == "/api/v4/teams":
            self.lookups += 1
            return json_response(list(self.teams.values()))
        return app_error(404, "api.context.404.app_error", "not found")

    def find(self, client: Any, name: str) -> Any:
        def find_existing() -> Any:
            matches = [t for t in client.get_paged("/api/v4/teams") if t["name"] == name]
            return matches[0] if matches else None

        return find_existing


def make(make_client: MakeClient, server: TeamServer, **kwargs: Any) -> Any:
    return make_client(server.handler, **kwargs)


@pytest.mark.parametrize(
    "fault", ["lose", "lose-conn", ("write", 500), ("write", 502), ("write", 504)]
)
def test_lost_answer_after_write_finds_the_object_and_does_not_post_again(
    make_client: MakeClient, fault: Any
) -> None:
    server = TeamServer(fault)
    client = make(make_client, server)
    team = client.create("/api/v4/teams", {"name": "asd"}, find_existing=server.find(client, "asd"))
    assert team == {"id": "id-0", "name": "asd"}
    assert server.posts == 1
    assert server.lookups == 1
    assert len(server.teams) == 1


def test_lookup_finds_nothing_so_the_post_is_retried(make_client: MakeClient) -> None:
    server = TeamServer(503, 503)
    client = make(make_client, server)
    team = client.create("/api/v4/teams", {"name": "asd"}, find_existing=server.find(client, "asd"))
    assert team["name"] == "asd"
    assert server.posts == 3
    assert server.lookups == 2
    assert len(server.teams) == 1


def test_request_that_never_left_is_retried_without_lookup(make_client: MakeClient) -> None:
    server = TeamServer("lose-before", None)
    client = make(make_client, server)
    team = client.create("/api/v4/teams", {"name": "asd"}, find_existing=server.find(client, "asd"))
    assert team["name"] == "asd"
    assert server.posts == 2
    assert server.lookups == 0


def test_429_is_retried_without_lookup(make_client: MakeClient) -> None:
    server = TeamServer(429, None)
    client = make(make_client, server)
    client.create("/api/v4/teams", {"name": "asd"}, find_existing=server.find(client, "asd"))
    assert server.posts == 2
    assert server.lookups == 0


def test_success_needs_no_lookup(make_client: MakeClient) -> None:
    server = TeamServer()
    client = make(make_client, server)
    team = client.create("/api/v4/teams", {"name": "asd"}, find_existing=server.find(client, "asd"))
    assert team == {"id": "id-0", "name": "asd"}
    assert (server.posts, server.lookups) == (1, 0)


def test_client_error_is_raised_without_lookup(make_client: MakeClient) -> None:
    server = TeamServer()
    server.teams["asd"] = {"id": "old", "name": "asd"}
    client = make(make_client, server)
    with pytest.raises(ClientError, match="domain_exists"):
        client.create("/api/v4/teams", {"name": "asd"}, find_existing=server.find(client, "asd"))
    assert (server.posts, server.lookups) == (1, 0)


def test_exists_error_after_an_uncertain_attempt_consults_the_lookup(
    make_client: MakeClient,
) -> None:
    """The first POST wrote but its answer was lost and the (lagging) lookup missed it;
    the retry then hits "already exists": the second lookup returns the object."""
    server = TeamServer("lose")
    client = make(make_client, server)
    calls: list[int] = []

    def lagging_lookup() -> Any:
        calls.append(1)
        if len(calls) == 1:
            return None
        return server.teams.get("asd")

    team = client.create("/api/v4/teams", {"name": "asd"}, find_existing=lagging_lookup)
    assert team == {"id": "id-0", "name": "asd"}
    assert server.posts == 2
    assert len(calls) == 2


def test_gives_up_after_retries(make_client: MakeClient) -> None:
    server = TeamServer(*[503] * 10)
    client = make(make_client, server, retries=2)
    with pytest.raises(ServerError, match=r"^POST /api/v4/teams failed: 503"):
        client.create("/api/v4/teams", {"name": "a"}, find_existing=lambda: None)
    assert server.posts == 3
