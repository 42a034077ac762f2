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
from reconciler.kinds import hook_access
from reconciler.kinds import integration_lists as lists
from reconciler.kinds import integration_support as support
from reconciler.kinds.base import LiveObject, UserRef
from reconciler.kinds.diffing import declared
from reconciler.kinds.lookup import team_address
from reconciler.outputs import Output, hook_url
from reconciler.plan import Action, ResourceChange

if TYPE_CHECKING:
    from reconciler.client import Client
    from reconciler.kinds.base import ApplyContext, Observation, PlanContext
    from reconciler.workspace.models import IncomingWebhook, Workspace
    from reconciler.workspace.sourcemap import FieldPath

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
    "{why}: a new hook is created with the new owner before the old one is deleted, which gives it a "
    "new URL (hand the outputs file to whatever posts to it)"
)
AMBIGUOUS = "incoming_webhook_ambiguous"  # observation.extra key: address → [raw hooks]
DISABLED = "incoming_webhook_disabled"  # observation.extra key: set of teams answered 501
SMOKE_TEXT = "mmrc smoke test: the incoming webhook {name!r} works (posted by mmrc apply)."


def address_of(team: str, display_name: str) -> str:
    return f"{team_address(team)}/incoming_webhook.{display_name}"


def references(workspace: Workspace) -> Iterable[UserRef]:
    return lists.owner_references(workspace, "incoming_webhooks")


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
    ambiguous: dict[str, list[dict[str, Any]]] = observation.extra.setdefault(AMBIGUOUS, {})
    read = lists.read_lists(
        client,
        context,
        TEAM_LIST,
        lambda team_id: _list(client, team_id),
        owner_field="user_id",
        disabled_key=DISABLED,
    )
    for team, hooks in read:
        for display_name, group in lists.by_display_name(hooks).items():
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
    hook_access.observe(client, context)


def desired_of(hook: IncomingWebhook) -> dict[str, Any]:
    desired = {"display_name": hook.display_name, "channel": hook.channel}
    desired.update(declared(hook, OPTIONAL))
    return desired


def plan(context: PlanContext) -> Iterable[ResourceChange]:
    changes = lists.plan_lists(context, TEAM_LIST)
    hook_access.check(context, changes)
    return changes


def _owner_rule(
    context: PlanContext, address: str, desired: Mapping[str, Any], fields: lists.Fields
) -> tuple[Action, tuple[str, ...]]:
    """A new owner moves the hook (same URL) where the server can, else replaces it."""
    if not lists.owner_changed(fields):
        return Action.UPDATE, ()
    why = _no_move(context, str(desired["owner"]))
    if why is None:
        return Action.UPDATE, (OWNER_NOTE,)
    context.warn(
        f"{address}: the new owner {desired['owner']!r} replaces the incoming "
        "webhook, so its URL changes (apply --outputs-file writes the new one)"
    )
    return Action.REPLACE, (REPLACE_NOTE.format(why=why),)


def _refuse_ambiguous(context: PlanContext, path: FieldPath, address: str) -> bool:
    hooks: list[dict[str, Any]] | None = context.observation.extra.get(AMBIGUOUS, {}).get(address)
    if hooks is None:
        return False
    named = "; ".join(support.describe_hook_id(h) for h in hooks)
    context.error(
        path,
        f"{address} is ambiguous: {len(hooks)} live incoming webhooks have this display "
        f"name ({named})",
        hint="rename or delete all but one of them in Mattermost (Integrations › Incoming "
        "Webhooks), then plan again",
    )
    return True


TEAM_LIST = lists.TeamList(
    kind=name,
    field="incoming_webhooks",
    label="incoming webhook",
    switch="incoming_webhooks",
    prune="webhooks",
    key_field="display_name",
    address=lambda team, hook: address_of(team, hook.display_name),
    desired=desired_of,
    defaults=DEFAULTS,
    on_change=_owner_rule,
    refuse=_refuse_ambiguous,
    refuse_removal=_refuse_ambiguous,
)


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
    lists.record_output(context, change.address, name, hook_url(site, hook_id))


def apply(change: ResourceChange, context: ApplyContext) -> None:
    client = context.client
    team = str(change.team)
    if lists.delete_for(change, context, "/api/v4/hooks/incoming"):
        return
    after = dict(change.after or {})
    body = _body(after, support.channel_id(context, team, after["channel"]))
    if change.action in (Action.CREATE, Action.REPLACE):
        if after.get("owner"):
            body["user_id"] = support.owner_id(context, after["owner"])
        team_id = context.id_of(team_address(team))

        def create(old_id: str = "") -> dict[str, Any]:
            created = lists.create_once(
                context,
                change,
                "/api/v4/hooks/incoming",
                body,
                listing=lambda: _list(client, team_id),
                same=lambda hook: hook.get("display_name") == after["display_name"],
            )
            _record(context, change, str(created["id"]))
            return created

        if change.action is Action.REPLACE:  # the new hook first, then the old one goes
            lists.replace_created_first(
                change, context, "/api/v4/hooks/incoming", "incoming webhook", create
            )
        else:
            create()
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
    return lists.observed_outputs(observation, name, lambda live: hook_url(site, live.id))
