"""Custom slash commands per team, keyed by trigger within the team.

Observed with `GET /commands?team_id=&custom_only=true` (unsanitized; without
`custom_only` Mattermost blanks url, method, username and token), for the teams
that declare commands or prune them only (concurrently). Plugin
commands are not managed. `PUT /commands/{id}` replaces the whole command and
needs `team_id`, so an update reads the command again and sends every field.
The owner (`creator_id`) cannot change in place: a changed owner plans a
replace (delete + create, new token). Tokens never appear in a plan.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from reconciler.kinds import integration_support as support
from reconciler.kinds.base import LiveObject, UserRef
from reconciler.kinds.diffing import declared, diff_fields
from reconciler.kinds.lookup import load_usernames, team_address
from reconciler.outputs import Output
from reconciler.plan import Action, FieldChange, ResourceChange

if TYPE_CHECKING:
    from reconciler.client import Client
    from reconciler.kinds.base import ApplyContext, Observation, PlanContext
    from reconciler.workspace.models import Command, Workspace

name = "command"

OPTIONAL = (
    "method",
    "display_name",
    "description",
    "username",
    "icon_url",
    "autocomplete",
    "autocomplete_description",
    "autocomplete_hint",
    "owner",
)
DEFAULTS: dict[str, Any] = {
    "method": "POST",
    "display_name": "",
    "description": "",
    "username": "",
    "icon_url": "",
    "autocomplete": False,
    "autocomplete_description": "",
    "autocomplete_hint": "",
}
METHOD = {"P": "POST", "G": "GET"}
METHOD_CODE = {v: k for k, v in METHOD.items()}
REPLACE_NOTE = (
    "Mattermost cannot change a slash command's owner in place: it is deleted and created "
    "again, which gives it a new token (hand the outputs file to n8n)"
)


def address_of(team: str, trigger: str) -> str:
    return f"{team_address(team)}/command.{trigger.lower()}"


def references(workspace: Workspace) -> Iterable[UserRef]:
    bots = {bot.username for bot in workspace.bots}
    for ti, team in enumerate(workspace.teams):
        for ci, command in enumerate(team.commands):
            if command.owner and command.owner not in bots:
                yield UserRef(command.owner, ("teams", ti, "commands", ci, "owner"))


def normalise(command: dict[str, Any], observation: Observation) -> dict[str, Any]:
    return {
        "trigger": str(command.get("trigger") or "").lower(),
        "url": command.get("url") or "",
        "method": METHOD.get(str(command.get("method") or "P").upper(), "POST"),
        "display_name": command.get("display_name") or "",
        "description": command.get("description") or "",
        "username": command.get("username") or "",
        "icon_url": command.get("icon_url") or "",
        "autocomplete": bool(command.get("auto_complete")),
        "autocomplete_description": command.get("auto_complete_desc") or "",
        "autocomplete_hint": command.get("auto_complete_hint") or "",
        "owner": observation.username_of(str(command.get("creator_id") or "")),
    }


def _list(client: Client, team_id: str) -> list[dict[str, Any]]:
    found = client.get("/api/v4/commands", {"team_id": team_id, "custom_only": "true"}) or []
    return [c for c in found if not c.get("plugin_id") and not int(c.get("delete_at") or 0)]


def observe(client: Client, context: PlanContext) -> None:
    """The commands of the teams that declare commands or prune them."""
    observation = context.observation
    disabled: set[str] = observation.extra.setdefault("command_disabled", set())
    teams = support.teams_to_read(context, lambda t: bool(t.commands or t.prune.commands))
    read = support.read_teams(client, teams, lambda team_id: _list(client, team_id))
    creators = [str(c.get("creator_id")) for _, commands in read for c in commands or ()]
    load_usernames(client, observation, creators)
    for team, commands in read:
        if commands is None:  # EnableCommands=false
            disabled.add(team)
            continue
        for command in commands:
            address = address_of(team, str(command.get("trigger") or ""))
            support.remember_token(observation, address, str(command.get("token") or ""))
            observation.add(
                LiveObject(
                    address=address,
                    kind=name,
                    id=str(command["id"]),
                    data=normalise(command, observation),
                    raw={k: v for k, v in command.items() if k != "token"},
                    team=team,
                )
            )


def desired_of(command: Command) -> dict[str, Any]:
    desired: dict[str, Any] = {"trigger": command.trigger.lower(), "url": command.url}
    desired.update(declared(command, OPTIONAL))
    return desired


def plan(context: PlanContext) -> Iterable[ResourceChange]:
    observation = context.observation
    order = context.order_of(name)
    changes: list[ResourceChange] = []
    for ti, team in enumerate(context.workspace.teams):
        base = ("teams", ti, "commands")
        if team.commands:
            support.require_switch(
                context, "slash_commands", base, f"team {team.name!r} declares slash commands"
            )
        keys = set()
        for ci, command in enumerate(team.commands):
            address = address_of(team.name, command.trigger)
            keys.add(address)
            desired = desired_of(command)
            support.check_overrides(context, desired, (*base, ci), f"slash command {address}")
            live = observation.get(address)
            if live is None:
                after = {**DEFAULTS, **desired}
                fields = tuple(FieldChange(k, None, v) for k, v in after.items())
                changes.append(
                    ResourceChange(
                        address,
                        name,
                        Action.CREATE,
                        None,
                        after,
                        fields,
                        team=team.name,
                        order=order,
                    )
                )
                continue
            fields = diff_fields(desired, live.data)
            if not fields:
                continue
            owner_changed = any(f.field == "owner" for f in fields)
            changes.append(
                ResourceChange(
                    address,
                    name,
                    Action.REPLACE if owner_changed else Action.UPDATE,
                    dict(live.data),
                    {**live.data, **desired},
                    fields,
                    (REPLACE_NOTE,) if owner_changed else (),
                    team=team.name,
                    order=order,
                )
            )
        for live in observation.under(team_address(team.name), name):
            if live.address in keys:
                continue
            if not team.prune.commands:
                context.unmanaged(live.address)
                continue
            changes.append(
                ResourceChange(
                    live.address,
                    name,
                    Action.REMOVE,
                    dict(live.data),
                    None,
                    notes=("not declared and prune.commands is on",),
                    team=team.name,
                    order=order,
                )
            )
    return changes


def _body(after: dict[str, Any], team_id: str) -> dict[str, Any]:
    return {
        "team_id": team_id,
        "trigger": after["trigger"],
        "url": after["url"],
        "method": METHOD_CODE[after.get("method") or "POST"],
        "display_name": after.get("display_name", ""),
        "description": after.get("description", ""),
        "username": after.get("username", ""),
        "icon_url": after.get("icon_url", ""),
        "auto_complete": bool(after.get("autocomplete", False)),
        "auto_complete_desc": after.get("autocomplete_description", ""),
        "auto_complete_hint": after.get("autocomplete_hint", ""),
    }


def record(context: ApplyContext, address: str, token: str) -> None:
    team, key = address.split("/command.", 1)
    with context.lock:
        context.results[address] = Output(address, name, team.removeprefix("team."), key, token)


def _create(change: ResourceChange, context: ApplyContext) -> None:
    client = context.client
    after = dict(change.after or {})
    team_id = context.id_of(team_address(str(change.team)))
    body = _body(after, team_id)
    if after.get("owner"):
        body["creator_id"] = support.owner_id(context, after["owner"])

    def find() -> dict[str, Any] | None:
        for command in _list(client, team_id):
            if str(command.get("trigger", "")).lower() == after["trigger"]:
                return command
        return None

    created = client.create("/api/v4/commands", body, find_existing=find)
    context.set_id(change.address, str(created["id"]))
    record(context, change.address, str(created.get("token") or ""))


def apply(change: ResourceChange, context: ApplyContext) -> None:
    client = context.client
    if change.action in (Action.REMOVE, Action.REPLACE):
        client.delete(f"/api/v4/commands/{context.id_of(change.address)}")
        if change.action is Action.REMOVE:
            with context.lock:
                context.results[change.address] = None
            return
    if change.action in (Action.CREATE, Action.REPLACE):
        _create(change, context)
        return
    command_id = context.id_of(change.address)
    current = client.get(f"/api/v4/commands/{command_id}")
    team_id = str(current.get("team_id") or context.id_of(team_address(str(change.team))))
    body = {**current, **_body(dict(change.after or {}), team_id), "id": command_id}
    updated = client.put(f"/api/v4/commands/{command_id}", body)
    record(context, change.address, str((updated or current).get("token") or ""))


def regenerate(context: ApplyContext, address: str) -> None:
    """`mmrc rotate`: a new token for one slash command."""
    command_id = context.id_of(address)
    answer = context.client.put(f"/api/v4/commands/{command_id}/regen_token", None)
    record(context, address, str(answer.get("token") or ""))


def outputs(observation: Observation, site_url: str) -> list[Output]:
    """The token of every observed slash command (callers drop the unmanaged ones)."""
    found = []
    for live in observation.of_kind(name):
        token = support.token_of(observation, live.address)
        if token is not None:
            key = live.address.split("/command.", 1)[1]
            found.append(Output(live.address, name, live.team, key, token))
    return found
