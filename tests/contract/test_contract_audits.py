"""Which writes Mattermost records in its audit log, and how (what `mmrc drift` can attribute).

Settled on the real server (docs/fidelity.md): only some handlers call LogAudit. Each step
below makes one write and asserts the rows it added (action with ids as `{id}`, extra_info).
"""

from __future__ import annotations

import re
from typing import Any

import httpx
from contract_server import Server

# Not recorded as a cassette: the rows it reads depend on every earlier test's writes.
RECORD_CASSETTES = False
ID = re.compile(r"/[a-z0-9]{26}(?=/|$)")
ID_VALUE = re.compile(r"=[a-z0-9]{26}\b")


class Audits:
    def __init__(self, server: Server) -> None:
        self.server = server
        self.seen = len(self.rows())

    def rows(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = (
            self.server.admin.get("/api/v4/audits", params={"per_page": 200}).json() or []
        )
        return found

    def after(self, response: httpx.Response) -> list[tuple[str, str]]:
        assert response.status_code < 400, response.text
        rows = self.rows()
        new, self.seen = rows[: len(rows) - self.seen], len(rows)
        return sorted(
            (ID.sub("/{id}", row["action"]), ID_VALUE.sub("={id}", row["extra_info"]))
            for row in new
        )


def test_what_the_audit_log_records(server: Server) -> None:
    admin, audits = server.admin, Audits(server)
    both = ["attempt", "success"]

    def rows(action: str, *infos: str) -> list[tuple[str, str]]:
        return sorted((action, info) for info in infos)

    body = {"name": server.name("t"), "display_name": "T", "type": "O"}
    team = admin.post("/api/v4/teams", json=body)
    assert audits.after(team) == []  # a team's creation: nothing
    team_id = team.json()["id"]
    patched = admin.put(f"/api/v4/teams/{team_id}/patch", json={"display_name": "U"})
    assert audits.after(patched) == rows("/api/v4/teams/{id}/patch", "")
    private = admin.put(f"/api/v4/teams/{team_id}/privacy", json={"privacy": "I"})
    assert audits.after(private) == []
    name = server.name("ch")
    channel = admin.post(
        "/api/v4/channels",
        json={"team_id": team_id, "name": name, "display_name": "C", "type": "O"},
    )
    assert audits.after(channel) == rows("/api/v4/channels", f"name={name}")
    channel_id = channel.json()["id"]
    header = admin.put(f"/api/v4/channels/{channel_id}/patch", json={"header": "h"})
    assert audits.after(header) == rows("/api/v4/channels/{id}/patch", "")
    moderation = admin.put(
        f"/api/v4/channels/{channel_id}/moderations/patch",
        json=[{"name": "create_post", "roles": {"members": False}}],
    )
    assert audits.after(moderation) == []
    config = admin.put("/api/v4/config/patch", json={"ServiceSettings": {"EnableCommands": True}})
    assert audits.after(config) == []
    hook = admin.post(
        "/api/v4/hooks/incoming", json={"channel_id": channel_id, "display_name": "h"}
    )
    assert audits.after(hook) == rows("/api/v4/hooks/incoming", *both)
    deleted = admin.delete(f"/api/v4/hooks/incoming/{hook.json()['id']}")
    assert audits.after(deleted) == []  # an incoming hook's deletion: nothing
    command = admin.post(
        "/api/v4/commands",
        json={
            "team_id": team_id,
            "trigger": server.name("c"),
            "url": "http://127.0.0.1:9/c",
            "method": "P",
        },
    )
    assert audits.after(command) == rows("/api/v4/commands", *both)
    user = server.user()
    audits.seen = len(audits.rows())
    joined = admin.post(
        f"/api/v4/teams/{team_id}/members", json={"team_id": team_id, "user_id": user["id"]}
    )
    assert audits.after(joined) == []  # team memberships: nothing
    added = admin.post(f"/api/v4/channels/{channel_id}/members", json={"user_id": user["id"]})
    assert audits.after(added) == rows(
        "/api/v4/channels/{id}/members", f"name={name} user_id={{id}}"
    )
    archived = admin.delete(f"/api/v4/channels/{channel_id}")
    assert audits.after(archived) == rows("/api/v4/channels/{id}", f"name={name}")
