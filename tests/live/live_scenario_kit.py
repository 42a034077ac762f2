"""What the live scenarios share: `mmrc` run in-process against MM_URL / MM_TOKEN, the
accounts a run creates (and deactivates), and config changes undone afterwards.

A uniquely named module (never `from conftest import …`). Everything here talks to
the server through its public API v4 only, so it is as correct for a real Mattermost
as for a sandbox started with `mmrc sandbox`.

- `LiveRun.mmrc(...)` runs the CLI through click's CliRunner with MM_URL / MM_TOKEN
  set and keeps every text it printed (stdout, stderr, tracebacks) in `outputs`, so a
  scenario can grep all of it for a canary secret.
- `LiveRun.create_user` makes `<run prefix>-<name>` with an email and a password (a real
  server wants both) and remembers its id; `LiveRun.close` deactivates it
  (`DELETE /api/v4/users/{id}`), disables the bots the run made and deletes the
  webhooks and commands of the run's teams. The teams themselves go with the
  `run_prefix` fixture's finalizer.
- `ConfigGuard` reads `GET /api/v4/config` before a scenario and afterwards patches
  back, with `PUT /api/v4/config/patch`, only the fields in its list that differ.
"""

from __future__ import annotations

import json
import secrets
import string
import time
import traceback
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from click.testing import CliRunner, Result

from reconciler.cli import cli

MASK = "*" * 32  # Mattermost's stand-in for a non-empty secret in GET /config
PLUGINS = "PluginSettings.Plugins"  # a map of plugin id → settings
ROUTE_MISSING = frozenset({"api.context.404.app_error", "api.context.405.app_error"})

# Problems a cleanup step could not fix but that are no failure of the code under test
# (a server that lacks an endpoint); conftest prints them in the terminal summary.
NOTES: list[str] = []


