"""Guards: plans that would do more damage than intended fail before anything runs.

`archive_guard_errors` (a hard stop, no override): a channel whose entry says
`prevent_archive: true`, or whose name is in its team's `prevent_archive`
list (which survives the channel leaving the file), is never archived.

`destroy_guard_errors` (a hard stop, no override): a webhook or slash command
whose entry says `prevent_destroy: true`, or whose key (display name, trigger)
is in its team's `prevent_destroy` list, is never deleted, by a removal or by
a replace.

`check_safety` (overridden by --allow-destructive): archiving more than a
share of a team's channels, removing more than a share of a team's (or a
channel's) members (shares apply from `share_floor` live objects on; absolute
caps apply at any size), deleting any webhook or slash command (other systems
hold its URL or token), making a public channel private, or removing the
applying account from a team or channel (and so its admin rights there).
"""

from __future__ import annotations

from collections import Counter

from reconciler.errors import UnsafePlanError
from reconciler.kinds.base import Observation, PlanContext, PlanOptions
from reconciler.plan import Action, Plan

CHANNEL = "channel"
TEAM_MEMBER = "team_member"
CHANNEL_MEMBER = "channel_member"
# kinds whose removal loses a URL or token another system holds → how a reason names them
INTEGRATIONS = {
    "incoming_webhook": "incoming webhook",
    "outgoing_webhook": "outgoing webhook",
    "command": "slash command",
}


def archive_guard_errors(context: PlanContext) -> None:
    """Adds an error for every planned archive that `prevent_archive` forbids. A guard
    follows the channel through renames: every name it had (the planned address, its
    `renamed_from` names and its live name) is checked against both guards."""
    teams = {team.name: (index, team) for index, team in enumerate(context.workspace.teams)}
    for change in context.changes:
        if change.kind != CHANNEL or change.action is not Action.ARCHIVE or change.team is None:
            continue
        if change.team not in teams:
            continue
        t_index, team = teams[change.team]
        names = _channel_names(context, change.address)
        for channel in team.channels:
            own = {channel.name, *channel.renamed_from}
            if own & names:
                names |= own
        for c_index, channel in enumerate(team.channels):
            if channel.name in names and channel.prevent_archive:
                context.error(
                    ("teams", t_index, "channels", c_index, "prevent_archive"),
                    f"the plan archives {change.address}, which sets prevent_archive: true",
                    hint="remove prevent_archive first if the archive is intended",
                )
        for at, protected in enumerate(team.prevent_archive):
            if protected in names:
                context.error(
                    ("teams", t_index, "prevent_archive", at),
                    f"the plan archives {change.address}, which team {team.name!r} lists in "
                    f"prevent_archive (as {protected!r})",
                    hint="remove it from the team's prevent_archive list first if the archive "
                    "is intended",
                )


def _channel_names(context: PlanContext, address: str) -> set[str]:
    names = {address.rsplit("/channel.", 1)[1]}
    live = context.observation.resolve(address)
    if live is not None:
        names.add(live.address.rsplit("/channel.", 1)[1])
        if isinstance(live.data.get("name"), str):
            names.add(live.data["name"])
    return names


# kind → the team's list of entries of that kind, and the field that keys an entry
_INTEGRATION_LISTS = {
    "incoming_webhook": ("incoming_webhooks", "display_name"),
    "outgoing_webhook": ("outgoing_webhooks", "display_name"),
    "command": ("commands", "trigger"),
}


