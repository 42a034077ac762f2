"""Incoming webhooks per team, keyed by display name within the team.

Observed with `GET /hooks/incoming?team_id=` (paged), for the teams that declare
incoming webhooks or prune webhooks only (concurrently). The hook's id is its
credential (the URL is `{SiteURL}/hooks/{id}`): it is kept in `LiveObject.id`
and the id table only, never in a change, a message or an output other than
the outputs file. Two live hooks with one display name are an ambiguity error
that names them by creation time and the first 4 characters of their ids.

`PUT /hooks/incoming/{id}` replaces the whole hook, so apply sends every field
(`after` is the live hook with the declared fields laid over it). The owner
(`user_id`) is kept by PUT. A new owner is an `update` through
`POST /hooks/incoming/{id}/move/{user_id}`, which keeps the id and therefore the
URL, when the server has that route (Mattermost MOVE_SINCE and newer; compared
with `Observation.server_version`) and the new owner is a person: the route
refuses bots (`api.webhook.move_incoming.invalid_bot_owner`). Otherwise it is a
`replace` (delete + create with the new owner): the hook gets a new URL, which
the plan says in a note and a warning, and the outputs file carries.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from reconciler.errors import ApiError, ApplyError
from reconciler.kinds import integration_support as support
from reconciler.kinds.base import LiveObject, UserRef
from reconciler.kinds.diffing import declared, diff_fields
from reconciler.kinds.lookup import load_usernames, team_address
from reconciler.outputs import Output, hook_url
from reconciler.plan import Action, FieldChange, ResourceChange

if TYPE_CHECKING:
    from reconciler.client import Client
    from reconciler.kinds.base import ApplyContext, Observation, PlanContext
    from reconciler.workspace.models import Workspace

name = "incoming_webhook"

OPTIONAL = ("description", "username", "icon_url", "channel_locked", "owner")
DEFAULTS: dict[str, Any] = {
    "description": "",
    "username": "",
    "icon_url": "",
    "channel_locked": False,
}
OWNER_NOTE = "the owner changes through POST /hooks/incoming/{id}/move/{user_id}; the URL stays"
# The first Mattermost with POST /hooks/incoming/{id}/move/{user_id}: added by
# mattermost/mattermost#36850 (2026), after 11.4; no release note names the version, so
# 11.9.0 (the first release after that PR) is an estimate. Below it, a new owner is a replace.
MOVE_SINCE = (11, 9, 0)
REPLACE_NOTE = (
    "{why}: the hook is deleted and created again with the new owner, which gives it a "
    "new URL (hand the outputs file to whatever posts to it)"
)
AMBIGUOUS = "incoming_webhook_ambiguous"  # observation.extra key: address → [raw hooks]
DISABLED = "incoming_webhook_disabled"  # observation.extra key: set of teams answered 501
SMOKE_TEXT = "mmrc smoke test: the incoming webhook {name!r} works (posted by mmrc apply)."


def address_of(team: str, display_name: str) -> str:
    return f"{team_address(team)}/incoming_webhook.{display_name}"


def references(workspace: Workspace) -> Iterable[UserRef]:
    bots = {bot.username for bot in workspace.bots}
    for ti, team in enumerate(workspace.teams):
        for hi, hook in enumerate(team.incoming_webhooks):
            if hook.owner and hook.owner not in bots:
                yield UserRef(hook.owner, ("teams", ti, "incoming_webhooks", hi, "owner"))


def normalise(hook: dict[str, Any], observation: Observation, team: str) -> dict[str, Any]:
    return {
        "display_name": hook.get("display_name") or "",
        "channel": support.channel_name(observation, team, str(hook.get("channel_id") or "")),
        "description": hook.get("description") or "",
        "username": hook.get("username") or "",
        "icon_url": hook.get("icon_url") or "",
        "channel_locked": bool(hook.get("channel_locked")),
        "owner": observation.username_of(str(hook.get("user_id") or "")),
    }


def _list(client: Client, team_id: str) -> list[dict[str, Any]]:
    return list(
        client.get_paged("/api/v4/hooks/incoming", {"team_id": team_id}, per_page=200) or []
    )


def observe(client: Client, context: PlanContext) -> None:
    """The hooks of the teams that declare incoming webhooks or prune webhooks."""
    observation = context.observation
    disabled: set[str] = observation.extra.setdefault(DISABLED, set())
    ambiguous: dict[str, list[dict[str, Any]]] = observation.extra.setdefault(AMBIGUOUS, {})
    teams = support.teams_to_read(context, lambda t: bool(t.incoming_webhooks or t.prune.webhooks))
    read = support.read_teams(client, teams, lambda team_id: _list(client, team_id))
    owners = [str(h.get("user_id")) for _, hooks in read for h in hooks or ()]
    load_usernames(client, observation, owners)
    for team, hooks in read:
        if hooks is None:  # EnableIncomingWebhooks=false
            disabled.add(team)
            continue
        seen: dict[str, list[dict[str, Any]]] = {}
        for hook in hooks:
            seen.setdefault(str(hook.get("display_name") or ""), []).append(hook)
        for display_name, group in seen.items():
            address = address_of(team, display_name)
            if len(group) > 1:
                ambiguous[address] = group
            hook = group[0]
            observation.add(
                LiveObject(
                    address=address,
                    kind=name,
                    id=str(hook["id"]),
                    data=normalise(hook, observation, team),
                    raw=hook,
                    team=team,
                )
            )


def desired_of(hook: Any) -> dict[str, Any]:
    desired = {"display_name": hook.display_name, "channel": hook.channel}
    desired.update(declared(hook, OPTIONAL))
    return desired


def plan(context: PlanContext) -> Iterable[ResourceChange]:
    observation = context.observation
    ambiguous: dict[str, list[dict[str, Any]]] = observation.extra.get(AMBIGUOUS, {})
    order = context.order_of(name)
    changes: list[ResourceChange] = []
    for ti, team in enumerate(context.workspace.teams):
        base = ("teams", ti, "incoming_webhooks")
        if team.incoming_webhooks:
            support.require_switch(
                context, "incoming_webhooks", base, f"team {team.name!r} declares incoming webhooks"
            )
        keys = set()
        for hi, hook in enumerate(team.incoming_webhooks):
            path = (*base, hi)
            address = address_of(team.name, hook.display_name)
            keys.add(address)
            desired = desired_of(hook)
            support.check_overrides(context, desired, path, f"incoming webhook {address}")
            if address in ambiguous:
                _ambiguity_error(context, (*path, "display_name"), address, ambiguous[address])
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
            fields = diff_fields(desired, live.data)
            if not fields:
                continue
            action: Action = Action.UPDATE
            notes: tuple[str, ...] = ()
            if any(f.field == "owner" for f in fields):
                why = _no_move(context, str(desired["owner"]))
                if why is None:
                    notes = (OWNER_NOTE,)
                else:
                    action, notes = Action.REPLACE, (REPLACE_NOTE.format(why=why),)
                    context.warn(
                        f"{address}: the new owner {desired['owner']!r} replaces the incoming "
                        "webhook, so its URL changes (apply --outputs-file writes the new one)"
                    )
            changes.append(
                ResourceChange(
                    address,
                    name,
                    action,
                    dict(live.data),
                    {**live.data, **desired},
                    fields,
                    notes,
                    team=team.name,
                    order=order,
                )
            )
        for live in observation.under(team_address(team.name), name):
            if live.address in keys:
                continue
            if not team.prune.webhooks:
                context.unmanaged(live.address)
            elif live.address in ambiguous:
                _ambiguity_error(context, (*base,), live.address, ambiguous[live.address])
            else:
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


def can_move(server_version: str) -> bool:
    """Whether a server of `server_version` has POST /hooks/incoming/{id}/move/{user_id}
    (an unknown version counts as one without)."""
    found = support.version_tuple(server_version)
    return found is not None and found >= MOVE_SINCE


def _no_move(context: PlanContext, owner: str) -> str | None:
    """Why the move route cannot give a hook the owner `owner` (None: it can)."""
    observation = context.observation
    if not can_move(observation.server_version):
        version = observation.server_version or "of an unknown version"
        since = ".".join(str(part) for part in MOVE_SINCE)
        return (
            f"Mattermost {version} cannot change an incoming webhook's owner in place "
            f"(POST /hooks/incoming/{{id}}/move/{{user_id}} needs Mattermost {since} or newer)"
        )
    declared_bot = any(bot.username == owner for bot in context.workspace.bots)
    if declared_bot or bool(observation.users.get(owner, {}).get("is_bot")):
        return (
            f"Mattermost does not move an incoming webhook to a bot account ({owner!r} is one: "
            "api.webhook.move_incoming.invalid_bot_owner)"
        )
    return None


def _ambiguity_error(
    context: PlanContext, path: Any, address: str, hooks: list[dict[str, Any]]
) -> None:
    named = "; ".join(support.describe_hook_id(h) for h in hooks)
    context.error(
        path,
        f"{address} is ambiguous: {len(hooks)} live incoming webhooks have this display "
        f"name ({named})",
        hint="rename or delete all but one of them in Mattermost (Integrations › Incoming "
        "Webhooks), then plan again",
    )


def _body(after: dict[str, Any], channel_id: str) -> dict[str, Any]:
    return {
        "channel_id": channel_id,
        "display_name": after["display_name"],
        "description": after.get("description", ""),
        "username": after.get("username", ""),
        "icon_url": after.get("icon_url", ""),
        "channel_locked": bool(after.get("channel_locked", False)),
    }


def _record(context: ApplyContext, change: ResourceChange, hook_id: str) -> None:
    site = support.site_url(context.observation, context.client.url)
    team, key = change.address.split("/incoming_webhook.", 1)
    output = Output(change.address, name, team.removeprefix("team."), key, hook_url(site, hook_id))
    with context.lock:
        context.results[change.address] = output


def apply(change: ResourceChange, context: ApplyContext) -> None:
    client = context.client
    team = str(change.team)
    if change.action in (Action.REMOVE, Action.REPLACE):
        hook_id = context.id_of(change.address)
        client.delete(f"/api/v4/hooks/incoming/{hook_id}")
        if change.action is Action.REMOVE:
            with context.lock:
                context.results[change.address] = None
            return
    after = dict(change.after or {})
    body = _body(after, support.channel_id(context, team, after["channel"]))
    if change.action in (Action.CREATE, Action.REPLACE):
        if after.get("owner"):
            body["user_id"] = support.owner_id(context, after["owner"])
        team_id = context.id_of(team_address(team))

        def find() -> dict[str, Any] | None:
            for hook in _list(client, team_id):
                if hook.get("display_name") == after["display_name"]:
                    return hook
            return None

        created = client.create("/api/v4/hooks/incoming", body, find_existing=find)
        context.set_id(change.address, str(created["id"]))
        _record(context, change, str(created["id"]))
        return
    hook_id = context.id_of(change.address)
    changed = set(change.changed_fields)
    if changed - {"owner"}:
        body["id"] = hook_id
        body["team_id"] = context.id_of(team_address(team))
        client.put(f"/api/v4/hooks/incoming/{hook_id}", body)
    if "owner" in changed and after.get("owner"):
        user_id = support.owner_id(context, after["owner"])
        try:
            client.post(f"/api/v4/hooks/incoming/{hook_id}/move/{user_id}", None, idempotent=True)
        except ApiError as error:
            if error.status in (404, 405) and error.error_id == "api.context.404.app_error":
                version = context.observation.server_version or "unknown"
                raise ApplyError(
                    f"{change.address}: this server (Mattermost {version}) has no "
                    "POST /hooks/incoming/{id}/move/{user_id}, which mmrc expects from "
                    f"Mattermost {'.'.join(map(str, MOVE_SINCE))} on; delete the hook in "
                    "Mattermost and apply again to create it with the owner (a new URL)"
                ) from None
            raise
    _record(context, change, hook_id)


@dataclass(frozen=True, slots=True)
class SmokeResult:
    address: str
    status: int | None  # HTTP status (None: no answer)
    detail: str  # "ok", or the error id / reason; never the hook URL

    @property
    def ok(self) -> bool:
        return self.status == 200


def smoke_test(client: Client, results: Mapping[str, Any]) -> list[SmokeResult]:
    """Post a short message through every incoming webhook apply created or changed
    (`results` is ApplyContext.results); the hook posts to its own channel."""
    checks: list[SmokeResult] = []
    for address, output in sorted(results.items()):
        if not isinstance(output, Output) or output.kind != name:
            continue
        hook_id = output.reveal().rsplit("/hooks/", 1)[1]
        text = SMOKE_TEXT.format(name=output.name)
        try:
            answer = client.post(f"/hooks/{hook_id}", {"text": text})
        except ApiError as error:
            checks.append(SmokeResult(address, error.status, error.error_id or "no answer"))
            continue
        checks.append(SmokeResult(address, 200, str(answer or "ok").strip()[:40]))
    return checks


def outputs(observation: Observation, site_url: str) -> list[Output]:
    """The URL of every observed incoming webhook (callers drop the unmanaged ones)."""
    site = support.site_url(observation, site_url)
    found = []
    for live in observation.of_kind(name):
        key = live.address.split("/incoming_webhook.", 1)[1]
        found.append(Output(live.address, name, live.team, key, hook_url(site, live.id)))
    return found
