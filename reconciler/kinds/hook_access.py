"""Whether an incoming webhook's owner may post to its channel once the plan is applied.

Mattermost posts through an incoming webhook as its owner; in a private channel
the owner needs `read_channel_content` there (a channel member, or a system
admin), or every post answers 403 `web.incoming_webhook.permissions.app_error`.
`observe` reads the owner's membership where the plan cannot know it otherwise
(`GET /channels/{id}/members/{user_id}`, for private channels whose membership
the file does not manage); `check` turns an owner who will not be a member into
a plan-time error at the hook's line when the plan causes it (it creates or
changes the hook, makes the channel private, removes the owner), and into a
warning when the server is already so and the plan leaves it alone. Not a kind:
incoming_webhooks calls it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final

from reconciler.errors import ApiError
from reconciler.kinds import memberships
from reconciler.kinds.lookup import channel_address, team_address
from reconciler.plan import Action, ResourceChange

if TYPE_CHECKING:
    from reconciler.client import Client
    from reconciler.kinds.base import Observation, PlanContext
    from reconciler.workspace.models import IncomingWebhook, Team

MEMBERSHIP: Final = "incoming_webhook_owner_membership"  # extra: (channel address, user) → bool


def _owner(observation: Observation, team: str, hook: IncomingWebhook) -> str:
    """The hook's owner after apply: declared, else the live hook's, else the applying account."""
    if hook.owner:
        return hook.owner
    live = observation.get(f"{team_address(team)}/incoming_webhook.{hook.display_name}")
    if live is not None and live.data.get("owner"):
        return str(live.data["owner"])
    return str(observation.me.get("username", ""))


def _user_id(observation: Observation, username: str) -> str | None:
    bot = observation.get(f"bot.{username}")
    if bot is not None:
        return bot.id
    if username == observation.me.get("username"):
        return str(observation.me.get("id") or "") or None
    user = observation.users.get(username)
    return str(user["id"]) if user and user.get("id") else None


def _is_admin(observation: Observation, username: str) -> bool:
    user: dict[str, Any] | None = observation.users.get(username)
    if username == observation.me.get("username"):
        user = observation.me
    return "system_admin" in str((user or {}).get("roles", "")).split()


def _pairs(context: PlanContext) -> list[tuple[int, int, Team, IncomingWebhook]]:
    return [
        (ti, hi, team, hook)
        for ti, team in enumerate(context.workspace.teams)
        for hi, hook in enumerate(team.incoming_webhooks)
    ]


def observe(client: Client, context: PlanContext) -> None:
    """Read the owner's membership of each live private channel a declared hook posts to,
    when the file does not manage that channel's members."""
    observation = context.observation
    found: dict[tuple[str, str], bool] = observation.extra.setdefault(MEMBERSHIP, {})
    work: list[tuple[str, str, str, str]] = []
    for _, _, team, hook in _pairs(context):
        address = channel_address(team.name, hook.channel)
        channel = observation.resolve(address)
        declared = next((c for c in team.channels if c.name == hook.channel), None)
        if channel is None or channel.data.get("visibility") != "private":
            continue
        if declared is not None and memberships.managed(declared):
            continue
        owner = _owner(observation, team.name, hook)
        user_id = _user_id(observation, owner)
        if user_id and not _is_admin(observation, owner):
            work.append((address, owner, channel.id, user_id))

    def read(item: tuple[str, str, str, str]) -> tuple[tuple[str, str], bool | None]:
        address, owner, channel_id, user_id = item
        try:
            client.get(f"/api/v4/channels/{channel_id}/members/{user_id}")
        except ApiError as error:
            return (address, owner), (False if error.status == 404 else None)
        return (address, owner), True

    for key, member in client.map_concurrent(read, work):
        if member is not None:
            found[key] = member


