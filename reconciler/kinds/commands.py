"""Custom slash commands per team, keyed by trigger within the team.

Observed with `GET /commands?team_id=&custom_only=true` (unsanitized; without
`custom_only` Mattermost blanks url, method, username and token), for the teams
that declare commands or prune them only (concurrently). Plugin
commands are not managed. `PUT /commands/{id}` replaces the whole command and
needs `team_id`, so an update reads the command again and sends every field.
The owner (`creator_id`) cannot change in place: a changed owner plans a
replace (delete + create, new token). Before Mattermost 11.4, `POST /commands`
ignores `creator_id` and makes the creating account the owner (settled on the
real server, docs/fidelity.md): there an `owner` other than the applying account
is refused at plan time, at the field. Tokens never appear in a plan.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from reconciler.kinds import integration_lists as lists
from reconciler.kinds import integration_support as support
from reconciler.kinds.base import LiveObject, UserRef
from reconciler.kinds.diffing import declared
from reconciler.kinds.lookup import team_address
from reconciler.outputs import Output
from reconciler.plan import Action, ResourceChange

if TYPE_CHECKING:
    from reconciler.client import Client
    from reconciler.kinds.base import ApplyContext, Observation, PlanContext
    from reconciler.workspace.models import Command, Workspace
    from reconciler.workspace.sourcemap import FieldPath

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
DISABLED = "command_disabled"  # observation.extra key: set of teams answered 501
# The first version whose POST /commands honours `creator_id` (absent from the 11.1.0 server
# mmrc is tested against, present in Mattermost's source reporting 11.4.0).
CREATOR_SINCE = (11, 4, 0)
REPLACE_NOTE = (
    "Mattermost cannot change a slash command's owner in place: a new one is created before the "
    "old one is deleted, which gives it a new token (hand the outputs file to n8n)"
)


def address_of(team: str, trigger: str) -> str:
    return f"{team_address(team)}/command.{trigger.lower()}"


def references(workspace: Workspace) -> Iterable[UserRef]:
    return lists.owner_references(workspace, "commands")


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
    read = lists.read_lists(
        client,
        context,
        TEAM_LIST,
        lambda team_id: _list(client, team_id),
        owner_field="creator_id",
        disabled_key=DISABLED,
    )
    for team, commands in read:
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
    return lists.plan_lists(context, TEAM_LIST)


def can_set_creator(server_version: str) -> bool:
    """Whether POST /commands on a server of `server_version` honours `creator_id` (an
    unknown version counts as one that does not)."""
    found = support.version_tuple(server_version)
    return found is not None and found >= CREATOR_SINCE


def _refuse_foreign_owner(context: PlanContext, path: FieldPath, address: str) -> bool:
    """An owner that this server cannot give a new command: refused at the owner field."""
    observation = context.observation
    _, team_index, _, index, _ = path
    owner = context.workspace.teams[int(team_index)].commands[int(index)].owner
    me = str(observation.me.get("username") or "")
    if not owner or owner == me or can_set_creator(observation.server_version):
        return False
    live = observation.get(address)
    if live is not None and live.data.get("owner") == owner:
        return False
    version = observation.server_version or "of an unknown version"
    since = ".".join(str(part) for part in CREATOR_SINCE)
    who = me or "the token's account"
    context.error(
        (*path[:-1], "owner"),
        f"Mattermost {version} makes the account that creates a slash command its owner "
        f"(POST /commands ignores creator_id before Mattermost {since}); mmrc applies as "
        f"{who}, so {address} cannot be owned by {owner!r}",
        hint=f"remove `owner:` (the command will be owned by {who}), "
        f"or apply with {owner!r}'s token",
    )
    return True


TEAM_LIST = lists.TeamList(
    kind=name,
    field="commands",
    label="slash command",
    switch="slash_commands",
    prune="commands",
    key_field="trigger",
    address=lambda team, command: address_of(team, command.trigger),
    desired=desired_of,
    defaults=DEFAULTS,
    on_change=lists.replace_when_owner_changes(REPLACE_NOTE),
    refuse=_refuse_foreign_owner,
)


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
    lists.record_output(context, address, name, token)


def _create(
    change: ResourceChange, context: ApplyContext, trigger: str | None = None
) -> dict[str, Any]:
    client = context.client
    after = dict(change.after or {})
    team_id = context.id_of(team_address(str(change.team)))
    body = _body(after, team_id)
    body["trigger"] = trigger or after["trigger"]
    if after.get("owner"):
        body["creator_id"] = support.owner_id(context, after["owner"])
    created = lists.create_once(
        context,
        change,
        "/api/v4/commands",
        body,
        listing=lambda: _list(client, team_id),
        same=lambda command: str(command.get("trigger", "")).lower() == body["trigger"],
    )
    record(context, change.address, str(created.get("token") or ""))
    return created


def _replace(change: ResourceChange, context: ApplyContext) -> None:
    """Create the new command under a temporary trigger (a team's triggers are unique),
    delete the old one, then give the new one its trigger."""
    after = dict(change.after or {})

    def finish(created: dict[str, Any]) -> None:
        team_id = str(created.get("team_id") or "")
        body = {**created, **_body(after, team_id), "id": created["id"]}
        context.client.put(f"/api/v4/commands/{created['id']}", body)

    lists.replace_created_first(
        change,
        context,
        "/api/v4/commands",
        "slash command",
        lambda old_id: _create(change, context, lists.temporary_key(after["trigger"], old_id)),
        finish,
    )


def apply(change: ResourceChange, context: ApplyContext) -> None:
    client = context.client
    if lists.delete_for(change, context, "/api/v4/commands"):
        return
    if change.action is Action.REPLACE:
        _replace(change, context)
        return
    if change.action is Action.CREATE:
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


def read_token(context: ApplyContext, address: str) -> str:
    """The token the server holds now (`mmrc rotate` reads it back after a lost answer)."""
    command = context.client.get(f"/api/v4/commands/{context.id_of(address)}")
    return str(command.get("token") or "")


def outputs(observation: Observation, site_url: str) -> list[Output]:
    """The token of every observed slash command (callers drop the unmanaged ones)."""
    return lists.observed_tokens(observation, name)