def destroy_guard_errors(context: PlanContext) -> None:
    """Adds an error (no override) for every planned delete of a webhook or slash command
    (a removal, or the old object of a replace) that `prevent_destroy` forbids: on the
    entry itself, or in its team's `prevent_destroy` list (which survives the entry
    leaving the file)."""
    teams = {team.name: (index, team) for index, team in enumerate(context.workspace.teams)}
    for change in context.changes:
        if change.kind not in _INTEGRATION_LISTS or change.team not in teams:
            continue
        if change.action not in (Action.REMOVE, Action.REPLACE):
            continue
        t_index, team = teams[str(change.team)]
        field, key_field = _INTEGRATION_LISTS[change.kind]
        key = change.address.split(f"/{change.kind}.", 1)[1]
        label = INTEGRATIONS[change.kind]
        verb = "deletes" if change.action is Action.REMOVE else "replaces (deletes and recreates)"
        for e_index, entry in enumerate(getattr(team, field)):
            entry_key = str(getattr(entry, key_field))
            if entry_key.lower() == key.lower() and getattr(entry, "prevent_destroy", None):
                context.error(
                    ("teams", t_index, field, e_index, "prevent_destroy"),
                    f"the plan {verb} the {label} {change.address}, which sets "
                    "prevent_destroy: true",
                    hint="remove prevent_destroy first if losing its URL or token is intended",
                )
        for at, protected in enumerate(team.prevent_destroy):
            if protected.lower() == key.lower():
                context.error(
                    ("teams", t_index, "prevent_destroy", at),
                    f"the plan {verb} the {label} {change.address}, which team "
                    f"{team.name!r} lists in prevent_destroy",
                    hint="remove it from the team's prevent_destroy list first if that is intended",
                )


def unsafe_reasons(plan: Plan, observation: Observation, options: PlanOptions) -> list[str]:
    reasons: list[str] = []
    archives: Counter[str] = Counter()
    removals: Counter[tuple[str, str]] = Counter()
    integration_removals: list[tuple[str, str]] = []
    me = str(observation.me.get("username", ""))
    for change in plan.changes:
        parent = change.address.rsplit("/", 1)[0]
        if change.action is Action.REMOVE and change.kind in INTEGRATIONS:
            integration_removals.append((change.address, INTEGRATIONS[change.kind]))
        if change.kind == CHANNEL and change.action is Action.ARCHIVE:
            archives[parent] += 1
        if change.action is Action.REMOVE and change.kind in (TEAM_MEMBER, CHANNEL_MEMBER):
            removals[(parent, change.kind)] += 1
            if me and (change.before or {}).get("username") == me:
                reasons.append(
                    f"{change.address}: removes the applying account ({me}) and with it "
                    "its admin rights there"
                )
        for field in change.fields:
            if (
                change.kind == CHANNEL
                and field.field == "visibility"
                and (field.before, field.after) == ("public", "private")
            ):
                reasons.append(
                    f"{change.address}: makes a public channel private (its history is "
                    "hidden from non-members)"
                )
    for team, count in sorted(archives.items()):
        live = sum(1 for c in observation.under(team, CHANNEL) if not c.archived)
        reason = _too_many(count, live, options.max_archive_share, options.max_archives, options)
        if reason:
            reasons.append(f"{team}: archives {count} of its {live} channels ({reason})")
    for (parent, kind), count in sorted(removals.items()):
        live = len(observation.under(parent, kind))
        reason = _too_many(
            count, live, options.max_member_removal_share, options.max_member_removals, options
        )
        if reason:
            reasons.append(f"{parent}: removes {count} of its {live} members ({reason})")
    for address, label in integration_removals:
        reasons.append(
            f"{address}: deletes the {label}; the URL or token other systems hold stops "
            "working and cannot be brought back"
        )
    return reasons


def _too_many(count: int, live: int, share: float, cap: int, options: PlanOptions) -> str:
    """Why removing `count` of `live` objects is too many ("" when it is not): more than
    `cap` at any size, or more than `share` once there are `share_floor` objects."""
    if count > cap:
        return f"more than {cap} at once"
    if live >= options.share_floor and count / live > share:
        return f"more than {share:.0%}"
    return ""


def check_safety(plan: Plan, observation: Observation, options: PlanOptions) -> None:
    """Raises UnsafePlanError unless the plan is within the guards (or they are overridden)."""
    if options.allow_destructive:
        return
    reasons = unsafe_reasons(plan, observation, options)
    if reasons:
        raise UnsafePlanError(reasons)
