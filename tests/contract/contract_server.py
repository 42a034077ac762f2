"""The server under test of the contract tests (a module of its own: test modules import it,
and a `conftest` import would be ambiguous with the other test directories' conftests)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

import httpx

PASSWORD = "Contract-pass-1"


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
