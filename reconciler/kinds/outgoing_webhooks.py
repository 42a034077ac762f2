"""Outgoing webhooks per team, keyed by display name within the team.

Observed with `GET /hooks/outgoing?team_id=` (paged), for the teams that declare
outgoing webhooks or prune webhooks only (concurrently). Mattermost's PUT stores
whatever token it is sent and replaces the whole hook, so an update first
reads the hook again (`GET /hooks/outgoing/{id}`) and sends every field back
with the *current* token. The owner (`creator_id`) cannot change in place:
a changed owner plans a replace (delete + create), which gives the hook a new
token; the outputs file carries it to n8n. Tokens never appear in a plan.
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
    from reconciler.workspace.models import OutgoingWebhook, Workspace

name = "outgoing_webhook"

OPTIONAL = (
    "channel",
    "trigger_words",
    "trigger_when",
    "content_type",
    "description",
    "username",
    "icon_url",
    "owner",
)
UNORDERED = ("trigger_words", "callback_urls")
DEFAULTS: dict[str, Any] = {
    "channel": None,
    "trigger_words": [],
    "trigger_when": "first_word",
    "content_type": "application/x-www-form-urlencoded",
    "description": "",
    "username": "",
    "icon_url": "",
}
WHEN = {0: "first_word", 1: "starts_with"}
WHEN_CODE = {v: k for k, v in WHEN.items()}
REPLACE_NOTE = (
    "Mattermost cannot change an outgoing webhook's owner in place: it is deleted and "
    "created again, which gives it a new token (hand the outputs file to n8n)"
)


def address_of(team: str, display_name: str) -> str:
    return f"{team_address(team)}/outgoing_webhook.{display_name}"


def references(workspace: Workspace) -> Iterable[UserRef]:
    bots = {bot.username for bot in workspace.bots}
    for ti, team in enumerate(workspace.teams):
        for hi, hook in enumerate(team.outgoing_webhooks):
            if hook.owner and hook.owner not in bots:
                yield UserRef(hook.owner, ("teams", ti, "outgoing_webhooks", hi, "owner"))


def normalise(hook: dict[str, Any], observation: Observation, team: str) -> dict[str, Any]:
    channel_id = str(hook.get("channel_id") or "")
    return {
        "display_name": hook.get("display_name") or "",
        "channel": support.channel_name(observation, team, channel_id) if channel_id else None,
        "trigger_words": list(hook.get("trigger_words") or []),
        "trigger_when": WHEN.get(int(hook.get("trigger_when") or 0), "first_word"),
        "callback_urls": list(hook.get("callback_urls") or []),
        "content_type": hook.get("content_type") or "application/x-www-form-urlencoded",
        "description": hook.get("description") or "",
        "username": hook.get("username") or "",
        "icon_url": hook.get("icon_url") or "",
        "owner": observation.username_of(str(hook.get("creator_id") or "")),
    }


def _list(client: Client, team_id: str) -> list[dict[str, Any]]:
    return list(
        client.get_paged("/api/v4/hooks/outgoing", {"team_id": team_id}, per_page=200) or []
    )


def observe(client: Client, context: PlanContext) -> None:
    """The hooks of the teams that declare outgoing webhooks or prune webhooks."""
    observation = context.observation
    disabled: set[str] = observation.extra.setdefault("outgoing_webhook_disabled", set())
    ambiguous: dict[str, list[str]] = observation.extra.setdefault("outgoing_webhook_ambiguous", {})
    teams = support.teams_to_read(context, lambda t: bool(t.outgoing_webhooks or t.prune.webhooks))
    read = support.read_teams(client, teams, lambda team_id: _list(client, team_id))
    creators = [str(h.get("creator_id")) for _, hooks in read for h in hooks or ()]
    load_usernames(client, observation, creators)
    for team, hooks in read:
        if hooks is None:  # EnableOutgoingWebhooks=false
            disabled.add(team)
            continue
        seen: dict[str, list[dict[str, Any]]] = {}
        for hook in hooks:
            seen.setdefault(str(hook.get("display_name") or ""), []).append(hook)
        for display_name, group in seen.items():
            address = address_of(team, display_name)
            if len(group) > 1:
                ambiguous[address] = [str(h["id"]) for h in group]
            hook = group[0]
            support.remember_token(observation, address, str(hook.get("token") or ""))
            observation.add(
                LiveObject(
                    address=address,
                    kind=name,
                    id=str(hook["id"]),
                    data=normalise(hook, observation, team),
                    raw={k: v for k, v in hook.items() if k != "token"},
                    team=team,
                )
            )


def desired_of(hook: OutgoingWebhook) -> dict[str, Any]:
    desired: dict[str, Any] = {"display_name": hook.display_name}
    desired.update(declared(hook, OPTIONAL))
    desired["callback_urls"] = list(hook.callback_urls)
    return desired


def plan(context: PlanContext) -> Iterable[ResourceChange]:
    observation = context.observation
    ambiguous: dict[str, list[str]] = observation.extra.get("outgoing_webhook_ambiguous", {})
    order = context.order_of(name)
    changes: list[ResourceChange] = []
    for ti, team in enumerate(context.workspace.teams):
        base = ("teams", ti, "outgoing_webhooks")
        if team.outgoing_webhooks:
            support.require_switch(
                context, "outgoing_webhooks", base, f"team {team.name!r} declares outgoing webhooks"
            )
        keys = set()
        for hi, hook in enumerate(team.outgoing_webhooks):
            path = (*base, hi)
            address = address_of(team.name, hook.display_name)
            keys.add(address)
            desired = desired_of(hook)
            support.check_overrides(context, desired, path, f"outgoing webhook {address}")
            if address in ambiguous:
                context.error(
                    (*path, "display_name"),
                    f"{address} is ambiguous: live outgoing webhooks "
                    f"{', '.join(ambiguous[address])} share this display name",
                    hint="rename or delete all but one of them in Mattermost",
                )
                continue
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
            fields = diff_fields(desired, live.data, unordered=UNORDERED)
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
            if not team.prune.webhooks:
                context.unmanaged(live.address)
                continue
            changes.append(
                ResourceChange(
                    live.address,
                    name,
                    Action.REMOVE,
                    dict(live.data),
                    None,
                    notes=("not declared and prune.webhooks is on",),
                    team=team.name,
                    order=order,
                )
            )
    return changes


def _body(after: dict[str, Any], context: ApplyContext, team: str) -> dict[str, Any]:
    channel = after.get("channel")
    return {
        "team_id": context.id_of(team_address(team)),
        "channel_id": support.channel_id(context, team, channel) if channel else "",
        "display_name": after["display_name"],
        "description": after.get("description", ""),
        "trigger_words": list(after.get("trigger_words") or []),
        "trigger_when": WHEN_CODE[after.get("trigger_when") or "first_word"],
        "callback_urls": list(after.get("callback_urls") or []),
        "content_type": after.get("content_type") or "application/x-www-form-urlencoded",
        "username": after.get("username", ""),
        "icon_url": after.get("icon_url", ""),
    }


def record(context: ApplyContext, address: str, token: str) -> None:
    team, key = address.split("/outgoing_webhook.", 1)
    with context.lock:
        context.results[address] = Output(address, name, team.removeprefix("team."), key, token)


def _create(change: ResourceChange, context: ApplyContext) -> None:
    client = context.client
    team = str(change.team)
    after = dict(change.after or {})
    body = _body(after, context, team)
    if after.get("owner"):
        body["creator_id"] = support.owner_id(context, after["owner"])

    def find() -> dict[str, Any] | None:
        for hook in _list(client, body["team_id"]):
            if hook.get("display_name") == after["display_name"]:
                return hook
        return None

    created = client.create("/api/v4/hooks/outgoing", body, find_existing=find)
    context.set_id(change.address, str(created["id"]))
    record(context, change.address, str(created.get("token") or ""))


def apply(change: ResourceChange, context: ApplyContext) -> None:
    client = context.client
    if change.action in (Action.REMOVE, Action.REPLACE):
        client.delete(f"/api/v4/hooks/outgoing/{context.id_of(change.address)}")
        if change.action is Action.REMOVE:
            with context.lock:
                context.results[change.address] = None
            return
    if change.action in (Action.CREATE, Action.REPLACE):
        _create(change, context)
        return
    hook_id = context.id_of(change.address)
    current = client.get(f"/api/v4/hooks/outgoing/{hook_id}")
    body = {**current, **_body(dict(change.after or {}), context, str(change.team))}
    body["id"] = hook_id
    body["token"] = current.get("token", "")  # PUT stores the token it is sent
    updated = client.put(f"/api/v4/hooks/outgoing/{hook_id}", body)
    record(context, change.address, str((updated or current).get("token") or ""))


def regenerate(context: ApplyContext, address: str) -> None:
    """`mmrc rotate`: a new token for one outgoing webhook."""
    hook_id = context.id_of(address)
    hook = context.client.post(f"/api/v4/hooks/outgoing/{hook_id}/regen_token", None)
    record(context, address, str(hook.get("token") or ""))


def outputs(observation: Observation, site_url: str) -> list[Output]:
    """The token of every observed outgoing webhook (callers drop the unmanaged ones)."""
    found = []
    for live in observation.of_kind(name):
        token = support.token_of(observation, live.address)
        if token is not None:
            key = live.address.split("/outgoing_webhook.", 1)[1]
            found.append(Output(live.address, name, live.team, key, token))
    return found