def _members_after(context: PlanContext, address: str) -> set[str] | None:
    """The channel's members once the plan is applied, when the plan knows them: its live
    members when the file manages them, or (for a new channel) its creator; plus the
    planned adds, minus the planned removals. None when the plan does not know."""
    observation = context.observation
    created = any(
        c.kind == "channel" and c.address == address and c.action is Action.CREATE
        for c in context.changes
    )
    live = observation.resolve(address)
    target = live.address if live is not None else address
    members = {str(m.data.get("username")) for m in observation.under(target, "channel_member")}
    managed = bool(members) or any(
        c.kind == "channel_member" and c.address.startswith(f"{address}/") for c in context.changes
    )
    if created:
        members.add(str(observation.me.get("username", "")))
    elif not managed:
        return None
    for change in context.changes:
        if change.kind != "channel_member" or not change.address.startswith(f"{address}/"):
            continue
        if change.action is Action.CREATE:
            members.add(str((change.after or {}).get("username")))
        elif change.action is Action.REMOVE:
            members.discard(str((change.before or {}).get("username")))
    return members


def _private_after(context: PlanContext, address: str) -> bool:
    for change in context.changes:
        if change.kind == "channel" and change.address == address and change.after is not None:
            return change.after.get("visibility") == "private"
    live = context.observation.resolve(address)
    return live is not None and live.data.get("visibility") == "private"


def check(context: PlanContext, hook_changes: Sequence[ResourceChange]) -> None:
    """An error at the hook for every owner who will not be able to post to its channel
    (`hook_changes`: the incoming-webhook changes being planned, not yet in the context)."""
    observation = context.observation
    read: dict[tuple[str, str], bool] = observation.extra.get(MEMBERSHIP, {})
    for ti, hi, team, hook in _pairs(context):
        address = channel_address(team.name, hook.channel)
        if not _private_after(context, address):
            continue
        owner = _owner(observation, team.name, hook)
        if not owner or _is_admin(observation, owner):
            continue
        members = _members_after(context, address)
        member = (owner in members) if members is not None else read.get((address, owner))
        if member is not False:
            continue
        problem = (
            f"the owner {owner!r} of incoming webhook {hook.display_name!r} is not a member "
            f"of the private channel {hook.channel!r}: every post through it would be "
            "refused (403 web.incoming_webhook.permissions.app_error)"
        )
        hint = f"add {owner} to the channel's members, or give the hook an owner who is one"
        if _new_bot(context, owner):
            context.warn(
                f"{team_address(team.name)}: {problem}; {owner!r} is a bot this apply creates, "
                "which the file cannot list as a channel member yet: once it exists, add it "
                f"to the members of {hook.channel!r}"
            )
        elif _caused_here([*context.changes, *hook_changes], team.name, hook, address, owner):
            context.error(
                ("teams", ti, "incoming_webhooks", hi, "owner" if hook.owner else "channel"),
                problem,
                hint=hint,
            )
        else:  # already so on the server, and this plan does not touch it: do not block
            context.warn(f"{team_address(team.name)}: {problem} (already so; {hint})")


def _new_bot(context: PlanContext, owner: str) -> bool:
    """A bot the workspace declares that does not exist yet (created by this apply)."""
    declared = any(bot.username == owner for bot in context.workspace.bots)
    observation = context.observation
    return declared and observation.get(f"bot.{owner}") is None and owner not in observation.users


def _caused_here(
    changes: Sequence[ResourceChange], team: str, hook: IncomingWebhook, address: str, owner: str
) -> bool:
    """Whether this plan makes the hook unable to post: it creates or changes the hook,
    makes its channel private, or removes the owner from the channel."""
    hook_address = f"{team_address(team)}/incoming_webhook.{hook.display_name}"
    for change in changes:
        if change.address == hook_address:
            return True
        if (
            change.kind == "channel"
            and change.address == address
            and any(f.field == "visibility" for f in change.fields)
        ):
            return True
        if (
            change.kind == "channel_member"
            and change.action is Action.REMOVE
            and change.address.startswith(f"{address}/")
            and (change.before or {}).get("username") == owner
        ):
            return True
    return False
