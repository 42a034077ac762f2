"""Fixtures shared across test folders (append-only: several engineers add here)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from reconciler.cli import cli
from reconciler.client import Client
from reconciler.sandbox import Sandbox, SandboxOptions
from reconciler.sandbox.server import RunningSandbox, start_in_thread

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


@pytest.fixture
def start_sandbox(tmp_path: Path) -> Iterator[Callable[..., LiveSandbox]]:
    """`start_sandbox(seed="empty", licensed=True, **options)` → a LiveSandbox (stopped after)."""
    started: list[LiveSandbox] = []

    def start(seed: str = "empty", licensed: bool = True, **options: Any) -> LiveSandbox:
        sandbox = Sandbox(
            SandboxOptions(
                admin_token=ADMIN_TOKEN, seed=seed, licensed=licensed, admin_api=True, **options
            )
        )
        running = start_in_thread(sandbox)
        api = Client(running.url, ADMIN_TOKEN, retries=0)
        live = LiveSandbox(running, ADMIN_TOKEN, api, tmp_path)
        started.append(live)
        return live

    yield start
    for live in started:
        live.api.close()
        live.running.stop()


@pytest.fixture
def sandbox_empty(start_sandbox: Callable[..., LiveSandbox]) -> LiveSandbox:
    return start_sandbox("empty")
