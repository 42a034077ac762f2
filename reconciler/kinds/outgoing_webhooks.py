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
    from reconciler.workspace.models import OutgoingWebhook, Workspace
    from reconciler.workspace.sourcemap import FieldPath

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
AMBIGUOUS = "outgoing_webhook_ambiguous"  # observation.extra key: address → [hook ids]
DISABLED = "outgoing_webhook_disabled"  # observation.extra key: set of teams answered 501
REPLACE_NOTE = (
    "Mattermost cannot change an outgoing webhook's owner in place: a new one is created "
    "before the old one is deleted, which gives it a new token (hand the outputs file to n8n)"
)


def address_of(team: str, display_name: str) -> str:
    return f"{team_address(team)}/outgoing_webhook.{display_name}"


def references(workspace: Workspace) -> Iterable[UserRef]:
    return lists.owner_references(workspace, "outgoing_webhooks")


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
    ambiguous: dict[str, list[str]] = observation.extra.setdefault(AMBIGUOUS, {})
    read = lists.read_lists(
        client,
        context,
        TEAM_LIST,
        lambda team_id: _list(client, team_id),
        owner_field="creator_id",
        disabled_key=DISABLED,
    )
    for team, hooks in read:
        for display_name, group in lists.by_display_name(hooks).items():
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
    return lists.plan_lists(context, TEAM_LIST)


def _refuse_ambiguous(context: PlanContext, path: FieldPath, address: str) -> bool:
    hook_ids: list[str] | None = context.observation.extra.get(AMBIGUOUS, {}).get(address)
    if hook_ids is None:
        return False
    context.error(
        path,
        f"{address} is ambiguous: live outgoing webhooks {', '.join(hook_ids)} share this "
        "display name",
        hint="rename or delete all but one of them in Mattermost",
    )
    return True


TEAM_LIST = lists.TeamList(
    kind=name,
    field="outgoing_webhooks",
    label="outgoing webhook",
    switch="outgoing_webhooks",
    prune="webhooks",
    key_field="display_name",
    address=lambda team, hook: address_of(team, hook.display_name),
    desired=desired_of,
    defaults=DEFAULTS,
    on_change=lists.replace_when_owner_changes(REPLACE_NOTE),
    unordered=UNORDERED,
    refuse=_refuse_ambiguous,
    refuse_removal=_refuse_ambiguous,
)


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
    lists.record_output(context, address, name, token)


def _create(
    change: ResourceChange, context: ApplyContext, trigger_words: list[str] | None = None
) -> dict[str, Any]:
    client = context.client
    after = dict(change.after or {})
    body = _body(after, context, str(change.team))
    if trigger_words is not None:
        body["trigger_words"] = trigger_words
    if after.get("owner"):
        body["creator_id"] = support.owner_id(context, after["owner"])
    created = lists.create_once(
        context,
        change,
        "/api/v4/hooks/outgoing",
        body,
        listing=lambda: _list(client, body["team_id"]),
        same=lambda hook: (
            hook.get("display_name") == after["display_name"]
            and list(hook.get("trigger_words") or []) == body["trigger_words"]
        ),
    )
    record(context, change.address, str(created.get("token") or ""))
    return created


def _replace(change: ResourceChange, context: ApplyContext) -> None:
    """Create the new hook with a temporary trigger word (the server refuses two hooks of
    one channel sharing a trigger word and a URL, and it must not fire twice meanwhile),
    delete the old one, then give the new one its trigger words."""
    after = dict(change.after or {})

    def finish(created: dict[str, Any]) -> None:
        body = {**created, **_body(after, context, str(change.team))}
        body["id"] = created["id"]
        body["token"] = created.get("token", "")  # PUT stores the token it is sent
        context.client.put(f"/api/v4/hooks/outgoing/{created['id']}", body)

    lists.replace_created_first(
        change,
        context,
        "/api/v4/hooks/outgoing",
        "outgoing webhook",
        lambda old_id: _create(change, context, [lists.temporary_key(lists.REPLACING, old_id)]),
        finish,
    )


def apply(change: ResourceChange, context: ApplyContext) -> None:
    client = context.client
    if lists.delete_for(change, context, "/api/v4/hooks/outgoing"):
        return
    if change.action is Action.REPLACE:
        _replace(change, context)
        return
    if change.action is Action.CREATE:
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


def read_token(context: ApplyContext, address: str) -> str:
    """The token the server holds now (`mmrc rotate` reads it back after a lost answer)."""
    hook = context.client.get(f"/api/v4/hooks/outgoing/{context.id_of(address)}")
    return str(hook.get("token") or "")


def outputs(observation: Observation, site_url: str) -> list[Output]:
    """The token of every observed outgoing webhook (callers drop the unmanaged ones)."""
    return lists.observed_tokens(observation, name)
