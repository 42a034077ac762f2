"""Bot accounts, keyed by username (`bot.<username>`).

Observed with `GET /bots?include_deleted=true` (paged; a disabled bot holds
its username, so declaring it again plans an enable). Create needs
`ServiceSettings.EnableBotAccountCreation` (a plan-time error names the
switch); display name and description change with `PUT /bots/{id}` (a
patch). A bot the file no longer declares is disabled only with
`--prune-bots`, and only when the mmrc account owns it (bots of plugins and
of other people are never touched) and no declared webhook or command names
it as owner (pruning must not leave a declared integration to a deactivated
account); otherwise it is reported as unmanaged (unless in use as such an
owner). A disabled bot that a declared integration names as owner is a warning.
Integrations name a bot as their `owner`; they find its user id at
`bot.<username>` in the id table.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from reconciler.errors import NotFoundError
from reconciler.kinds import integration_support as support
from reconciler.kinds.base import LiveObject, UserRef
from reconciler.kinds.diffing import declared, diff_fields
from reconciler.kinds.lookup import team_address
from reconciler.plan import Action, FieldChange, ResourceChange

if TYPE_CHECKING:
    from reconciler.client import Client
    from reconciler.kinds.base import ApplyContext, PlanContext
    from reconciler.workspace.models import Workspace

name = "bot"

FIELDS = ("display_name", "description")


def address_of(username: str) -> str:
    return f"bot.{username}"


def references(workspace: Workspace) -> Iterable[UserRef]:
    return ()


def normalise(bot: dict[str, Any]) -> dict[str, Any]:
    return {
        "username": bot.get("username") or "",
        "display_name": bot.get("display_name") or "",
        "description": bot.get("description") or "",
    }


def _prune(context: PlanContext) -> bool:
    return bool(getattr(context.options, "prune_bots", False))


def observe(client: Client, context: PlanContext) -> None:
    if not context.workspace.bots and not _prune(context):
        return
    observation = context.observation
    for bot in client.get_paged("/api/v4/bots", {"include_deleted": "true"}, per_page=200):
        # is_bot: bots are implicit team/channel members (Observation.bot_ids), and a user id
        # remembered here is not looked up again (lookup.load_usernames)
        observation.remember_user(
            {"id": bot["user_id"], "username": bot["username"], "is_bot": True}
        )
        observation.add(
            LiveObject(
                address=address_of(str(bot["username"])),
                kind=name,
                id=str(bot["user_id"]),
                data=normalise(bot),
                raw=bot,
                archived=int(bot.get("delete_at") or 0) > 0,
            )
        )


def plan(context: PlanContext) -> Iterable[ResourceChange]:
    observation = context.observation
    order = context.order_of(name)
    changes: list[ResourceChange] = []
    declared_names = set()
    for index, bot in enumerate(context.workspace.bots):
        address = address_of(bot.username)
        declared_names.add(address)
        desired: dict[str, Any] = {"username": bot.username}
        desired.update(declared(bot, FIELDS))
        live = observation.get(address)
        if live is None:
            support.require_switch(
                context, "bot_account_creation", ("bots", index), f"creating bot {bot.username!r}"
            )
            fields = tuple(FieldChange(k, None, v) for k, v in desired.items())
            changes.append(
                ResourceChange(address, name, Action.CREATE, None, desired, fields, order=order)
            )
            continue
        fields = diff_fields({k: v for k, v in desired.items() if k != "username"}, live.data)
        if live.archived:
            action = Action.ENABLE
            notes: tuple[str, ...] = ("the bot is disabled; it is enabled again",)
        elif fields:
            action, notes = Action.UPDATE, ()
        else:
            continue
        changes.append(
            ResourceChange(
                address,
                name,
                action,
                dict(live.data),
                {**live.data, **desired},
                fields,
                notes,
                order=order,
            )
        )
    me = observation.me_id
    in_use = _integration_owners(context.workspace)
    for live in observation.of_kind(name):
        if live.address in declared_names:
            continue
        user = str(live.data["username"])
        if live.archived:
            if user in in_use:
                context.warn(
                    f"{live.address} is disabled, but {in_use[user]} names it as owner, "
                    "so that integration belongs to a deactivated account "
                    f"(declare {user} under bots: to enable it again)"
                )
            continue
        if user in in_use:
            continue  # the owner of a declared integration: in use, so never pruned
        owned = bool(me) and str(live.raw.get("owner_id", "")) == me
        if _prune(context) and owned:
            changes.append(
                ResourceChange(
                    live.address,
                    name,
                    Action.DISABLE,
                    dict(live.data),
                    None,
                    notes=("not declared, owned by the mmrc account, and --prune-bots is on",),
                    order=order,
                )
            )
        else:
            context.unmanaged(live.address)
    return changes


def _integration_owners(workspace: Workspace) -> dict[str, str]:
    """username → the first declared webhook or command that names it as owner."""
    owners: dict[str, str] = {}
    for team in workspace.teams:
        named = (
            *((f"incoming_webhook.{h.display_name}", h.owner) for h in team.incoming_webhooks),
            *((f"outgoing_webhook.{h.display_name}", h.owner) for h in team.outgoing_webhooks),
            *((f"command.{c.trigger.lower()}", c.owner) for c in team.commands),
        )
        for key, owner in named:
            if owner:
                owners.setdefault(owner, f"{team_address(team.name)}/{key}")
    return owners


def _find(client: Client, username: str) -> dict[str, Any] | None:
    try:
        user = client.get(f"/api/v4/users/username/{username}")
    except NotFoundError:
        return None
    if not user.get("is_bot"):
        return None
    found: dict[str, Any] = client.get(f"/api/v4/bots/{user['id']}", {"include_deleted": "true"})
    return found


def apply(change: ResourceChange, context: ApplyContext) -> None:
    client = context.client
    after = dict(change.after or {})
    if change.action is Action.CREATE:
        body = {"username": after["username"]}
        body.update({k: after[k] for k in FIELDS if k in after})
        created = client.create(
            "/api/v4/bots", body, find_existing=lambda: _find(client, body["username"])
        )
        context.set_id(change.address, str(created["user_id"]))
        context.set_id(f"user.{after['username']}", str(created["user_id"]))
        return
    bot_id = context.id_of(change.address)
    if change.action is Action.DISABLE:
        client.post(f"/api/v4/bots/{bot_id}/disable", None, idempotent=True)
        return
    if change.action is Action.ENABLE:
        client.post(f"/api/v4/bots/{bot_id}/enable", None, idempotent=True)
    patch = {f.field: f.after for f in change.fields if f.field in FIELDS}
    if patch:
        client.put(f"/api/v4/bots/{bot_id}", patch)
