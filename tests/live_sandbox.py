"""LiveSandbox: a sandbox over real HTTP, an admin client and the CLI bound to it (for e2e tests).

A uniquely named module (not conftest) so test folders can import it without clashes."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from reconciler.cli import cli
from reconciler.client import Client
from reconciler.sandbox import Sandbox
from reconciler.sandbox.server import RunningSandbox

ADMIN_TOKEN = "mmrc-test-admin-token-0000000"


@dataclass
class LiveSandbox:
    """A sandbox served over real HTTP, an admin client for setup, and the CLI bound to it."""

    running: RunningSandbox
    token: str
    api: Client
    tmp: Path
    runner: CliRunner = field(default_factory=CliRunner)

    @property
    def url(self) -> str:
        return self.running.url

    @property
    def sandbox(self) -> Sandbox:
        return self.running.sandbox

    def mmrc(self, *args: str, input: str | None = None, **extra_env: str) -> Result:
        """Run `mmrc ARGS` in-process against this sandbox (MM_URL / MM_TOKEN set)."""
        env = {"MM_URL": self.url, "MM_TOKEN": self.token, "NO_COLOR": "1", **extra_env}
        return self.runner.invoke(cli, list(args), env=env, input=input, catch_exceptions=False)

    def workspace(self, text: str, name: str = "workspace.yaml") -> Path:
        path = self.tmp / name
        path.write_text(text, encoding="utf-8")
        return path

    def requests(self) -> list[dict[str, Any]]:
        return list(self.api.get("/__sandbox__/requests"))

    def clear_requests(self) -> None:
        self.api.delete("/__sandbox__/requests")

    def set_faults(self, **spec: Any) -> None:
        self.api.put("/__sandbox__/faults", spec)

    def clear_faults(self) -> None:
        self.api.delete("/__sandbox__/faults")

    def user(self, username: str, *, guest: bool = False) -> dict[str, Any]:
        user: dict[str, Any] = self.api.post(
            "/api/v4/users",
            {"username": username, "email": f"{username}@example.com", "password": "Passw0rd!x"},
        )
        if guest:
            self.api.post(f"/api/v4/users/{user['id']}/demote", None)
        return user

    def user_id(self, username: str) -> str:
        return str(self.api.get(f"/api/v4/users/username/{username}")["id"])

    def team(self, name: str) -> dict[str, Any]:
        found: dict[str, Any] = self.api.get(f"/api/v4/teams/name/{name}")
        return found

    def channel(self, team: str, name: str) -> dict[str, Any]:
        found: dict[str, Any] = self.api.get(
            f"/api/v4/teams/name/{team}/channels/name/{name}", {"include_deleted": "true"}
        )
        return found

    def dump(self) -> str:
        return json.dumps(self.api.get("/__sandbox__/state"), sort_keys=True)