def error_id(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    return str(body.get("id", "")) if isinstance(body, dict) else ""


def expect_status(response: httpx.Response, *codes: int) -> Any:
    """The JSON body of a response whose status is one of `codes` (an assertion otherwise)."""
    assert response.status_code in codes, (
        f"{response.request.method} {response.request.url.path} → "
        f"{response.status_code}: {response.text[:500]}"
    )
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return response.text


def eventually(check: Callable[[], Any], *, timeout: float = 15.0, every: float = 0.25) -> Any:
    """Call `check` until it returns something truthy (reads may lag writes on a real
    server: replicas, caches); returns that value, or the last falsy one after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(every)


def render(template: str, **values: str) -> str:
    """`$name` placeholders (string.Template: YAML's own braces stay as they are)."""
    return string.Template(template).substitute(values)


@dataclass
class LiveRun:
    """One test session's view of the server: its prefix, the admin, what it created."""

    url: str
    token: str
    prefix: str
    api: httpx.Client
    workdir: Path
    me: dict[str, Any] = field(default_factory=dict)
    outputs: list[str] = field(default_factory=list)
    user_ids: dict[str, str] = field(default_factory=dict)  # username → id
    bot_usernames: list[str] = field(default_factory=list)
    team_names: list[str] = field(default_factory=list)

    @classmethod
    def open(cls, url: str, token: str, prefix: str, api: httpx.Client, workdir: Path) -> LiveRun:
        run = cls(url, token, prefix, api, workdir)
        run.me = expect_status(api.get("/api/v4/users/me"), 200)
        return run

    @property
    def admin(self) -> str:
        """The username behind MM_TOKEN (the applying account)."""
        return str(self.me["username"])

    # -- names ---------------------------------------------------------------------------

    def team(self, suffix: str) -> str:
        """`<prefix>-<suffix>`: a team name unique to this run (removed at the end)."""
        name = f"{self.prefix}-{suffix}"
        if name not in self.team_names:
            self.team_names.append(name)
        return name

    def username(self, short: str) -> str:
        return f"{self.prefix}-{short}"

    def bot(self, short: str) -> str:
        """A bot username for this run; bots cannot be deleted, so it is disabled at the end."""
        name = self.username(short)
        if name not in self.bot_usernames:
            self.bot_usernames.append(name)
        return name

    # -- the CLI --------------------------------------------------------------------------

    def mmrc(
        self, *args: str, expect: int | None = 0, env: Mapping[str, str] | None = None
    ) -> Result:
        """`mmrc ARGS` in-process against the server (plus `env`); asserts the exit code
        unless `expect` is None."""
        result = CliRunner().invoke(
            cli,
            list(args),
            env={"MM_URL": self.url, "MM_TOKEN": self.token, "NO_COLOR": "1", **(env or {})},
            catch_exceptions=True,
        )
        self.outputs.extend((result.stdout, result.stderr))
        trace = ""
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            trace = "".join(traceback.format_exception(result.exception))
            self.outputs.append(trace)
        if expect is not None:
            assert result.exit_code == expect, (
                f"mmrc {' '.join(args)}: exit {result.exit_code}, expected {expect}\n"
                f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}\n{trace}"
            )
        return result

    def everything(self) -> str:
        return "\n".join(self.outputs)

    def write(self, name: str, text: str) -> Path:
        path = self.workdir / name
        path.write_text(text, encoding="utf-8")
        return path

    # -- reading the server -----------------------------------------------------------------

    def get(self, path: str, **params: Any) -> Any:
        return expect_status(self.api.get(path, params=params or None), 200)

    def team_obj(self, name: str) -> dict[str, Any]:
        found: dict[str, Any] = self.get(f"/api/v4/teams/name/{name}")
        return found

    def channel(self, team: str, name: str) -> dict[str, Any]:
        team_id = self.team_obj(team)["id"]
        found: dict[str, Any] = self.get(
            f"/api/v4/teams/{team_id}/channels/name/{name}", include_deleted="true"
        )
        return found

    def channel_by_id(self, channel_id: str) -> dict[str, Any]:
        found: dict[str, Any] = self.get(f"/api/v4/channels/{channel_id}")
        return found

    def user_id(self, username: str) -> str:
        return str(self.get(f"/api/v4/users/username/{username}")["id"])

    def paged(self, path: str, **params: Any) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        page = 0
        while True:
            batch = self.get(path, page=page, per_page=200, **params)
            items.extend(batch)
            if len(batch) < 200:
                return items
            page += 1

    def team_member(self, team_id: str, user_id: str) -> dict[str, Any] | None:
        """The active team membership, or None (404, or soft-deleted with delete_at > 0)."""
        response = self.api.get(f"/api/v4/teams/{team_id}/members/{user_id}")
        if response.status_code == 404:
            return None
        member: dict[str, Any] = expect_status(response, 200)
        return None if member.get("delete_at") else member

    def channel_member_ids(self, channel_id: str) -> set[str]:
        return {m["user_id"] for m in self.paged(f"/api/v4/channels/{channel_id}/members")}

    def incoming_hooks(self, team_id: str) -> dict[str, dict[str, Any]]:
        return {h["display_name"]: h for h in self.paged("/api/v4/hooks/incoming", team_id=team_id)}

    def outgoing_hooks(self, team_id: str) -> dict[str, dict[str, Any]]:
        return {h["display_name"]: h for h in self.paged("/api/v4/hooks/outgoing", team_id=team_id)}

    def commands(self, team_id: str) -> dict[str, dict[str, Any]]:
        found = self.get("/api/v4/commands", team_id=team_id, custom_only="true")
        return {c["trigger"]: c for c in found if not c.get("delete_at")}

    # -- accounts ---------------------------------------------------------------------------

    def create_user(self, short: str, *, guest: bool = False) -> dict[str, Any]:
        """`<prefix>-<short>`, with an email and a password as a real server requires;
        deactivated when the session ends. A guest is demoted right after (that needs a
        licence and GuestAccountsSettings.Enable on a real server)."""
        username = self.username(short)
        response = self.api.post(
            "/api/v4/users",
            json={
                "username": username,
                "email": f"{username}@example.com",
                "password": "Lv1!" + secrets.token_hex(12),
            },
        )
        user: dict[str, Any] = expect_status(response, 201)
        self.user_ids[username] = user["id"]
        if guest:
            expect_status(self.api.post(f"/api/v4/users/{user['id']}/demote"), 200)
        return user

    # -- cleanup ------------------------------------------------------------------------------

    def delete_integrations(self, team_names: Iterable[str]) -> list[str]:
        """Delete the webhooks and slash commands of these teams (a soft-deleted team
        keeps them, and an incoming hook's URL would still post)."""
        problems: list[str] = []
        for name in team_names:
            response = self.api.get(f"/api/v4/teams/name/{name}")
            if response.status_code == 404:
                continue
            if response.status_code != 200:
                problems.append(f"GET team {name} → {response.status_code}")
                continue
            team_id = response.json()["id"]
            paths: list[str] = []
            for kind in ("incoming", "outgoing"):
                listed = self.api.get(
                    f"/api/v4/hooks/{kind}", params={"team_id": team_id, "per_page": 200}
                )
                if listed.status_code == 200:
                    paths += [f"/api/v4/hooks/{kind}/{h['id']}" for h in listed.json()]
                elif listed.status_code != 501:  # 501: that kind is switched off
                    problems.append(f"{name}: list {kind} hooks → {listed.status_code}")
            listed = self.api.get(
                "/api/v4/commands", params={"team_id": team_id, "custom_only": "true"}
            )
            if listed.status_code == 200:
                paths += [f"/api/v4/commands/{c['id']}" for c in listed.json()]
            elif listed.status_code != 501:
                problems.append(f"{name}: list commands → {listed.status_code}")
            for path in paths:
                deleted = self.api.delete(path)
                if deleted.status_code not in (200, 404):
                    problems.append(f"DELETE {path} → {deleted.status_code}")
        return problems

    def close(self) -> list[str]:
        """Undo what the run made that the team finalizer does not: integrations of its
        teams, its bots (disabled) and its users (deactivated). Returns the problems."""
        problems = self.delete_integrations(self.team_names)
        for username in self.bot_usernames:
            found = self.api.get(f"/api/v4/users/username/{username}")
            if found.status_code == 404:
                continue  # never created (a scenario stopped or was skipped first)
            if found.status_code != 200:
                problems.append(f"GET user {username} → {found.status_code}")
                continue
            disabled = self.api.post(f"/api/v4/bots/{found.json()['id']}/disable")
            if disabled.status_code != 200:
                problems.append(f"disable bot {username} → {disabled.status_code}")
        left_active: list[str] = []
        answer = ""
        for username, user_id in self.user_ids.items():
            deactivated = self.api.delete(f"/api/v4/users/{user_id}")
            if deactivated.status_code == 200:
                continue
            user = self.api.get(f"/api/v4/users/{user_id}")
            if user.status_code == 200 and user.json().get("delete_at"):
                continue  # already inactive (turning guest accounts off deactivates guests)
            if error_id(deactivated) in ROUTE_MISSING:  # no such route: not Mattermost's API
                left_active.append(username)
                answer = f"{deactivated.status_code} {error_id(deactivated)}"
                continue
            problems.append(
                f"deactivate {username}: DELETE → {deactivated.status_code}: "
                f"{deactivated.text[:200]}"
            )
        if left_active:
            NOTES.append(
                f"this server has no DELETE /api/v4/users/{{user_id}} (answered {answer}); "
                f"users left active: {', '.join(left_active)}"
            )
        return problems


# -- config -------------------------------------------------------------------------------------


def _leaf(config: dict[str, Any], path: str) -> Any:
    node: Any = config
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _nest(path: str, value: Any) -> dict[str, Any]:
    parts = path.split(".")
    out: dict[str, Any] = {parts[-1]: value}
    for part in reversed(parts[:-1]):
        out = {part: out}
    return out


def _merge(into: dict[str, Any], patch: dict[str, Any]) -> None:
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value


@dataclass
class ConfigGuard:
    """Remembers the config before a scenario; `restore()` patches back the listed fields
    that changed (and only those), then checks that they read back as before.

    A field whose value was a non-empty secret before (shown as the mask) cannot be
    restored, because the API never reveals it: scenarios check `secret_is_set` and stay
    away from such a setting."""

    api: httpx.Client
    fields: list[str] = field(default_factory=list)
    before: dict[str, Any] = field(default_factory=dict)

    def snapshot(self) -> None:
        self.before = expect_status(self.api.get("/api/v4/config"), 200)

    def track(self, *paths: str) -> None:
        """Dotted config paths (`GitLabSettings.Secret`; a section name tracks every field
        in it, `PluginSettings.Plugins` the whole map, as the patch replaces maps whole)."""
        for path in paths:
            value = _leaf(self.before, path)
            if isinstance(value, dict) and path != PLUGINS:
                self.fields.extend(f"{path}.{key}" for key in value)
            else:
                self.fields.append(path)

    def value(self, path: str) -> Any:
        return _leaf(self.before, path)

    def changed(self) -> dict[str, tuple[Any, Any]]:
        now = expect_status(self.api.get("/api/v4/config"), 200)
        return {
            path: (_leaf(self.before, path), _leaf(now, path))
            for path in self.fields
            if _leaf(self.before, path) != _leaf(now, path)
        }

    def restore(self) -> list[str]:
        changed = self.changed()
        if not changed:
            return []
        patch: dict[str, Any] = {}
        for path, (old, now) in changed.items():
            if old == MASK:  # cannot be told apart from the new secret; never planned for
                return [f"{path} held a secret before the scenario; it cannot be restored"]
            if path == PLUGINS:
                old = _revert_entries(old or {}, now or {})
            _merge(patch, _nest(path, old))
        response = self.api.put("/api/v4/config/patch", json=patch)
        if response.status_code != 200:
            return [f"PUT /api/v4/config/patch → {response.status_code}: {response.text[:300]}"]
        left = self.changed()
        return [
            f"{path}: still {json.dumps(now)} after restoring {json.dumps(old)}"
            for path, (old, now) in left.items()
        ]


def _revert_entries(before: dict[str, Any], now: dict[str, Any]) -> dict[str, Any]:
    """The whole map to send (a patch replaces PluginSettings.Plugins whole): the current
    one, with only the entries that changed (mmrc's fingerprints) put back as they were."""
    out = dict(now)
    for key in set(before) | set(now):
        if before.get(key) == now.get(key):
            continue
        if key in before:
            out[key] = before[key]
        else:
            out.pop(key, None)
    return out


def secret_is_set(config: dict[str, Any], path: str) -> bool:
    return bool(_leaf(config, path))


def client_license(api: httpx.Client) -> dict[str, Any]:
    """`GET /api/v4/license/client?format=old`: {"IsLicensed": "true"|"false", features…}."""
    found: dict[str, Any] = expect_status(
        api.get("/api/v4/license/client", params={"format": "old"}), 200
    )
    return found


def guests_unavailable(license_info: dict[str, Any]) -> str:
    """Why guest accounts cannot be used on this server ("" when they can)."""
    if license_info.get("IsLicensed") != "true":
        return (
            "guest accounts need an Enterprise licence (POST /users/{id}/demote answers 501 "
            "without one) and this server is unlicensed (GET /api/v4/license/client)"
        )
    if license_info.get("GuestAccounts") == "false":
        return "this server's licence does not include guest accounts (GuestAccounts=false)"
    return ""
