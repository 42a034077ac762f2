"""Seeds described once (seeds/<name>.json) and created through Mattermost's API.

The same description and the same requests make `mmrc sandbox --seed demo` (through the
in-process transport) and `scripts/real-mattermost start --seed demo` (over HTTP, on the real
server), so the two servers start equal and any difference is one of the servers'.

    python -m reconciler.sandbox.seeding --seed demo     # MM_URL and MM_TOKEN name the server

Every request is an admin's, in this order: the config patch (guest accounts must be on before
a demotion), users, teams and their members, channels and their members, archived channels,
guests (demoted, then added to their team and channels), hooks and commands. Owners are given
as `user_id` / `creator_id`; a server that ignores them (POST /commands before 11.4) keeps the
admin as the owner, on both servers alike.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from importlib import resources
from typing import Any

import httpx

SEEDS = ("demo",)


class SeedError(Exception):
    """A request of the seed was refused; the message names it."""


def description(name: str) -> dict[str, Any]:
    text = resources.files("reconciler.sandbox").joinpath("seeds", f"{name}.json").read_text()
    loaded: dict[str, Any] = json.loads(text)
    return loaded


class _Api:
    def __init__(self, client: httpx.Client) -> None:
        self.client = client

    def call(self, method: str, path: str, body: Any = None) -> Any:
        response = self.client.request(method, path, json=body)
        if response.status_code >= 400:
            try:
                error_id = response.json().get("id", "")
            except ValueError:
                error_id = ""
            raise SeedError(f"{method} {path}: {response.status_code} {error_id}".rstrip())
        return response.json() if response.content else None


def seed(client: httpx.Client, seed_description: dict[str, Any]) -> None:
    """Create `seed_description` on the server `client` talks to (as its admin)."""
    api = _Api(client)
    if seed_description.get("config"):
        api.call("PUT", "/api/v4/config/patch", seed_description["config"])
    password = str(seed_description.get("password") or "")
    users: dict[str, str] = {}  # username → id
    guests: list[str] = []
    for user in seed_description.get("users", ()):
        body = {key: user[key] for key in ("username", "email", "first_name", "last_name")}
        users[user["username"]] = api.call("POST", "/api/v4/users", {**body, "password": password})[
            "id"
        ]
        if user.get("guest"):
            guests.append(user["username"])
    for guest in guests:
        api.call("POST", f"/api/v4/users/{users[guest]}/demote")
    for team in seed_description.get("teams", ()):
        _seed_team(api, team, users)


def _seed_team(api: _Api, team: dict[str, Any], users: dict[str, str]) -> None:
    body = {key: team[key] for key in ("name", "display_name", "type", "description")}
    team_id = api.call("POST", "/api/v4/teams", body)["id"]
    if "allow_open_invite" in team:
        api.call(
            "PUT",
            f"/api/v4/teams/{team_id}/patch",
            {"allow_open_invite": team["allow_open_invite"]},
        )
    members = list(team.get("members", ()))
    for username in members:
        api.call("POST", f"/api/v4/teams/{team_id}/members", _member(team_id, users[username]))
    channels: dict[str, str] = {}
    for name, patch in team.get("default_channels", {}).items():
        channel = api.call("GET", f"/api/v4/teams/{team_id}/channels/name/{name}")
        channels[name] = channel["id"]
        api.call("PUT", f"/api/v4/channels/{channel['id']}/patch", patch)
    for channel in team.get("channels", ()):
        body = {key: channel[key] for key in ("name", "display_name", "type", "purpose", "header")}
        channel_id = api.call("POST", "/api/v4/channels", {**body, "team_id": team_id})["id"]
        channels[channel["name"]] = channel_id
        who = members if channel.get("members") is None else channel["members"]
        for username in who:
            api.call("POST", f"/api/v4/channels/{channel_id}/members", {"user_id": users[username]})
        if channel.get("archived"):
            api.call("DELETE", f"/api/v4/channels/{channel_id}")
    for username, guest_channels in team.get("guests", {}).items():
        api.call("POST", f"/api/v4/teams/{team_id}/members", _member(team_id, users[username]))
        for name in guest_channels:
            api.call(
                "POST", f"/api/v4/channels/{channels[name]}/members", {"user_id": users[username]}
            )
    for hook in team.get("incoming_webhooks", ()):
        body = {k: v for k, v in hook.items() if k not in ("channel", "owner")}
        body |= {"channel_id": channels[hook["channel"]], "user_id": users[hook["owner"]]}
        api.call("POST", "/api/v4/hooks/incoming", body)
    for hook in team.get("outgoing_webhooks", ()):
        body = {k: v for k, v in hook.items() if k != "owner"}
        body |= {"team_id": team_id, "creator_id": users[hook["owner"]]}
        api.call("POST", "/api/v4/hooks/outgoing", body)
    for command in team.get("commands", ()):
        body = {k: v for k, v in command.items() if k != "owner"}
        body |= {"team_id": team_id, "creator_id": users[command["owner"]]}
        api.call("POST", "/api/v4/commands", body)


def _member(team_id: str, user_id: str) -> dict[str, str]:
    return {"team_id": team_id, "user_id": user_id}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", choices=SEEDS, required=True)
    args = parser.parse_args(argv)
    url, token = os.environ.get("MM_URL", ""), os.environ.get("MM_TOKEN", "")
    if not url or not token:
        print("seeding: set MM_URL and MM_TOKEN", file=sys.stderr)
        return 1
    headers = {"Authorization": f"Bearer {token}", "X-Requested-With": "XMLHttpRequest"}
    with httpx.Client(base_url=url.rstrip("/"), headers=headers, timeout=30) as client:
        try:
            seed(client, description(args.seed))
        except (SeedError, httpx.HTTPError) as error:
            print(f"seeding: {error}", file=sys.stderr)
            return 1
    print(f"seeding: {args.seed} created on {url}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
